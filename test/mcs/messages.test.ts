// The shared message catalogue helpers: grammar/payload-type mapping, MCS parameter-set checks,
// RationalNumber conversion at MCS magnitudes, and the codec seam (EXI per grammar, JSON stand-in).

import { expect } from 'chai';
import { jsonStandInCodec, loadMessageCodec, MessageDecodeError } from '../../drivers/iso15118/evcc/codec.ts';
import {
  fromRational,
  grammarOf,
  mcsParameterSetProblems,
  messageOfRoot,
  ServiceId,
  toRational,
  toRationalNoExponent,
} from '../../drivers/iso15118/evcc/messages.ts';
import { performanceLimitName, loadSessionTimers, msgTimeoutMs } from '../../drivers/iso15118/evcc/timers.ts';
import { Limits } from '../../drivers/core/limits.ts';

describe('ISO 15118-20 message catalogue (EVCC/SECC shared)', function () {
  it('maps messages to grammars and roots to messages', function () {
    expect(grammarOf('supportedAppProtocol')).to.equal('app');
    expect(grammarOf('SessionSetup')).to.equal('cm');
    expect(grammarOf('DC_ChargeLoop')).to.equal('dc');
    expect(grammarOf('PowerDelivery')).to.equal('cm');
    expect(messageOfRoot('DC_CableCheckRes')).to.deep.equal({ message: 'DC_CableCheck', kind: 'Res' });
    expect(messageOfRoot('Header')).to.equal(undefined);
  });

  it('expresses MCS ratings as RationalNumbers with the exponent they need', function () {
    expect(toRational(3_750_000)).to.deep.equal({ Value: 3750, Exponent: 3 });
    expect(fromRational(toRational(3000))).to.equal(3000);
    expect(fromRational(toRational(1250))).to.equal(1250);
    expect(fromRational(toRational(0.5))).to.equal(0.5);
    expect(toRationalNoExponent(3_750_000)).to.deep.equal({ Value: 32767, Exponent: 0 });
    expect(Number.isNaN(fromRational(undefined))).to.equal(true);
  });

  it('finds what is wrong with an MCS parameter set', function () {
    /** A parameter set as a charger sends it: one int parameter per name. */
    const set = (id: number, values: Record<string, number>) => ({
      ParameterSetID: id,
      Parameter: Object.entries(values).map(([name, intValue]) => ({ '@Name': name, intValue })),
    });
    const good = set(1, { Connector: 1, ControlMode: 1, MobilityNeedsMode: 1, Pricing: 0 });
    expect(mcsParameterSetProblems(good, ServiceId.MCS)).to.deep.equal([]);
    const bad = set(2, { Connector: 9, ControlMode: 1, MobilityNeedsMode: 2 });
    const p = mcsParameterSetProblems(bad, ServiceId.MCS).join('; ');
    expect(p)
      .to.match(/Connector=9 not in/)
      .and.to.match(/'Pricing' missing/)
      .and.to.match(/Scheduled control needs MobilityNeedsMode=1/);
    expect(mcsParameterSetProblems(good, ServiceId.MCS_BPT).join('; ')).to.match(/'BPTChannel' missing/);
  });

  it('codec seam: the EXI codec serves every grammar; the JSON stand-in rejects garbage with a typed error', async function () {
    const codec = await loadMessageCodec('auto');
    expect(codec.name).to.equal('exi');
    const doc = { SessionSetupReq: { Header: { SessionID: '0000000000000000', TimeStamp: 1 }, EVCCID: 'WMIV1234567890ABCDEX' } };
    expect(codec.decode('cm', codec.encode('cm', doc))).to.deep.equal(doc);
    expect((await loadMessageCodec('json')).name).to.equal('json-stand-in');
    expect(() => jsonStandInCodec.decode('cm', new Uint8Array([0x80, 0x01]))).to.throw(MessageDecodeError);
  });

  it('timers come from the limit profile and the bench overrides them by name', function () {
    const limits = Limits.load('iso15118-20');
    const t = loadSessionTimers(limits, { V2G_SECC_Sequence_Timeout: 3000, unrelated: 1 });
    expect(t.V2G_SECC_Sequence_Timeout).to.equal(3000);
    expect(t.overridden).to.deep.equal(['V2G_SECC_Sequence_Timeout']);
    expect(msgTimeoutMs(t, 'DC_ChargeLoop')).to.equal(limits.num('timer.V2G_EVCC_Msg_Timeout.DC_ChargeLoop'));
    expect(msgTimeoutMs(t, 'ServiceDetail')).to.equal(limits.num('timer.V2G_EVCC_Msg_Timeout.ServiceDetail'));
    expect(msgTimeoutMs(t, 'SessionSetup')).to.equal(limits.num('timer.V2G_EVCC_Msg_Timeout'));
    expect(performanceLimitName(limits, 'DC_ChargeLoop')).to.equal('secc.performanceTime.DC_ChargeLoop');
    expect(performanceLimitName(limits, 'SessionSetup')).to.equal('secc.performanceTime');
  });
});
