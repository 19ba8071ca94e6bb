// A scripted CCS vehicle for the emulated CCS charger's own tests: the charger on the emulated power stage and
// battery in-process (memory link, virtual clock), and a vehicle that sends one DIN / -2 request at a time and
// records every answer with its response time, and the inlet's samples over the session.

import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { decodeExi, encodeExi } from '../../drivers/exi/index.ts';
import type { MessageLink } from '../../drivers/iso15118/evcc/link.ts';
import { NAMESPACE_DIN } from '../../drivers/iso15118/evcc/messages.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { EmulatedCcsCharger } from '../../emulator/ccs/charger.ts';
import { bodyOf, fromPhysical, physical, type CcsProtocol } from '../../emulator/ccs/ccs-protocol.ts';
import { ccsPowerStageFaults } from '../../emulator/ccs/faults.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';

export const RATINGS = { maxVoltageV: 1000, minVoltageV: 150, maxCurrentA: 500, maxPowerW: 400_000 };

/** What each rig of the running test must stop: its charger, battery and auto-advancing clock keep the process alive. */
const openRigs: Array<() => Promise<void>> = [];

/** Stop every rig made since the last call (each test file: `afterEach(closeRigs)`). */
export async function closeRigs(): Promise<void> {
  for (const close of openRigs.splice(0)) await close();
}

export async function rig(faults: string[] = [], protocols?: CcsProtocol[]) {
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
  openRigs.push(async () => {
    await charger.close();
    await battery.close();
    clock.stopAutoAdvance();
  });
  return { clock, timeline, battery, charger, link: charger.connect('ev') };
}

/** A scripted vehicle: one request, its answer decoded (the grammar the handshake selected). */
export class Script {
  grammar: 'app' | CcsProtocol = 'app';
  sessionId = '00';
  /** Every answer: body name, content, response time (clock ms), and when it came (clock ns). */
  readonly answers: Array<{ name: string; c: Record<string, any>; ms: number; atNs: number }> = [];
  constructor(
    private readonly link: MessageLink,
    private readonly clock: VirtualClock,
  ) {}

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
    const t0 = this.clock.nowMs();
    const res = await this.raw({ V2G_Message: { Header: { SessionID: sessionId }, Body: { [`${body}Req`]: content } } });
    const b = bodyOf(res)!;
    if (b.name === 'SessionSetupRes') this.sessionId = b.sessionId;
    this.answers.push({ name: b.name, c: b.content, ms: this.clock.nowMs() - t0, atNs: this.clock.now() });
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

/**
 * SessionSetup … PreCharge at the battery's voltage, then charging at targetA for `cycles` CurrentDemand cycles,
 * the stop (contactors open `openAfterStopMs` after it) and SessionStop; the inlet's samples from the start.
 */
export async function chargeSession(
  s: Script,
  clock: VirtualClock,
  battery: EmulatedBattery,
  targetA: number,
  cycles: number,
  openAfterStopMs = 0,
) {
  const samples = battery.bus.tap();
  const marks = { preChargeNs: 0, startNs: 0, stopNs: 0 };
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
  marks.preChargeNs = clock.now();
  for (let n = 0; n < 100; n++) {
    const v = fromPhysical(ok(await s.req('PreCharge', pre)).EVSEPresentVoltage);
    if (Math.abs(v - batteryV()) < 20) break;
    await clock.sleep(100);
  }
  marks.startNs = clock.now();
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
  marks.stopNs = clock.now();
  ok(await s.req('PowerDelivery', { ...stop, DC_EVPowerDeliveryParameter: { DC_EVStatus: evStatus, ChargingComplete: true } }));
  await clock.sleep(openAfterStopMs);
  await battery.setOutput(false);
  ok(await s.req('WeldingDetection', { DC_EVStatus: evStatus }));
  ok(await s.req('SessionStop', din ? {} : { ChargingSession: 'Terminate' }));
  return { codes, isolation, present, marks, samples: samples() };
}
