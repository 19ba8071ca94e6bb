// The emulated CCS charger in-process (memory link, virtual clock): a scripted vehicle walks a whole
// ISO 15118-2 and DIN 70121 DC session against it, on the same emulated power stage and battery as the MCS
// charger, and the charger's answers to misbehaviour (order, SessionID, protocols it does not offer).

import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { decodeExi, encodeExi } from '../../drivers/exi/index.ts';
import type { MessageLink } from '../../drivers/iso15118/evcc/link.ts';
import { NAMESPACE_DIN, NAMESPACE_ISO2 } from '../../drivers/iso15118/evcc/messages.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { EmulatedCcsCharger } from '../../emulator/ccs/charger.ts';
import { bodyOf, fromPhysical, physical, type CcsProtocol } from '../../emulator/ccs/ccs-protocol.ts';
import { CCS_FAULT, ccsPowerStageFaults } from '../../emulator/ccs/faults.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';

const RATINGS = { maxVoltageV: 1000, minVoltageV: 150, maxCurrentA: 500, maxPowerW: 400_000 };

async function rig(faults: string[] = [], protocols?: CcsProtocol[]) {
  const clock = new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const battery = new EmulatedBattery('battery', clock, timeline, loadVehicleProfile('truck-lfp-620kwh'));
  await battery.startStreaming();
  const set = new Set(faults);
  const power = new PowerStage({ clock, timeline, ratings: RATINGS, bus: battery.bus, faults: ccsPowerStageFaults(set) });
  const charger = await EmulatedCcsCharger.start(
    'ccs-charger',
    { link: 'memory', protocols },
    { clock, timeline, ratings: RATINGS, faults: set, power },
  );
  return { clock, timeline, battery, charger, link: charger.connect('ev') };
}

/** A scripted vehicle: one request, its answer decoded (the grammar the handshake selected). */
class Script {
  grammar: 'app' | CcsProtocol = 'app';
  sessionId = '00';
  constructor(private readonly link: MessageLink) {}

  async sap(offers: Array<[string, number]>): Promise<Record<string, any>> {
    const AppProtocol = offers.map(([ns, prio], i) => ({
      ProtocolNamespace: ns,
      VersionNumberMajor: 2,
      VersionNumberMinor: 0,
      SchemaID: i + 1,
      Priority: prio,
    }));
    const res = (await this.raw({ supportedAppProtocolReq: { AppProtocol } })).supportedAppProtocolRes;
    const chosen = offers[res.SchemaID - 1]?.[0];
    if (chosen) this.grammar = chosen === NAMESPACE_DIN ? 'din' : 'iso2';
    return res;
  }

  async req(
    body: string,
    content: Record<string, unknown> = {},
    sessionId = this.sessionId,
  ): Promise<{ name: string; c: Record<string, any> }> {
    const res = await this.raw({ V2G_Message: { Header: { SessionID: sessionId }, Body: { [`${body}Req`]: content } } });
    const b = bodyOf(res)!;
    if (b.name === 'SessionSetupRes') this.sessionId = b.sessionId;
    return { name: b.name, c: b.content };
  }

  private async raw(doc: Record<string, unknown>): Promise<Record<string, any>> {
    const grammar = this.grammar;
    await this.link.send(0x8001, encodeExi(grammar, doc));
    const r = await this.link.receive(5000);
    if (r.kind !== 'frame') throw new Error(`no answer: ${r.kind}`);
    return decodeExi(grammar, r.frame.payload) as Record<string, any>;
  }
}

const evStatus = { EVReady: true, EVErrorCode: 'NO_ERROR', EVRESSSOC: 50 };

/** SessionSetup … PreCharge at the battery's voltage, then charging at targetA for `cycles` CurrentDemand cycles. */
async function chargeSession(s: Script, clock: VirtualClock, battery: EmulatedBattery, targetA: number, cycles: number) {
  const batteryV = () => battery.batteryVoltageNowV();
  const din = s.grammar === 'din';
  const codes: string[] = [];
  const ok = (r: { name: string; c: Record<string, any> }) => (codes.push(`${r.name} ${r.c.ResponseCode}`), r.c);
  ok(await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' }));
  ok(await s.req('ServiceDiscovery'));
  const selected = { SelectedPaymentOption: 'ExternalPayment', SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };
  ok(await s.req(din ? 'ServicePaymentSelection' : 'PaymentServiceSelection', selected));
  while (ok(await s.req(din ? 'ContractAuthentication' : 'Authorization')).EVSEProcessing !== 'Finished') await clock.sleep(100);
  const ev = { DC_EVStatus: evStatus, EVMaximumCurrentLimit: physical(500, 'A'), EVMaximumVoltageLimit: physical(905, 'V') };
  const mode = din ? { EVRequestedEnergyTransferType: 'DC_extended' } : { RequestedEnergyTransferMode: 'DC_extended' };
  ok(await s.req('ChargeParameterDiscovery', { ...mode, DC_EVChargeParameter: ev }));
  let cc: Record<string, any>;
  while ((cc = ok(await s.req('CableCheck', { DC_EVStatus: evStatus }))).EVSEProcessing !== 'Finished') await clock.sleep(100);
  const isolation = cc.DC_EVSEStatus.EVSEIsolationStatus;
  const pre = { DC_EVStatus: evStatus, EVTargetVoltage: physical(batteryV(), 'V'), EVTargetCurrent: physical(1, 'A') };
  for (let n = 0; n < 100; n++) {
    const v = fromPhysical(ok(await s.req('PreCharge', pre)).EVSEPresentVoltage);
    if (Math.abs(v - batteryV()) < 20) break;
    await clock.sleep(100);
  }
  await battery.setOutput(true); // the vehicle's contactors close on the precharged inlet
  const start = din ? { ReadyToChargeState: true } : { ChargeProgress: 'Start', SAScheduleTupleID: 1 };
  ok(await s.req('PowerDelivery', { ...start, DC_EVPowerDeliveryParameter: { DC_EVStatus: evStatus, ChargingComplete: false } }));
  const demand = {
    DC_EVStatus: evStatus,
    EVTargetCurrent: physical(targetA, 'A'),
    ChargingComplete: false,
    EVTargetVoltage: physical(905, 'V'),
  };
  let present = 0;
  for (let n = 0; n < cycles; n++) {
    present = fromPhysical(ok(await s.req('CurrentDemand', demand)).EVSEPresentCurrent);
    await clock.sleep(100);
  }
  const stop = din ? { ReadyToChargeState: false } : { ChargeProgress: 'Stop', SAScheduleTupleID: 1 };
  ok(await s.req('PowerDelivery', { ...stop, DC_EVPowerDeliveryParameter: { DC_EVStatus: evStatus, ChargingComplete: true } }));
  await battery.setOutput(false);
  ok(await s.req('WeldingDetection', { DC_EVStatus: evStatus }));
  ok(await s.req('SessionStop', din ? {} : { ChargingSession: 'Terminate' }));
  return { codes, isolation, present };
}

describe('emulated CCS charger (DIN 70121 / ISO 15118-2 DC SECC), in-process', function () {
  for (const protocol of ['iso2', 'din'] as const) {
    it(`${protocol}: a whole DC session on the emulated power stage and battery, every answer OK`, async function () {
      const { clock, battery, charger, link } = await rig();
      const s = new Script(link);
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
    let { link, charger } = await rig();
    let s = new Script(link);
    await s.sap([[NAMESPACE_ISO2, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    const out = await s.req('PowerDelivery', { ChargeProgress: 'Start', SAScheduleTupleID: 1 });
    expect(out.c.ResponseCode).to.equal('FAILED_SequenceError');
    await charger.settled();
    expect(charger.results[0].reason).to.equal('failed-response');
    ({ link, charger } = await rig());
    s = new Script(link);
    await s.sap([[NAMESPACE_DIN, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    expect((await s.req('ServiceDiscovery', {}, '0102030405060708')).c.ResponseCode).to.equal('FAILED_UnknownSession');
  });

  it('answers Failed_NoNegotiation when only a protocol it does not offer is offered', async function () {
    const { link, charger } = await rig([], ['iso2']);
    const res = await new Script(link).sap([[NAMESPACE_DIN, 1]]);
    expect(res.ResponseCode).to.equal('Failed_NoNegotiation');
    await charger.settled();
    expect(charger.results[0].reason).to.equal('failed-response');
  });

  it(`fault ${CCS_FAULT.sequenceErrorMissing}: the out-of-order request is answered OK`, async function () {
    const { link } = await rig([CCS_FAULT.sequenceErrorMissing]);
    const s = new Script(link);
    await s.sap([[NAMESPACE_ISO2, 1]]);
    await s.req('SessionSetup', { EVCCID: '0A0B0C0D0E0F' });
    expect((await s.req('PowerDelivery', { ChargeProgress: 'Start', SAScheduleTupleID: 1 })).c.ResponseCode).to.equal('OK');
  });
});
