// The emulated CCS charger in-process (memory link, virtual clock): a scripted vehicle walks a whole
// ISO 15118-2 and DIN 70121 DC session against it, on the same emulated power stage and battery as the MCS
// charger, and the charger's answers to misbehaviour (order, SessionID, protocols it does not offer).

import { expect } from 'chai';
import { NAMESPACE_DIN, NAMESPACE_ISO2 } from '../../drivers/iso15118/evcc/messages.ts';
import { CCS_FAULT } from '../../emulator/ccs/faults.ts';
import { chargeSession, closeRigs, rig, Script } from './secc-script.ts';

describe('emulated CCS charger (DIN 70121 / ISO 15118-2 DC SECC), in-process', function () {
  afterEach(closeRigs);
  for (const protocol of ['iso2', 'din'] as const) {
    it(`${protocol}: a whole DC session on the emulated power stage and battery, every answer OK`, async function () {
      const { clock, battery, charger, link } = await rig();
      const s = new Script(link, clock);
      const first = protocol === 'din' ? NAMESPACE_DIN : NAMESPACE_ISO2;
      const other = protocol === 'din' ? NAMESPACE_ISO2 : NAMESPACE_DIN;
      expect(
        (
          await s.sap([
            [other, 2],
            [first, 1],
          ])
        ).ResponseCode,
      ).to.equal('OK_SuccessfulNegotiation');
      expect(s.grammar, 'the vehicle’s priority decides').to.equal(protocol);
      const r = await chargeSession(s, clock, battery, 100, 40);
      for (const c of r.codes) expect(c).to.match(/Res OK/);
      expect(r.isolation, 'isolation measured before precharge').to.equal('Valid');
      expect(r.present, 'present current after 4 s at 100 A').to.be.within(90, 110);
      await charger.settled();
      expect(charger.results.map((x) => x.reason)).to.deep.equal(['session-stopped']);
      expect(charger.power.outputEnabled).to.equal(false);
      await link.close();
      battery.close?.();
    });
  }

  it('answers FAILED_SequenceError to a request out of order and closes; FAILED_UnknownSession to a foreign SessionID', async function () {
    let { link, charger, clock } = await rig();
    let s = new Script(link, clock);
    await s.sap([[NAMESPACE_ISO2, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    const out = await s.req('PowerDelivery', { ChargeProgress: 'Start', SAScheduleTupleID: 1 });
    expect(out.c.ResponseCode).to.equal('FAILED_SequenceError');
    await charger.settled();
    expect(charger.results[0].reason).to.equal('failed-response');
    ({ link, charger, clock } = await rig());
    s = new Script(link, clock);
    await s.sap([[NAMESPACE_DIN, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    expect((await s.req('ServiceDiscovery', {}, '0102030405060708')).c.ResponseCode).to.equal('FAILED_UnknownSession');
  });

  it('answers Failed_NoNegotiation when only a protocol it does not offer is offered', async function () {
    const { link, charger, clock } = await rig([], ['iso2']);
    const res = await new Script(link, clock).sap([[NAMESPACE_DIN, 1]]);
    expect(res.ResponseCode).to.equal('Failed_NoNegotiation');
    await charger.settled();
    expect(charger.results[0].reason).to.equal('failed-response');
  });

  it(`fault ${CCS_FAULT.sequenceErrorMissing}: the out-of-order request is answered OK`, async function () {
    const { link, clock } = await rig([CCS_FAULT.sequenceErrorMissing]);
    const s = new Script(link, clock);
    await s.sap([[NAMESPACE_ISO2, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    expect((await s.req('PowerDelivery', { ChargeProgress: 'Start', SAScheduleTupleID: 1 })).c.ResponseCode).to.equal('OK');
  });

  it('-2: a session paused by SessionStop(Pause) is resumed on the next connection with OK_OldSessionJoined', async function () {
    const { link, charger, clock } = await rig();
    const s = new Script(link, clock);
    await s.sap([[NAMESPACE_ISO2, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    const paused = s.sessionId;
    expect((await s.req('SessionStop', { ChargingSession: 'Pause' })).c.ResponseCode).to.equal('OK');
    await link.close();
    await charger.settled();
    const again = new Script(charger.connect('ev'), clock);
    await again.sap([[NAMESPACE_ISO2, 1]]);
    const r = await again.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' }, paused);
    expect([r.c.ResponseCode, again.sessionId]).to.deep.equal(['OK_OldSessionJoined', paused]);
  });
});
