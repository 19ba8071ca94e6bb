// Shared evidence helpers of the GB/T 27930 suite: everything is read back from the timeline (decoded
// 'gbt' events of the vehicle's BMS, the battery emulator's sample blocks), never from driver state.

import type { Bench } from '../../benches/bench.ts';
import type { Limit } from '../../drivers/core/limits.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { GBT_BMS_KIND, type GbtBmsResource } from '../../benches/kinds/gbt27930-bms.ts';
import type { GbtEventData } from '../../drivers/gbt27930/link.ts';
import type { GbtCode } from '../../drivers/gbt27930/messages.ts';
import { formatDecodedSession } from '../../drivers/gbt27930/trace-decode.ts';
import { isBatteryEmulator, type BatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { check, type Violation } from '../../reports/evidence.ts';
import { registerTestAttacher } from '../../runner/attachers.ts';
import { BMS_ADDRESS } from '../../drivers/gbt27930/ids.ts';
import { stopTimeBudgetS, timeToFallBelow, type Series } from '../support/trace-analysis.ts';
import { measure } from '../../reports/evidence.ts';
import { precondition } from '../support/power-trace.ts';
import type { GbtTest } from './fixture.ts';
import { measureTiming } from './timing.ts';

export const gbtLimits = Limits.load('gbt27930');

export type GbtEvent = TimelineEvent<GbtEventData>;

export function bmsOf(bench: Bench): GbtBmsResource {
  const bms = bench.find<GbtBmsResource>(GBT_BMS_KIND);
  if (!bms)
    throw new BenchFault(
      `the bench has no '${GBT_BMS_KIND}' resource: add one (see benches/kinds/gbt27930-bms.ts) to run the gbt27930 suite`,
    );
  return bms;
}

/**
 * Decoded GB/T messages the BMS sent (tx) or received (rx) since seq `after`. When a new session started
 * inside the window (the charger's CHM, or CRM from a charger without CHM), what the charger sent before
 * it belongs to the previous session (its CEM/CST/CSD may still be on the bus) and is left out.
 */
export function messages(bench: Bench, bms: GbtBmsResource, after: number, dir?: 'tx' | 'rx', code?: GbtCode): GbtEvent[] {
  const all = (bench.timeline.query({ kind: 'gbt', source: bms.source, afterSeq: after }) as GbtEvent[]).filter(
    (e) => !e.data.error && !e.data.undelivered,
  );
  const start = all.find((e) => e.data.dir === 'rx' && (e.data.code === 'CHM' || e.data.code === 'CRM'));
  return all.filter(
    (e) =>
      (dir === undefined || e.data.dir === dir) &&
      (code === undefined || e.data.code === code) &&
      !(start && e.data.dir === 'rx' && e.t < start.t),
  );
}

export function first(events: GbtEvent[], pred: (e: GbtEvent) => boolean = () => true): GbtEvent | undefined {
  return events.find(pred);
}

export function value(e: GbtEvent | undefined, field: string): unknown {
  return e?.data.values?.[field];
}

/** ms between two clock-ns times; Infinity when the later one never happened (so any hi limit fails). */
export function msBetween(fromNs: number | undefined, toNs: number | undefined): number {
  if (fromNs === undefined || toNs === undefined) return Number.POSITIVE_INFINITY;
  return (toNs - fromNs) / 1e6;
}

/** Intervals (ms) between consecutive frames. */
export function intervalsMs(events: GbtEvent[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < events.length; i++) out.push((events[i].t - events[i - 1].t) / 1e6);
  return out;
}

/** A limit derived from two profile limits (e.g. the standard's timeout + our allowance), keeping clause and verification honest. */
export function derivedLimit(base: Limit, bounds: { lo?: number; hi?: number }, extra: Limit, note: string): Limit {
  return {
    ...bounds,
    unit: base.unit,
    clause: base.clause,
    source: `${base.source}; ${extra.source}`,
    verified: base.verified && extra.verified,
    note,
  };
}

/** The battery emulator that is this BMS's battery (on a bench with several, the one named in its `battery` setting). */
export function analyser(bench: Bench, bms: GbtBmsResource): BatteryEmulator | undefined {
  if (!bms.battery) return undefined;
  const r = bench.resource(bms.battery);
  return isBatteryEmulator(r) ? r : undefined;
}

/**
 * The output current over [fromNs, toNs] as a series in seconds (t relative to fromNs): measured samples
 * when the bench has a power analyser, else what the charger reports in CCS (with `source` saying which).
 */
export async function currentSeries(
  bench: Bench,
  bms: GbtBmsResource,
  after: number,
  fromNs: number,
  toNs: number,
): Promise<{ series: Series; source: string }> {
  const a = analyser(bench, bms);
  if (a) {
    await a.flush();
    const s = bench.timeline.samples('currentA', { source: a.source, from: fromNs, to: toNs });
    if (s.t.length > 10) return { series: { tS: s.t.map((t) => (t - fromNs) / 1e9), y: s.v }, source: `${a.name} samples` };
  }
  return { series: ccsSeries(bench, bms, after, fromNs, toNs), source: CCS_SOURCE };
}

/** What the current series is when it comes from the charger's CCS frames (stamped by us on receive). */
export const CCS_SOURCE = 'CCS reported current';

export function ccsSeries(bench: Bench, bms: GbtBmsResource, after: number, fromNs: number, toNs: number): Series {
  const ccs = messages(bench, bms, after, 'rx', 'CCS').filter((e) => e.t >= fromNs && e.t <= toNs);
  return { tS: ccs.map((e) => (e.t - fromNs) / 1e9), y: ccs.map((e) => Number(value(e, 'outputCurrentA'))) };
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/** Wait on the bench clock until pred() holds or timeoutMs passed; returns whether it held. */
export async function until(bench: Bench, pred: () => boolean, timeoutMs: number, pollMs = 10): Promise<boolean> {
  const end = bench.clock.nowMs() + timeoutMs;
  while (!pred()) {
    if (bench.clock.nowMs() >= end) return false;
    await bench.clock.sleep(pollMs);
  }
  return true;
}

/**
 * Wait up to timeoutMs for this session's first `code` message in `dir` that matches `pred`; undefined when none
 * came by then (the caller decides whether that is a verdict or a broken precondition).
 */
export async function awaitFirst(
  t: GbtTest,
  dir: 'tx' | 'rx',
  code: GbtCode,
  timeoutMs: number,
  pred: (e: GbtEvent) => boolean = () => true,
): Promise<GbtEvent | undefined> {
  const find = () => first(messages(t.bench, t.bms, t.after, dir, code), pred);
  await until(t.bench, () => find() !== undefined, timeoutMs);
  return find();
}

/**
 * The vehicle's own message `code` as it went on the wire: what a stop/pause check is timed from. Not sent (the
 * session never reached the phase that sends it) means the check cannot judge: broken, not a TypeError.
 */
export async function awaitSent(t: GbtTest, code: GbtCode, timeoutMs: number, pred?: (e: GbtEvent) => boolean): Promise<GbtEvent> {
  const sent = await awaitFirst(t, 'tx', code, timeoutMs, pred);
  if (!sent)
    throw new BenchFault(`precondition not met: the vehicle sent ${code} — none on the wire; the check could not judge the charger`);
  return sent;
}

// The decoded GB/T session of every test (the vehicle BMS's view), next to the root hooks' can.log.
registerTestAttacher(['gbt'], (events) => {
  const mine = events.filter((e) => {
    if (e.kind !== 'gbt') return false;
    const d = e.data as GbtEventData;
    return (d.dir === 'tx' && d.sa === BMS_ADDRESS) || (d.dir === 'rx' && d.da === BMS_ADDRESS);
  });
  if (!mine.length) return undefined;
  const text = formatDecodedSession(mine.map((e) => ({ t: e.t, ...(e.data as GbtEventData) })));
  return { name: 'gbt27930-session.txt (decoded)', content: text, contentType: 'text/plain', fileExtension: 'txt' };
});

/**
 * Plug in and run the sequence to charging. Where the sequence is what the test judges (`judged`), a charger that does
 * not get there fails it (protocol); for every other test charging is its precondition: not reached, the test is
 * broken at once (its own checks cannot judge, and waiting for what a session that never charged would send only
 * runs out the test's time).
 */
export async function startCharging(bench: Bench, bms: GbtBmsResource, judged = false): Promise<number> {
  const r = await bms.session.startCharging();
  if (!judged) {
    precondition('the session reached the charging phase', r.ok, r.ok ? 'charging' : (r.reason ?? r.state));
    return r.to;
  }
  check('the session reaches the charging phase', r.ok, {
    violation: 'protocol',
    clause: 'GB/T 27930-2015 Fig. A.6 (charging sequence)',
    verified: false,
    expected: 'charging',
    actual: r.reason ?? r.state,
  });
  return r.to;
}

/** Ask for currentA and wait until the charger can have settled there (ΔI / minimum slope + margin). */
export async function settleAt(
  bench: Bench,
  bms: GbtBmsResource,
  currentA: number,
  fromA = 0,
): Promise<{ stepNs: number; settledNs: number }> {
  const step = bms.session.requestCurrent(currentA);
  const waitMs = (Math.abs(currentA - fromA) / gbtLimits.num('current.minRampAps')) * 1000 + gbtLimits.num('current.settleMarginMs');
  await bench.clock.sleep(waitMs);
  return { stepNs: step.from, settledNs: bench.clock.now() };
}

/** Poll (on the bench clock) until the output current has fallen below `level`; true if it did in time. */
export async function waitCurrentBelow(
  bench: Bench,
  bms: GbtBmsResource,
  after: number,
  fromNs: number,
  level: number,
  timeoutMs: number,
): Promise<boolean> {
  const end = bench.clock.nowMs() + timeoutMs;
  for (;;) {
    const { series } = await currentSeries(bench, bms, after, fromNs, bench.clock.now());
    const n = series.y.length;
    if (n > 0 && mean(series.y.slice(Math.max(0, n - 5))) < level) return true;
    if (bench.clock.nowMs() >= end) return false;
    await bench.clock.sleep(50);
  }
}

/**
 * Poll until the output current (mean of its last 500 ms, the window a step's start level is taken from) is
 * within tolA of levelA; true if it got there in time. A precondition helper: how fast it gets there is
 * judged elsewhere, on the step itself.
 */
export async function waitCurrentNear(t: GbtTest, levelA: number, tolA: number, timeoutMs: number): Promise<boolean> {
  const { bench, bms, after } = t;
  const end = bench.clock.nowMs() + timeoutMs;
  for (;;) {
    const now = bench.clock.now();
    const { series } = await currentSeries(bench, bms, after, now - 500e6, now);
    if (series.y.length > 0 && Math.abs(mean(series.y) - levelA) <= tolA) return true;
    if (bench.clock.nowMs() >= end) return false;
    await bench.clock.sleep(50);
  }
}

/**
 * Judge the fall of the output current after a stop event at `eventNs` (GB/T 34657.1 6.3.2.5.4). Timed on
 * the analyser's samples when there are some; on CCS stamps (ours) it carries the harness latency.
 */
export async function judgeStopRate(t: GbtTest, eventNs: number, what: string, violation: Violation = 'safety'): Promise<void> {
  const { bench, bms, after } = t;
  const level = gbtLimits.get('stop.currentBelowA').hi!;
  const budgetMs = gbtLimits.num('stop.afterBstMs');
  await waitCurrentBelow(bench, bms, after, eventNs, level, budgetMs);
  const fromNs = eventNs - 300e6; // I0 from the 300 ms before the event
  const { series, source } = await currentSeries(bench, bms, after, fromNs, bench.clock.now());
  const eventS = 0.3;
  const before = series.y.filter((_, k) => series.tS[k] < eventS && series.tS[k] >= eventS - 0.2);
  const i0 = mean(before);
  const fallStartS = timeToFallBelow(series, eventS, i0 - gbtLimits.num('stop.fallStartDropA'));
  const belowS = timeToFallBelow(series, eventS, level);
  const budget = stopTimeBudgetS(i0, { minS: gbtLimits.num('stop.minFallBudgetMs') / 1000, rateAps: gbtLimits.get('stop.minRateAps').lo! });
  const fallMs = fallStartS === undefined || belowS === undefined ? Number.POSITIVE_INFINITY : (belowS - fallStartS) * 1000;
  const limit = derivedLimit(
    gbtLimits.get('stop.minRateAps'),
    { hi: budget * 1000 },
    gbtLimits.get('stop.minFallBudgetMs'),
    `budget max(1 s, I0 / 100 A/s) = ${(budget * 1000).toFixed(0)} ms`,
  );
  const name = `${what}: fall from I0−0.5 A to < ${level} A (I0 = ${i0.toFixed(1)} A, ${source})`;
  if (source === CCS_SOURCE) measureTiming(t, name, fallMs, limit, { violation, unit: 'ms' });
  else measure(name, fallMs, limit, { violation, unit: 'ms' });
}
