// The evidence module: the ONLY code that imports allure-js-commons. Suites and suites/support record
// requirements, measurements and attachments through here, so the report backend can change without
// touching a test.
//
// Every call is synchronous (allure-js-commons/sync), so chai plugins can record a measurement and
// assert in one go. A failed measurement marks its step failed; whether it throws at once or at the end
// of the test is soft-assertions.ts's business.

import * as allure from 'allure-js-commons/sync';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentType, Severity, Status } from 'allure-js-commons';
import type { Limit } from '../drivers/core/limits.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import { beginVerdicts, conclude, endVerdicts, judgeAtEnd } from './soft-assertions.ts';
import { judge, withinLimit, type Outcome, type Uncertainty } from './uncertainty.ts';
import { stopIfProbing } from './requirement-probe.ts';
import { INCONCLUSIVE_PREFIX, InconclusiveError, violationError, type Violation } from './verdicts.ts';

export { withinLimit, judgeAtEnd, type Uncertainty };
export { probeRequirementId } from './requirement-probe.ts';
export { INCONCLUSIVE_PREFIX, InconclusiveError, VIOLATION_TAG, ViolationError, type Violation } from './verdicts.ts';

/** One recorded measurement, in OpenHTF's shape (name, value, unit, validators, outcome). */
export interface MeasurementRecord {
  name: string;
  measured_value: number | string | boolean | null;
  units: string;
  validators: string[];
  lo?: number;
  hi?: number;
  clause: string;
  source?: string;
  verified: boolean;
  /** How well the public record backs the limit (standard-extract … our-choice), where the profile says. */
  corroborated?: string;
  outcome: Outcome;
  /** ± in `units`: the harness's own uncertainty on this value, and where that number came from. */
  uncertainty?: number;
  uncertainty_source?: string;
  violation: Violation;
  /** Clock ns when it was recorded (when a timeline is bound). */
  t?: number;
  note?: string;
}

let timeline: Timeline | undefined;
let current: MeasurementRecord[] = [];
let inTest = false;
/** The uncertainty measure() applies when its caller gives none (withUncertainty). */
let ambientUncertainty: Uncertainty | undefined;

/** Root hooks bind the run's timeline so measurements also land there. */
export function bindTimeline(tl: Timeline | undefined): void {
  timeline = tl;
}

/** Root hooks: a test starts / ends. */
export function beginTest(): void {
  current = [];
  inTest = true;
  beginVerdicts();
}

/** The measurements recorded in the current test so far (root hooks attach them). */
export function takeMeasurements(): MeasurementRecord[] {
  const out = current;
  current = [];
  inTest = false;
  endVerdicts();
  return out;
}

const SEVERITY: Record<string, Severity> = {
  blocker: Severity.BLOCKER,
  critical: Severity.CRITICAL,
  normal: Severity.NORMAL,
  minor: Severity.MINOR,
  trivial: Severity.TRIVIAL,
};

export interface RequirementMeta {
  /** The standard, e.g. 'ISO 15118-20', 'IEC 61851-23-3', 'GB/T 27930-2015'. */
  epic: string;
  feature: string;
  story?: string;
  severity?: 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';
  /** The clause the test case checks. */
  clause?: string;
}

/** Declare which requirement a test checks: testCaseId (stable history), epic/feature/story/severity labels. */
export function requirement(id: string, meta: RequirementMeta): void {
  stopIfProbing(id);
  if (!id.trim()) throw new Error('requirement id must not be empty');
  allure.testCaseId(id);
  allure.label('requirement', id);
  allure.epic(meta.epic);
  allure.feature(meta.feature);
  allure.story(meta.story ?? id);
  allure.severity(SEVERITY[meta.severity ?? 'normal']);
  if (meta.clause) allure.label('clause', meta.clause);
  // Shown at the top of the test page (labels alone sit behind the report's tree and filters).
  allure.description(`**Requirement** \`${id}\` — ${meta.epic}${meta.clause ? `, clause **${meta.clause}**` : ''}`);
  timeline?.record('note', 'evidence', { requirement: id, clause: meta.clause });
}

export function validatorText(limit: Pick<Limit, 'lo' | 'hi' | 'value'>, unit: string): string {
  const u = unit ? ` ${unit}` : '';
  if (limit.lo !== undefined && limit.hi !== undefined) return `${fmt(limit.lo)} <= x <= ${fmt(limit.hi)}${u}`;
  if (limit.lo !== undefined) return `x >= ${fmt(limit.lo)}${u}`;
  if (limit.hi !== undefined) return `x <= ${fmt(limit.hi)}${u}`;
  return `x == ${fmt(limit.value!)}${u}`;
}

/** Measurements made inside fn without an uncertainty of their own carry this one (e.g. a chai plugin's). */
export function withUncertainty<T>(uncertainty: Uncertainty | undefined, fn: () => T): T {
  const before = ambientUncertainty;
  ambientUncertainty = uncertainty;
  try {
    return fn();
  } finally {
    ambientUncertainty = before;
  }
}

/**
 * Record a measured value against its limit — as an Allure step with parameters, in the test's
 * measurements attachment and on the timeline — then judge it: outside the limit is a violation (an
 * AssertionError whose message starts with the category tag); within ± uncertainty of a bound is
 * inconclusive (InconclusiveError, broken). In a wrapped test both are remembered and thrown at its end.
 */
export function measure(
  name: string,
  value: number,
  limit: Limit,
  /** deviation: a bench-file override of a profile number this judgement used (shown as a step parameter). */
  opts: { violation: Violation; unit?: string; note?: string; uncertainty?: Uncertainty; deviation?: string },
): MeasurementRecord {
  const unit = opts.unit ?? limit.unit;
  const u = opts.uncertainty ?? ambientUncertainty;
  const outcome = judge(value, limit, u);
  const validator = validatorText(limit, unit);
  const band = u ? ` ± ${fmt(u.value)}` : '';
  const rec: MeasurementRecord = {
    name,
    measured_value: Number.isFinite(value) ? value : String(value),
    units: unit,
    validators: [validator],
    lo: limit.lo,
    hi: limit.hi,
    clause: limit.clause,
    source: limit.source,
    verified: limit.verified,
    corroborated: limit.corroborated,
    outcome,
    uncertainty: u?.value,
    uncertainty_source: u?.source,
    violation: opts.violation,
    t: timeline?.clock.now(),
    note: opts.note,
  };
  record(rec, `${name} = ${fmt(value)}${band} ${unit}  [${validator}]  ${rec.outcome}${provenance(limit)}`, {
    value: fmt(value),
    unit,
    limit: validator,
    ...(u ? { uncertainty: `± ${fmt(u.value)} ${unit} (${u.source})` } : {}),
    clause: limit.clause,
    verified: String(limit.verified),
    ...(limit.corroborated ? { corroborated: limit.corroborated } : {}),
    ...(opts.deviation ? { deviation: opts.deviation } : {}),
  });
  const what = `${name} = ${fmt(value)} ${unit}, required ${validator}`;
  if (outcome === 'FAIL') conclude(violationError(opts.violation, what, limit, opts.note, value, validator));
  if (outcome === 'INCONCLUSIVE') {
    const msg = `${INCONCLUSIVE_PREFIX} ${what}, but the value is uncertain by ± ${fmt(u!.value)} ${unit} (${u!.source})`;
    conclude(new InconclusiveError(`${msg} (${limit.clause})`));
  }
  return rec;
}

/**
 * A non-numeric verdict (a response code, an ordering, a certificate chain), recorded like a measurement.
 * `stop`: nothing after this verdict can be judged when it fails (e.g. the session never reached charging),
 * so the test ends at once with it instead of running on to its end.
 */
export function check(
  name: string,
  ok: boolean,
  opts: { violation: Violation; clause: string; verified: boolean; expected: unknown; actual: unknown; note?: string; stop?: boolean },
): MeasurementRecord {
  const expected = show(opts.expected);
  const actual = show(opts.actual);
  const rec: MeasurementRecord = {
    name,
    measured_value: actual,
    units: '',
    validators: [`x == ${expected}`],
    clause: opts.clause,
    verified: opts.verified,
    outcome: ok ? 'PASS' : 'FAIL',
    violation: opts.violation,
    t: timeline?.clock.now(),
    note: opts.note,
  };
  record(rec, `${name}: ${actual}  [expected ${expected}]  ${rec.outcome}${provenance(opts)}`, {
    expected,
    actual,
    clause: opts.clause,
    verified: String(opts.verified),
  });
  if (!ok) {
    conclude(violationError(opts.violation, `${name}: expected ${expected}, got ${actual}`, opts, opts.note, actual, expected), opts.stop);
  }
  return rec;
}

/** Where a limit comes from, in the step name a reviewer reads: its clause and whether it was checked against the standard. */
function provenance(limit: { clause: string; verified: boolean }): string {
  return ` — ${limit.clause}, ${limit.verified ? 'verified' : 'unverified'}`;
}

function record(rec: MeasurementRecord, title: string, params: Record<string, string>): void {
  if (inTest) current.push(rec);
  timeline?.record('measurement', 'evidence', rec as unknown as Record<string, unknown>);
  safeAllure(() =>
    allure.step(title, (ctx) => {
      for (const [k, v] of Object.entries(params)) ctx.parameter(k, v);
      // A failed step shows red (an inconclusive one broken) even though the verdict is thrown after the step.
      if (rec.outcome === 'FAIL') throw new StepFailed(title);
      if (rec.outcome === 'INCONCLUSIVE') throw new StepInconclusive(title);
    }),
  );
}

/** Thrown inside a step body only to mark the step failed; swallowed by record(). */
class StepFailed extends Error {
  override name = 'AssertionError';
}

/** Thrown inside a step body only to mark the step broken (inconclusive); swallowed by record(). */
class StepInconclusive extends Error {
  override name = 'InconclusiveMeasurement';
}

function safeAllure(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof StepFailed) && !(e instanceof StepInconclusive)) throw e;
  }
}

/** A named group of actions shown as one Allure step. */
export function step<T>(name: string, fn: () => T): T {
  return allure.step(name, () => fn());
}

/** Async variant: the step is logged when the work is done (with its outcome). */
export async function stepAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = timeline?.clock.nowMs();
  try {
    const out = await fn();
    allure.logStep(name, Status.PASSED);
    return out;
  } catch (e) {
    allure.logStep(
      `${name} (${started !== undefined ? `after ${Math.round((timeline!.clock.nowMs() - started) as number)} ms` : 'failed'})`,
      Status.FAILED,
    );
    throw e;
  }
}

export function attachText(name: string, text: string, ext = 'txt'): void {
  allure.attachment(name, text, { contentType: ContentType.TEXT, fileExtension: ext });
}

export function attachJson(name: string, value: unknown): void {
  allure.attachment(name, JSON.stringify(value, null, 2), { contentType: ContentType.JSON, fileExtension: 'json' });
}

export function attachCsv(name: string, csv: string): void {
  allure.attachment(name, csv, { contentType: ContentType.CSV, fileExtension: 'csv' });
}

export function attachSvg(name: string, svg: string): void {
  allure.attachment(name, svg, { contentType: ContentType.SVG, fileExtension: 'svg' });
}

export function attachFile(name: string, path: string, contentType: string, fileExtension?: string): void {
  allure.attachmentPath(name, path, { contentType, fileExtension });
}

/** Characters gathered before a streamed attachment writes them out. */
const STREAM_CHUNK_CHARS = 64 * 1024;

/**
 * Attach text produced piece by piece (a test's timeline: up to ~100 MB for a long MCS test): the pieces go
 * through a temporary file into the results, so the whole text is never in memory. Same bytes as attachText.
 */
export function attachTextStream(name: string, ext: string, produce: (put: (piece: string) => void) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-attachment-'));
  const file = join(dir, `attachment.${ext}`);
  let fd: number | undefined = openSync(file, 'w');
  try {
    let pending = '';
    produce((piece) => {
      pending += piece;
      if (pending.length < STREAM_CHUNK_CHARS) return;
      writeSync(fd!, pending);
      pending = '';
    });
    if (pending) writeSync(fd, pending);
    closeSync(fd);
    fd = undefined;
    attachFile(name, file, ContentType.TEXT, ext); // copied into the results before it returns
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function tag(...tags: string[]): void {
  allure.tags(...tags);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(6)).toString();
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
