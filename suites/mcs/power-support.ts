// Shared helpers of the MCS current-ramp and safety suites: find the vehicle, its battery emulator and the
// power analyser (the instrument the trace comes from), and — where the bench has one — a way to command
// the charger; start a charge at a known request; read the window back from the timeline as a PowerTrace.
// Everything judged comes from what a real bench observes (the analyser's samples, the V2G messages on the
// timeline, the CE line, the battery emulator's records) and the limit profile; nothing from the charger's
// insides, so the emulator bench runs exactly the code a lab bench runs.

import type { Bench } from '../../benches/bench.ts';
import type { Resource } from '../../benches/registry.ts';
import { chargerControlOf, type ChargerControl } from '../../drivers/core/charger-control.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import { ISO15118_EV_KIND, type Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { BATTERY_EMULATOR_KINDS, isBatteryEmulator, type BatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { separateAnalyser, type PowerAnalyser } from '../../drivers/scpi/power-analyser.ts';
import { attachText } from '../../reports/evidence.ts';
import { PowerTrace, usePowerAssertions, type RequestPoint } from '../support/power-assertions.ts';
import { meanOver, smoothedMax, timeToFallBelow } from '../support/trace-analysis.ts';
import { currentTolerance, type CurrentTolerance } from '../support/current-tolerance.ts';

usePowerAssertions();

export const EPIC = 'IEC 61851-23-3';
export const POWER_PROFILE = 'iec61851-23-3';

export interface PowerRig {
  bench: Bench;
  vehicle: Iso15118Vehicle;
  /** The vehicle's battery and contactors. */
  battery: BatteryEmulator;
  /** Where the judged inlet samples come from: the bench's separate analyser, else the battery emulator. */
  analyser: PowerAnalyser;
  /** The bench's way to command the charger (site cap, charger stop, E-stop), where it has one. */
  control: ChargerControl | undefined;
  limits: Limits;
  /** The regulation tolerance in force and where it comes from (profile, or a bench-file deviation). */
  tolerance: CurrentTolerance;
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
  const control = [...bench.resources.values()].map(chargerControlOf).find((c) => c !== undefined);
  const limits = powerLimits(bench);
  return {
    bench,
    vehicle,
    battery: named,
    analyser: separateAnalyser(bench.resources.values()) ?? named,
    control,
    limits,
    tolerance: currentTolerance(limits, bench.config.charger.ratings, bench.config.file),
  };
}

export function s(ns: number): number {
  return ns / 1e9;
}

/**
 * Seconds back to clock ns for a timeline query. Rounded: ns → s → ns is not exact in floating point (2195.052 s
 * × 1e9 is 2195052000000.0002), and on a virtual clock the event a query looks for (the stop request, the contactor
 * opening) is often stamped at exactly the instant the window starts: `from` must not step past it.
 */
export function toNs(seconds: number): number {
  return Math.round(seconds * 1e9);
}

/** Start charging and hold the request at currentA (0 by default) until the charge loop has run a moment. */
export async function startCharging(rig: PowerRig, currentA = 0, settleMs = 1000): Promise<ChargingSession> {
  const charging = await rig.vehicle.startCharging();
  charging.requestCurrent(currentA);
  await rig.bench.clock.sleep(settleMs);
  return charging;
}

/**
 * Change the request; resolves with the time the first DC_ChargeLoopReq carrying it went out on the wire
 * (the step time). A request that never reached the wire is a bench fault: there is no step to judge.
 */
export async function stepTo(rig: PowerRig, charging: ChargingSession, currentA: number): Promise<number> {
  const { atNs } = charging.requestCurrent(currentA);
  const period = rig.vehicle.timers.EVCC_ChargeLoop_Period;
  for (let k = 0; k < 100; k++) {
    const onWire = requestSentTime(rig.bench, rig.vehicle, 'DC_ChargeLoopReq', s(atNs), (doc) => carriesCurrent(doc, currentA));
    if (onWire !== undefined) return onWire;
    if (!charging.running) break;
    await rig.bench.clock.sleep(period / 2);
  }
  throw new BenchFault(
    `no DC_ChargeLoopReq asking for ${currentA} A went out within 50 charge-loop periods` +
      (charging.error ? `: ${charging.error.message}` : ''),
  );
}

/**
 * Wait until the measured current is steady at the request (two consecutive 1 s means within half the
 * tolerance of each other, the last within the tolerance of requestA), bounded by maxS. A current that has
 * not started yet is flat too: it must not count as steady. Returns the time (s); a charger that never gets
 * there is judged (or found not judgeable) by the assertions after.
 */
export async function waitSteady(rig: PowerRig, requestA: number, maxS: number): Promise<number> {
  const tolA = rig.tolerance.toleranceA(requestA);
  const clock = rig.bench.clock;
  const end = s(clock.now()) + maxS;
  await clock.sleep(2000);
  while (s(clock.now()) < end) {
    await rig.analyser.flush();
    const now = s(clock.now());
    const tr = rig.bench.timeline.samples('currentA', { source: rig.analyser.source, from: (now - 2.1) * 1e9 });
    const series = { tS: tr.t.map(s), y: tr.v };
    const a = meanOver(series, now - 2, now - 1);
    const b = meanOver(series, now - 1, now);
    if (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) < tolA / 2 && Math.abs(b - requestA) <= tolA) return now;
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
export function reportedPresent(
  charging: ChargingSession,
  fromS: number,
  toS: number,
): { tS: number; currentA: number; voltageV: number }[] {
  return charging.loops
    .filter((l) => Number.isFinite(l.presentA) && s(l.atNs) >= fromS && s(l.atNs) <= toS)
    .map((l) => ({
      tS: s(l.atNs) + (Number.isFinite(l.responseMs) ? l.responseMs / 1000 : 0),
      currentA: l.presentA,
      voltageV: l.presentV,
    }));
}

/** Flush the analyser and read the window [fromS, now] back from the timeline. */
export async function traceSince(rig: PowerRig, fromS: number, title: string, requests: RequestPoint[] = []): Promise<PowerTrace> {
  await rig.analyser.flush();
  return PowerTrace.fromTimeline(rig.bench.timeline, {
    source: rig.analyser.source,
    fromNs: toNs(fromS),
    title,
    requests,
    limits: rig.limits,
    tolerance: rig.tolerance,
  });
}

/** One power test's state: the session its hooks stop afterwards and the trace attached as its evidence. */
export interface PowerTest {
  charging?: ChargingSession;
  trace?: PowerTrace;
}

/** The hooks every power suite needs: fresh state before each test, a session left running stopped after it. */
export function usePowerTest(): PowerTest {
  const test: PowerTest = {};
  beforeEach(function () {
    test.charging = undefined;
    test.trace = undefined;
  });
  afterEach(async function () {
    if (test.charging?.running) await test.charging.stop().catch(() => undefined);
  });
  return test;
}

/**
 * Start charging (kept in `test` for its hooks to stop), step to currentA and wait until steady, bounded by the
 * minimum slope from 0 to 4 × currentA plus extraS. Returns the session, the step time and the steady time (s).
 */
export async function chargeSteady(
  rig: PowerRig,
  test: PowerTest,
  currentA: number,
  extraS = 0,
): Promise<{ charging: ChargingSession; stepS: number; steadyS: number }> {
  const charging = (test.charging = await startCharging(rig));
  const stepS = await stepTo(rig, charging, currentA);
  const steadyS = await waitSteady(rig, currentA, (4 * currentA) / rig.limits.num('ramp.minSlopeAps') + extraS);
  return { charging, stepS, steadyS };
}

/** The trace since fromS with the vehicle's requests since then, kept in `test` as its evidence. */
export async function loopTrace(
  rig: PowerRig,
  test: PowerTest,
  charging: ChargingSession,
  fromS: number,
  title: string,
): Promise<PowerTrace> {
  return (test.trace = await traceSince(rig, fromS, title, loopRequests(charging, fromS)));
}

/** Run a test body with its trace; the plot and CSV are attached whether the body passed or failed. */
export async function withTrace(holder: { trace?: PowerTrace }, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await holder.trace?.attachEvidence();
  }
}

/** First time (s) after fromS the vehicle's CE left state C. */
export function ceExitTime(bench: Bench, fromS: number): number | undefined {
  const e = bench.timeline
    .query({ kind: 'pilot', from: toNs(fromS) })
    .find((x) => x.data.signal === 'CE' && x.data.previous === 'C' && x.data.state !== 'C');
  return e ? s(e.t) : undefined;
}

/** When the vehicle's contactors closed / opened (the battery emulator output), from the instrument records. */
export function contactorTimes(bench: Bench, battery: BatteryEmulator, fromS: number, on: boolean): number[] {
  const text = on ? 'OUTP ON' : 'OUTP OFF';
  return bench.timeline
    .query({ kind: 'instrument', source: battery.source, from: toNs(fromS) })
    .filter(
      (e) => (e.data.command === 'output' && e.data.on === on) || (e.data.dir === 'out' && String(e.data.text).toUpperCase() === text),
    )
    .map((e) => s(e.t));
}

/** The time (s) a V2G request of this name went out, first after fromS. */
export function requestSentTime(
  bench: Bench,
  vehicle: Iso15118Vehicle,
  message: string,
  fromS: number,
  pred: (doc: unknown) => boolean = () => true,
): number | undefined {
  const e = bench.timeline
    .query({ kind: 'v2g', source: vehicle.name, from: toNs(fromS) })
    .find((x) => x.data.dir === 'tx' && x.data.message === message && pred((x.data as { doc?: unknown }).doc));
  return e ? s(e.t) : undefined;
}

/** Does a DC_ChargeLoopReq document ask for this current (EVTargetCurrent, or EVMaximumChargeCurrent in Dynamic mode)? */
export function carriesCurrent(doc: unknown, currentA: number): boolean {
  const found: number[] = [];
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if ((k === 'EVTargetCurrent' || k === 'EVMaximumChargeCurrent') && v && typeof v === 'object' && 'Value' in v) {
        const r = v as { Value: number; Exponent?: number };
        found.push(r.Value * 10 ** (r.Exponent ?? 0));
      } else walk(v);
    }
  };
  walk(doc);
  return found.some((a) => Math.abs(a - currentA) < 0.5);
}

/** Dangerous tests only with the bench's interlock flag; otherwise skip, saying why. */
export function requireInterlock(ctx: Mocha.Context, what: string): void {
  if (ctx.bench.config.safety.interlock) return;
  attachText(
    'skipped',
    `${what} deliberately creates a hazard; it runs only on a bench with safety.interlock: true (bench file ${ctx.bench.config.file}).`,
  );
  ctx.skip();
}

/**
 * The most current this bench can take: its battery emulator's rating (as the unit reported it) and the bench
 * file's safety.maxCurrentA. A test whose request is above it is not applicable here: skipped, saying why.
 */
export function deliverableCurrentA(rig: PowerRig): number {
  return Math.min(rig.battery.ratings?.maxCurrentA ?? Infinity, rig.bench.config.safety.maxCurrentA ?? Infinity);
}

export function requireDeliverable(ctx: Mocha.Context, rig: PowerRig, currentA: number): void {
  const most = deliverableCurrentA(rig);
  if (currentA <= most) return;
  const why = `battery emulator '${rig.battery.name}' rating, safety.maxCurrentA`;
  attachText('skipped', `not applicable: the test needs ${currentA} A, this bench takes at most ${most} A (${why}).`);
  ctx.skip();
}

/** A charger-side action (site cap, charger stop, E-stop) needs the bench's charger control; else the test is skipped, saying why. */
export function requireControl(ctx: Mocha.Context, rig: PowerRig, what: string): ChargerControl {
  if (rig.control) return rig.control;
  attachText('skipped', `${what} needs a way to command the charger under test (a resource offering chargerControl); this bench has none.`);
  ctx.skip();
}

/**
 * Output off as a lab bench sees it after a stop: once the contactors opened, the inlet falls below the
 * safe voltage only if the charger's output is disabled (an enabled converter would hold it up).
 */
export function voltageOffTime(rig: PowerRig, tr: PowerTrace, openS: number | undefined): number | undefined {
  if (openS === undefined) return undefined;
  const t = timeToFallBelow(tr.voltage(), openS, rig.limits.get('stop.safeVoltageV').hi!);
  return t === undefined ? undefined : openS + t;
}

/**
 * Output off as a lab bench sees it with the battery still connected: the current fell below the stop
 * current after fromS and stayed there to the end of the window. A current that came back was only
 * regulated down (e.g. by the constant-voltage limit), not disabled: undefined.
 */
export function currentOffTime(rig: PowerRig, tr: PowerTrace, fromS: number): number | undefined {
  const stopA = rig.limits.num('stop.currentA');
  const t = timeToFallBelow(tr.current(), fromS, stopA);
  if (t === undefined) return undefined;
  const after = smoothedMax(tr.current(), fromS + t + 0.05, tr.endS);
  return after.max >= stopA ? undefined : fromS + t;
}
