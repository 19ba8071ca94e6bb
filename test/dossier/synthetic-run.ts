// A small run folder shaped like a live run's (timeline windows, measurements on the timeline, Allure
// results with the root hooks' measurements.json), made in milliseconds from two recorded GB/T sessions
// of the emulator (clean, and with fault cml-before-bcp) instead of a minutes-long bench run.

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { judgeCases } from '../../reports/rejudge-recording.ts';
import { gbtEventsFromRecording } from '../../suites/support/gbt27930-recording.ts';

export const RECORDINGS = fileURLToPath(new URL('./recordings/', import.meta.url));

export interface SyntheticTest {
  recording: string;
  title: string;
  /** The verdict the results file states (tamper tests give one the data does not support). */
  status?: 'passed' | 'failed';
}

export function syntheticRun(tests: SyntheticTest[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-synthetic-run-'));
  const results = join(dir, 'allure-results');
  mkdirSync(results);
  const events: TimelineEvent[] = [];
  let seq = 0;
  let clock = 1e9;
  const rec = (kind: string, source: string, data: Record<string, unknown>, t = clock) =>
    events.push({ seq: ++seq, t, kind, source, data });
  rec('run', 'runner', { event: 'start', bench: 'benches/emulator.yaml' });
  for (const test of tests) {
    const gbt = gbtEventsFromRecording(join(RECORDINGS, test.recording));
    const judged = judgeCases('gbt27930', gbt).find((j) => j.testCaseId === 'GBT27930-SEQ-001')!;
    const t0 = gbt[0].t;
    const base = clock;
    const title = `GB/T 27930 charging sequence ${test.title}`;
    rec('test', 'runner', { event: 'start', title });
    rec('test', 'runner', { event: 'precondition: charger idle', done: ['bms: idle'] });
    rec('note', 'evidence', { requirement: 'GBT27930-SEQ-001', clause: 'GB/T 27930-2015 §10, Fig. A.6' });
    for (const e of gbt) rec('gbt', 'bms', e.data, base + (e.t - t0));
    clock = events.at(-1)!.t + 1e6;
    const measurements = judged.measurements.map((m) => ({ ...m, t: clock }));
    for (const m of measurements) rec('measurement', 'evidence', m as unknown as Record<string, unknown>);
    const state = judged.status === 'failed' ? 'failed' : 'passed';
    rec('test', 'runner', { event: 'end', title, state, error: judged.reason });
    clock += 1e9;
    writeResult(results, { title: test.title, fullTitle: title, status: test.status ?? state, message: judged.reason, measurements });
  }
  writeFileSync(join(dir, 'timeline.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(
    join(results, 'environment.properties'),
    [
      'bench.name=emulator',
      'bench.file=benches/emulator.yaml',
      'charger.ratings=1250 V, 3000 A, 3750 kW',
      'charger.protocols=iso15118-20-mcs, gbt27930',
      'charger.vendor (bench file)=mcs-hil',
      'charger.model (bench file)=emulated MCS charger',
      'harness.version=test',
    ].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ passed: 1, failed: tests.length - 1, skipped: 0, notRun: 0 }) + '\n');
  return dir;
}

function writeResult(
  results: string,
  t: { title: string; fullTitle: string; status: string; message?: string; measurements: unknown[] },
): void {
  const uuid = randomUUID();
  const source = `${randomUUID()}-attachment.json`;
  writeFileSync(join(results, source), JSON.stringify(t.measurements, null, 2));
  const labels = [
    { name: 'requirement', value: 'GBT27930-SEQ-001' },
    { name: 'epic', value: 'GB/T 27930-2015' },
    { name: 'clause', value: 'GB/T 27930-2015 §10, Fig. A.6' },
  ];
  const result = {
    uuid,
    name: t.title,
    fullName: `mcs-hil:suites/gbt27930/sequence.spec.ts: ${t.fullTitle}`,
    testCaseId: 'GBT27930-SEQ-001',
    status: t.status,
    statusDetails: t.message ? { message: t.message } : {},
    stage: 'finished',
    steps: [],
    attachments: [],
    labels,
    start: Date.now(),
  };
  writeFileSync(join(results, `${uuid}-result.json`), JSON.stringify(result));
  const container = {
    uuid: randomUUID(),
    children: [uuid],
    befores: [],
    afters: [{ steps: [{ name: 'measurements.json', attachments: [{ name: 'measurements.json', source }] }] }],
  };
  writeFileSync(join(results, `${container.uuid}-container.json`), JSON.stringify(container));
}
