// `mcs-hil judge`: a recorded session (no live charger) judged by every check that can be decided from
// the recording alone. Each protocol registers its test cases here with their nature: an offline case
// judges the decoded messages; an online case needs a stimulus or an instrument the recording does not
// have, and is reported as not run with that reason. The output is a run folder like a live run's:
// allure-results (same steps, measurements.json, the recording as attachment), timeline.jsonl, summary.json.

import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Limit } from '../drivers/core/limits.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { validatorText, type MeasurementRecord } from './evidence.ts';
import { judge } from './uncertainty.ts';
import { VIOLATION_TAG, type Violation } from './verdicts.ts';

/** One value a recording check derived, with what it is judged against. */
export type JudgedValue =
  | { kind: 'measure'; name: string; value: number; limit: Limit; violation: Violation; note?: string }
  | { kind: 'check'; name: string; ok: boolean; expected: string; actual: string; clause: string; verified: boolean; violation: Violation };

export interface RecordingCase {
  protocol: string;
  testCaseId: string;
  title: string;
  standard: string;
  clause: string;
  nature: 'offline' | 'online';
  /** Online cases: what the recording lacks. */
  why?: string;
  /** Offline cases: the values, or why this recording does not contain what the case judges. */
  judge?: (events: readonly TimelineEvent[]) => JudgedValue[] | { notRun: string };
}

const cases: RecordingCase[] = [];

export function registerRecordingCase(c: RecordingCase): void {
  cases.push(c);
}

export function recordingCases(protocol: string): RecordingCase[] {
  return cases.filter((c) => c.protocol === protocol);
}

export interface JudgedCase {
  testCaseId: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  measurements: MeasurementRecord[];
}

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x));

function toRecord(v: JudgedValue): MeasurementRecord {
  if (v.kind === 'check') {
    return {
      name: v.name,
      measured_value: v.actual,
      units: '',
      validators: [`x == ${v.expected}`],
      clause: v.clause,
      verified: v.verified,
      outcome: v.ok ? 'PASS' : 'FAIL',
      violation: v.violation,
    };
  }
  return {
    name: v.name,
    measured_value: Number.isFinite(v.value) ? v.value : String(v.value),
    units: v.limit.unit,
    validators: [validatorText(v.limit, v.limit.unit)],
    lo: v.limit.lo,
    hi: v.limit.hi,
    clause: v.limit.clause,
    source: v.limit.source,
    verified: v.limit.verified,
    // No harness latency in a recording: its own time stamps are the evidence.
    outcome: judge(v.value, v.limit),
    violation: v.violation,
    note: v.note,
  };
}

export function judgeCases(protocol: string, events: readonly TimelineEvent[]): JudgedCase[] {
  return recordingCases(protocol).map((c) => {
    const base = { testCaseId: c.testCaseId, title: c.title };
    if (c.nature === 'online' || !c.judge)
      return { ...base, status: 'skipped', reason: `not run: judged online only — ${c.why}`, measurements: [] };
    const r = c.judge(events);
    if (!Array.isArray(r)) return { ...base, status: 'skipped', reason: `not run: ${r.notRun}`, measurements: [] };
    const measurements = r.map(toRecord);
    const first = measurements.find((m) => m.outcome === 'FAIL');
    const reason = first
      ? `${VIOLATION_TAG[first.violation]} ${first.name}: ${first.measured_value} ${first.units}, required ${first.validators[0]} (${first.clause})`
      : undefined;
    return { ...base, status: first ? 'failed' : 'passed', reason, measurements };
  });
}

/** Write the judged cases as Allure results (steps as a live test shows them), the events and a summary. */
export function writeJudgedRun(
  dir: string,
  o: { protocol: string; recording: { name: string; text: string }; events: readonly TimelineEvent[]; judged: JudgedCase[] },
): void {
  const results = join(dir, 'allure-results');
  mkdirSync(results, { recursive: true });
  const now = Date.now();
  writeFileSync(join(dir, 'timeline.jsonl'), o.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const recSource = `${randomUUID()}-attachment.log`;
  writeFileSync(join(results, recSource), o.recording.text);
  for (const c of recordingCases(o.protocol)) {
    const j = o.judged.find((x) => x.testCaseId === c.testCaseId)!;
    const mSource = `${randomUUID()}-attachment.json`;
    writeFileSync(join(results, mSource), JSON.stringify(j.measurements, null, 2));
    const result = {
      uuid: randomUUID(),
      historyId: `${c.testCaseId}:offline`,
      testCaseId: c.testCaseId,
      name: c.title,
      fullName: `mcs-hil judge ${o.protocol}: ${c.title}`,
      status: j.status,
      statusDetails: j.reason ? { message: j.reason } : {},
      stage: 'finished',
      start: now,
      stop: now,
      steps: j.measurements.map((m) => ({
        name: `${m.name}${m.units || m.lo !== undefined || m.hi !== undefined ? ` = ${typeof m.measured_value === 'number' ? fmt(m.measured_value) : m.measured_value} ${m.units}` : `: ${m.measured_value}`}  [${m.validators[0]}]  ${m.outcome}`,
        status: m.outcome === 'PASS' ? 'passed' : 'failed',
        stage: 'finished',
        parameters: [
          { name: 'clause', value: m.clause },
          { name: 'verified', value: String(m.verified) },
        ],
        steps: [],
        attachments: [],
        start: now,
        stop: now,
      })),
      attachments: [
        { name: 'measurements.json', source: mSource, type: 'application/json' },
        { name: o.recording.name, source: recSource, type: 'text/plain' },
      ],
      labels: [
        { name: 'requirement', value: c.testCaseId },
        { name: 'epic', value: c.standard },
        { name: 'feature', value: `offline judge (${c.nature})` },
        { name: 'clause', value: c.clause },
        { name: 'tag', value: 'recorded session' },
      ],
      parameters: [],
      links: [],
    };
    writeFileSync(join(results, `${result.uuid}-result.json`), JSON.stringify(result, null, 2));
  }
  const count = (s: string) => o.judged.filter((j) => j.status === s).length;
  const summary = { passed: count('passed'), failed: count('failed'), skipped: 0, notRun: count('skipped'), total: o.judged.length };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}
