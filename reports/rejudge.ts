// Re-judging a run from its raw data alone: each test's window of the run timeline (its start/end events,
// its measurements as they were recorded, the frames and messages it saw), the checks that can be decided
// offline re-deriving their values from those frames and messages, every numeric measurement judged again
// against its limit, and the test's verdict derived again — then compared with what the results say.
// Checks declare their nature next to themselves (registerOfflineCheck); a test without an offline check is
// re-judged from its recorded values (its values come from a live exchange that cannot be replayed).

import type { TimelineEvent } from '../drivers/core/timeline.ts';
import type { MeasurementRecord } from './evidence.ts';
import type { AllureStatus, RecordedTest } from './pctr-results.ts';
import { judge, type Outcome } from './uncertainty.ts';
import { INCONCLUSIVE_PREFIX } from './verdicts.ts';

/** A value an offline check derived from the raw events, under the name the live check recorded it. */
export interface DerivedValue {
  name: string;
  /** A number for measure()-style checks, a boolean verdict for check()-style ones. */
  value: number | boolean;
}

/**
 * A check decidable from recorded frames and messages alone. `derive` gets the test's window of the
 * timeline and the measurements it recorded (only for their time stamps and limits: which frames were
 * already there when the live check looked), and returns the values it re-derives.
 */
export interface OfflineCheck {
  testCaseId: string;
  nature: 'offline';
  /** What the check decides, for the verify/judge listing. */
  what: string;
  derive(window: TestWindow): DerivedValue[];
}

export interface TestWindow {
  title: string;
  requirement?: string;
  events: TimelineEvent[];
  measurements: MeasurementRecord[];
  /** The test-end record: mocha's state and the error message. */
  end?: { state?: string; error?: string };
}

const offlineChecks = new Map<string, OfflineCheck>();

export function registerOfflineCheck(c: OfflineCheck): void {
  offlineChecks.set(c.testCaseId, c);
}

export function offlineCheckFor(testCaseId: string): OfflineCheck | undefined {
  return offlineChecks.get(testCaseId);
}

/** Split the run timeline into test windows (runner 'test' start/end events). */
export function testWindows(events: readonly TimelineEvent[]): TestWindow[] {
  const out: TestWindow[] = [];
  let cur: TestWindow | undefined;
  for (const e of events) {
    const d = e.data as { event?: string; title?: string; state?: string; error?: string; requirement?: string };
    if (e.kind === 'test' && e.source === 'runner' && d.event === 'start') {
      cur = { title: String(d.title ?? ''), events: [], measurements: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    cur.events.push(e);
    if (e.kind === 'note' && e.source === 'evidence' && d.requirement && !cur.requirement) cur.requirement = d.requirement;
    if (e.kind === 'measurement' && e.source === 'evidence') cur.measurements.push(e.data as unknown as MeasurementRecord);
    if (e.kind === 'test' && e.source === 'runner' && d.event === 'end') {
      cur.end = { state: d.state, error: d.error };
      cur = undefined;
    }
  }
  return out;
}

export interface Rejudged {
  testCaseId: string;
  title: string;
  recorded: AllureStatus;
  derived: AllureStatus;
  /** How the values were obtained: re-derived offline, or the recorded ones re-judged. */
  basis: 'offline re-derivation' | 'recorded values re-judged' | 'no window';
  differences: string[];
}

/** Two recorded values are the same reading (floating-point noise aside). */
function same(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

function numeric(m: MeasurementRecord): number | undefined {
  if (m.lo === undefined && m.hi === undefined) return undefined; // a check(): no number to judge
  const v = typeof m.measured_value === 'number' ? m.measured_value : Number(m.measured_value);
  return Number.isNaN(v) ? undefined : v;
}

/** The outcome a measurement has when judged again from its value, limit and uncertainty. */
export function rejudgeMeasurement(m: MeasurementRecord, derived?: DerivedValue): Outcome {
  if (derived && typeof derived.value === 'boolean') return derived.value ? 'PASS' : 'FAIL';
  const v = derived ? (derived.value as number) : numeric(m);
  if (v === undefined) return m.outcome;
  const u = m.uncertainty !== undefined ? { value: m.uncertainty, source: m.uncertainty_source ?? '' } : undefined;
  return judge(v, { lo: m.lo, hi: m.hi }, u);
}

/** failed > broken (inconclusive, or a bench fault that stopped the test) > passed. */
export function verdictFrom(outcomes: Outcome[], end: TestWindow['end']): AllureStatus {
  if (outcomes.includes('FAIL')) return 'failed';
  if (outcomes.includes('INCONCLUSIVE')) return 'broken';
  // No measurement failed, yet the test did not pass: it could not judge (a bench fault, a precondition).
  if (end?.state === 'failed' && !end.error?.startsWith(INCONCLUSIVE_PREFIX)) return 'broken';
  if (end?.state === 'pending') return 'skipped';
  return 'passed';
}

export function rejudgeTest(t: RecordedTest, w: TestWindow | undefined): Rejudged {
  const base = { testCaseId: t.testCaseId, title: t.name, recorded: t.status };
  if (!w) return { ...base, derived: 'unknown', basis: 'no window', differences: ['the timeline has no window for this test'] };
  const diffs: string[] = [];
  const check = offlineCheckFor(t.testCaseId);
  const derivedValues = check ? safeDerive(check, w, diffs) : [];
  const byName = new Map(derivedValues.map((d) => [d.name, d]));
  const outcomes: Outcome[] = [];
  for (const m of w.measurements) {
    const d = byName.get(m.name);
    if (d && typeof d.value === 'number') {
      const rec = numeric(m) ?? Number(m.measured_value);
      if (!same(d.value, rec)) diffs.push(`${m.name}: recorded ${m.measured_value}, re-derived ${d.value}`);
    }
    const o = rejudgeMeasurement(m, d);
    if (o !== m.outcome) diffs.push(`${m.name}: recorded ${m.outcome}, re-judged ${o}`);
    outcomes.push(o);
  }
  for (const d of derivedValues)
    if (!w.measurements.some((m) => m.name === d.name))
      diffs.push(`${d.name}: re-derived offline, but the test recorded no such measurement`);
  // The results' measurements.json must be the ones on the timeline.
  const recordedNames = t.measurements.map((m) => `${m.name}=${m.outcome}`).join('|');
  const timelineNames = w.measurements.map((m) => `${m.name}=${m.outcome}`).join('|');
  if (t.measurements.length && recordedNames !== timelineNames)
    diffs.push('measurements.json differs from the measurements on the timeline');
  const derived = verdictFrom(outcomes, w.end);
  if (derived !== t.status) diffs.push(`verdict: results say ${t.status}, re-judged ${derived}`);
  return { ...base, derived, basis: check ? 'offline re-derivation' : 'recorded values re-judged', differences: diffs };
}

function safeDerive(check: OfflineCheck, w: TestWindow, diffs: string[]): DerivedValue[] {
  try {
    return check.derive(w);
  } catch (e) {
    diffs.push(`offline check '${check.what}' could not run: ${(e as Error).message}`);
    return [];
  }
}

/** Pair each recorded test with its timeline window: same requirement id and title, in run order. */
export function pairWindows(tests: readonly RecordedTest[], windows: readonly TestWindow[]): (TestWindow | undefined)[] {
  const used = new Set<TestWindow>();
  return tests.map((t) => {
    const w = windows.find((x) => !used.has(x) && x.title.endsWith(t.name) && (!x.requirement || x.requirement === t.testCaseId));
    if (w) used.add(w);
    return w;
  });
}
