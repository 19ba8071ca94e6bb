// An in-process GB/T bench for the harness's own tests: vehicle BMS and emulated charger on one CAN
// channel (virtual bus, or two socketcand clients of our hub), the charger's power stage on the emulated
// battery's DC bus, all on one clock and one timeline.

import { VirtualClock, type Clock } from '../../drivers/core/clock.ts';
import { Timeline, type TimelineEvent } from '../../drivers/core/timeline.ts';
import type { HarnessLatency } from '../../drivers/core/harness-latency.ts';
import type { CanTransport } from '../../drivers/can/transport.ts';
import { openVirtualCan } from '../../drivers/can/virtual-bus.ts';
import { J1939Tp } from '../../drivers/can/j1939-tp.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { GbtLink, type GbtEventData } from '../../drivers/gbt27930/link.ts';
import { BmsSession } from '../../drivers/gbt27930/bms-session.ts';
import { bmsProfileFromVehicle, type BmsProfile } from '../../drivers/gbt27930/bms-profile.ts';
import { BMS_ADDRESS, CHARGER_ADDRESS } from '../../drivers/gbt27930/ids.ts';
import { loadGbtTiming } from '../../drivers/gbt27930/timing.ts';
import { GbtCharger } from '../../emulator/gbt/gbt-charger.ts';
import { gbtPowerStageParams } from '../../emulator/gbt/faults.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { withRigClose } from '../support/rig-close.ts';

let channelSeq = 0;

export interface Rig {
  clock: Clock;
  timeline: Timeline;
  bms: BmsSession;
  charger: GbtCharger;
  battery: EmulatedBattery;
  stage: PowerStage;
  close(): Promise<void>;
}

export interface RigOptions {
  faults?: string[];
  profile?: Partial<BmsProfile>;
  /** Transports to use instead of a fresh virtual channel (e.g. socketcand clients of the hub). */
  transports?: { vehicle: CanTransport; charger: CanTransport };
  /** Default: a virtual clock that advances whenever the process is idle. TCP transports need a RealClock. */
  clock?: Clock;
  insulationTestMs?: number;
  /** Where the BMS records the harness's own latency. */
  latency?: HarnessLatency;
}

/** One node's link on the standard addresses (BMS 0xF4 ↔ charger 0x56), with its own transport protocol. */
export function gbtTestLink(node: 'bms' | 'charger', transport: CanTransport, clock: Clock, timeline: Timeline, source: string = node) {
  const [sa, da] = node === 'bms' ? [BMS_ADDRESS, CHARGER_ADDRESS] : [CHARGER_ADDRESS, BMS_ADDRESS];
  return new GbtLink({ transport, clock, timeline, source, sa, da, tp: new J1939Tp({ transport, clock, sa, timeline }) });
}

export async function openRig(o: RigOptions = {}): Promise<Rig> {
  const clock: Clock = o.clock ?? new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const faults = new Set(o.faults ?? []);
  const channel = `gbt-test-${process.pid}-${++channelSeq}`;
  const vCan = o.transports?.vehicle ?? openVirtualCan(channel, { clock, timeline, source: 'vehicle-can' });
  const cCan = o.transports?.charger ?? openVirtualCan(channel, { clock, timeline, source: 'charger-can' });
  const timing = loadGbtTiming();
  const vehicle = loadVehicleProfile('truck-lfp-620kwh');
  const battery = new EmulatedBattery('battery', clock, timeline, vehicle, {});
  await battery.startStreaming();
  const stage = new PowerStage({
    clock,
    timeline,
    bus: battery.bus,
    faults,
    source: 'power-stage',
    params: gbtPowerStageParams(faults),
    ratings: { maxVoltageV: 1000, minVoltageV: 150, maxCurrentA: 400, maxPowerW: 400e3 },
  });
  const bmsLink = gbtTestLink('bms', vCan, clock, timeline);
  const chgLink = gbtTestLink('charger', cCan, clock, timeline, 'gbt-charger');
  const bms = new BmsSession({
    link: bmsLink,
    clock,
    timeline,
    source: 'bms',
    timing,
    profile: bmsProfileFromVehicle(vehicle, { initialCurrentA: 100, ...o.profile }),
    contactors: (closed) => battery.setOutput(closed),
    batteryVoltage: () => battery.batteryVoltageV(),
    latency: o.latency,
  });
  const charger = new GbtCharger({
    link: chgLink,
    clock,
    timeline,
    source: 'gbt-charger',
    timing,
    stage,
    faults,
    ratings: { maxVoltageV: 1000, minVoltageV: 150, maxCurrentA: 400 },
    insulationTestMs: o.insulationTestMs ?? 2000,
  });
  charger.start();
  const rig = { clock, timeline, bms, charger, battery, stage };
  return withRigClose(rig, [bms, charger, bmsLink, chgLink, battery, vCan, cCan]);
}

/** Decoded GB/T messages on the timeline, as one side saw them. */
export function gbtEvents(timeline: Timeline, source: string, dir: 'tx' | 'rx', code?: string): TimelineEvent<GbtEventData>[] {
  return (timeline.query({ kind: 'gbt', source }) as TimelineEvent<GbtEventData>[]).filter(
    (e) => e.data.dir === dir && (code === undefined || e.data.code === code),
  );
}

export type { Clock };
