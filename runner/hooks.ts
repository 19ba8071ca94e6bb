// Root hooks: every test gets the bench on `this`, its slice of the timeline and its measurements as
// attachments, and ends — pass, fail or abort — through the bench's safe-state path.

import type { Context } from 'mocha';
import { RunInterrupted } from '../drivers/core/errors.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { attachJson, attachText, beginTest, bindTimeline, judgeAtEnd, takeMeasurements } from '../reports/evidence.ts';
import { testAttachers } from './attachers.ts';
import './attachers-builtin.ts';
import { runContext } from './run-context.ts';

let testStartSeq = 0;

export const mochaHooks = {
  beforeAll(this: Context) {
    const { bench } = runContext();
    this.bench = bench;
    this.limits = bench.limits;
    bindTimeline(bench.timeline);
  },

  beforeEach(this: Context) {
    const ctx = runContext();
    if (ctx.interrupted) throw new RunInterrupted(ctx.interrupted);
    const title = this.currentTest?.fullTitle() ?? '?';
    testStartSeq = ctx.bench.timeline.mark();
    ctx.bench.timeline.record('test', 'runner', { event: 'start', title, file: this.currentTest?.file });
    beginTest();
    // Soft assertions: the test records every measurement, then fails at its end with the first violation.
    if (this.currentTest?.fn) this.currentTest.fn = judgeAtEnd(this.currentTest.fn);
  },

  async afterEach(this: Context) {
    const { bench } = runContext();
    const test = this.currentTest;
    // Safe state first: whatever the test left running, the bench goes quiet before anything else.
    await bench.safeState(`after test: ${test?.title ?? '?'}`);
    const measurements = takeMeasurements();
    bench.timeline.record('test', 'runner', {
      event: 'end',
      title: test?.fullTitle(),
      state: test?.state ?? 'unknown',
      error: test?.err?.message,
    });
    bench.timeline.flush();
    const events = bench.timeline.query({ afterSeq: testStartSeq });
    if (measurements.length) attachJson('measurements.json', measurements);
    attachText('timeline.jsonl', timelineText(events), 'jsonl');
    for (const attacher of testAttachers()) {
      const a = safely(() => attacher(events));
      if (a) (a.contentType === 'application/json' ? attachJson(a.name, JSON.parse(a.content)) : attachText(a.name, a.content, a.fileExtension));
    }
  },
};

/** The test's timeline as JSON lines; instrument sample blocks are summarised (their CSV is attached by the test). */
function timelineText(events: TimelineEvent[]): string {
  return events
    .map((e) =>
      e.kind === 'samples'
        ? JSON.stringify({ ...e, data: { t0: (e.data as { t0?: number }).t0, samples: Object.fromEntries(Object.entries((e.data as { channels?: Record<string, number[]> }).channels ?? {}).map(([k, v]) => [k, v.length])) } })
        : JSON.stringify(e),
    )
    .join('\n');
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
