// Shared helpers of the MCS current-ramp and safety suites: find the vehicle, its battery emulator (the
// instrument the trace comes from) and, on the emulator, the charger's power stage; start a charge at a
// known request; read the window back from the timeline as a PowerTrace; attach its plot and CSV.
// Everything judged comes from the timeline and the limit profile (fixtures/limits/iec61851-23-3.yaml).

import type { Bench } from '../../benches/bench.ts';
import type { Resource } from '../../benches/registry.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import { ISO15118_EV_KIND, type Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { isBatteryEmulator, BATTERY_EMULATOR_KINDS, type BatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { attachText } from '../../reports/evidence.ts';
import { PowerTrace, usePowerAssertions, type RequestPoint } from '../support/power-assertions.ts';
import { meanOver } from '../support/trace-analysis.ts';

usePowerAssertions();

export const EPIC = 'IEC 61851-23-3';
export const POWER_PROFILE = 'iec61851-23-3';

export interface PowerRig {
  bench: Bench;
  vehicle: Iso15118Vehicle;
  battery: BatteryEmulator;
  /** The emulated charger's power stage (undefined on a physical charger). */
  stage: PowerStage | undefined;
  limits: Limits;
}

/** The ramp/safety limits: the bench's profile when it carries them, else the MCS profile. */
export function powerLimits(bench: Bench): Limits {
  return bench.limits.has('ramp.minSlopeAps') ? bench.limits : Limits.load(POWER_PROFILE);
}

export function powerRig(bench: Bench): PowerRig {
  const vehicle = bench.find<Iso15118Vehicle & Resource>(ISO15118_EV_KIND);
  if (!vehicle) throw new BenchFault(`the bench has no '${ISO15118_EV_KIND}' resource: the ramp and safety suites need the vehicle`);
  const named = vehicle.settings.battery ? bench.resources.get(vehicle.settings.battery) : undefined;
  if (!named || !isBatteryEmulator(named))
    throw new BenchFault(
      `vehicle '${vehicle.name}' has no battery emulator ('battery:' in its bench entry, one of ${BATTERY_EMULATOR_KINDS.join(' / ')}): ` +
        'the ramp and safety suites measure the current and voltage it samples, and close the vehicle contactors through it',
    );
  const charger = bench.find<Resource & { power?: unknown }>('emulated-mcs-charger');
  const stage = charger?.power instanceof PowerStage ? charger.power : undefined;
  return { bench, vehicle, battery: named, stage, limits: powerLimits(bench) };
}

export function s(ns: number): number {
  return ns / 1e9;
}

/** Start charging and hold the request at currentA (0 by default) until the charge loop has run a moment. */
export async function startCharging(rig: PowerRig, currentA = 0, settleMs = 1000): Promise<ChargingSession> {
  const charging = await rig.vehicle.startCharging();
  charging.requestCurrent(currentA);
  await rig.bench.clock.sleep(settleMs);
  return charging;
}

/** Change the request; resolves with the time the first loop carrying it went out (the step time). */
export async function stepTo(rig: PowerRig, charging: ChargingSession, currentA: number): Promise<number> {
  const { atNs } = charging.requestCurrent(currentA);
  const period = rig.vehicle.timers.EVCC_ChargeLoop_Period;
  for (let k = 0; k < 100; k++) {
    const hit = charging.loops.find((l) => l.atNs >= atNs && l.targetA === currentA);
    if (hit) return s(hit.atNs);
    if (!charging.running) break;
    await rig.bench.clock.sleep(period / 2);
  }
  throw new BenchFault(`the vehicle did not send the ${currentA} A request within 50 charge-loop periods${charging.error ? `: ${charging.error.message}` : ''}`);
}

/**
 * Wait until the measured current is steady (two consecutive 1 s means within tolA / 2), bounded by maxS.
 * Returns the time it became steady (s). A charger that never settles is judged by the assertions after.
 */
export async function waitSteady(rig: PowerRig, tolA: number, maxS: number): Promise<number> {
  const clock = rig.bench.clock;
  const end = s(clock.now()) + maxS;
  await clock.sleep(2000);
  while (s(clock.now()) < end) {
    await rig.battery.flush();
    const now = s(clock.now());
    const tr = rig.bench.timeline.samples('currentA', { source: rig.battery.source, from: (now - 2.1) * 1e9 });
    const series = { tS: tr.t.map(s), y: tr.v };
    const a = meanOver(series, now - 2, now - 1);
    const b = meanOver(series, now - 1, now);
    if (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) < tolA / 2) return now;
    await clock.sleep(500);
  }
  return s(clock.now());
}

/** The vehicle's requests (target current changes) from its charge-loop records since fromS. */
export function loopRequests(charging: ChargingSession, fromS: number): RequestPoint[] {
  const out: RequestPoint[] = [];
  for (const l of charging.loops) {
    if (s(l.atNs) < fromS - 1) continue;
    if (!out.length || out[out.length - 1].currentA !== l.targetA) out.push({ tS: s(l.atNs), currentA: l.targetA });
  }
  return out;
}

/** What the charger reported (EVSEPresentCurrent / Voltage) in each loop between fromS and toS. */
export function reportedPresent(charging: ChargingSession, fromS: number, toS: number): { tS: number; currentA: number; voltageV: number }[] {
  return charging.loops
    .filter((l) => Number.isFinite(l.presentA) && s(l.atNs) >= fromS && s(l.atNs) <= toS)
    .map((l) => ({ tS: s(l.atNs) + (Number.isFinite(l.responseMs) ? l.responseMs / 1000 : 0), currentA: l.presentA, voltageV: l.presentV }));
}

/** Flush the instrument and read the window [fromS, now] back from the timeline. */
export async function traceSince(rig: PowerRig, fromS: number, title: string, requests: RequestPoint[] = []): Promise<PowerTrace> {
  await rig.battery.flush();
  const r = rig.bench.config.charger.ratings;
  return PowerTrace.fromTimeline(rig.bench.timeline, {
    source: rig.battery.source,
    fromNs: fromS * 1e9,
    title,
    requests,
    limits: rig.limits,
    declared: { currentToleranceA: r.currentToleranceA, currentTolerancePct: r.currentTolerancePct },
  });
}

/** Run a test body with its trace; the plot and CSV are attached whether the body passed or failed. */
export async function withTrace(holder: { trace?: PowerTrace }, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await holder.trace?.attachEvidence();
  }
}

/** First time (s) after fromS a power-stage 'state' event says the output is disabled (emulator only). */
export function outputOffTime(bench: Bench, fromS: number): number | undefined {
  const e = bench.timeline.query({ kind: 'power', from: fromS * 1e9 }).find((x) => x.data.event === 'state' && x.data.outputEnabled === false);
  return e ? s(e.t) : undefined;
}

/** First time (s) after fromS the emulated charger's power stage entered a state (emulator only). */
export function stageStateTime(bench: Bench, state: string, fromS: number): number | undefined {
  const e = bench.timeline.query({ kind: 'power', from: fromS * 1e9 }).find((x) => x.data.event === 'state' && x.data.state === state);
  return e ? s(e.t) : undefined;
}

/** First time (s) after fromS the vehicle's CE left state C. */
export function ceExitTime(bench: Bench, fromS: number): number | undefined {
  const e = bench.timeline.query({ kind: 'pilot', from: fromS * 1e9 }).find((x) => x.data.signal === 'CE' && x.data.previous === 'C' && x.data.state !== 'C');
  return e ? s(e.t) : undefined;
}

/** When the vehicle's contactors closed / opened (the battery emulator output), from the instrument records. */
export function contactorTimes(bench: Bench, battery: BatteryEmulator, fromS: number, on: boolean): number[] {
  return bench.timeline
    .query({ kind: 'instrument', source: battery.source, from: fromS * 1e9 })
    .filter((e) => (e.data.command === 'output' && e.data.on === on) || (e.data.dir === 'out' && String(e.data.text).toUpperCase() === (on ? 'OUTP ON' : 'OUTP OFF')))
    .map((e) => s(e.t));
}

/** The time (s) a V2G request of this name went out, first after fromS. */
export function requestSentTime(bench: Bench, vehicle: Iso15118Vehicle, message: string, fromS: number, pred: (doc: any) => boolean = () => true): number | undefined {
  const e = bench.timeline
    .query({ kind: 'v2g', source: vehicle.name, from: fromS * 1e9 })
    .find((x) => x.data.dir === 'tx' && x.data.message === message && pred((x.data as { doc?: unknown }).doc));
  return e ? s(e.t) : undefined;
}

/** Dangerous tests only with the bench's interlock flag; otherwise skip, saying why. */
export function requireInterlock(ctx: Mocha.Context, what: string): void {
  if (ctx.bench.config.safety.interlock) return;
  attachText('skipped', `${what} deliberately creates a hazard; it runs only on a bench with safety.interlock: true (bench file ${ctx.bench.config.file}).`);
  ctx.skip();
}

/** A charger-side action only the emulated charger offers; on a physical charger the test is skipped with the reason. */
export function requireStage(ctx: Mocha.Context, rig: PowerRig, what: string): PowerStage {
  if (rig.stage) return rig.stage;
  attachText('skipped', `${what} needs a way to command the charger under test (the emulated charger's power stage); this bench's charger has none.`);
  ctx.skip();
}
