// Root hooks: every test gets the bench on `this`, its slice of the timeline and its measurements as
// attachments, and ends — pass, fail or abort — through the bench's safe-state path.

import type { Context, Test } from 'mocha';
import type { Bench } from '../benches/bench.ts';
import { BenchFault, RunInterrupted } from '../drivers/core/errors.ts';
import { attachJson, beginTest, bindTimeline, judgeAtEnd, step, takeMeasurements } from '../reports/evidence.ts';
import { attachTimelineSlice, runAttachers } from './attachers-slice.ts';
import './attachers-builtin.ts';
import { startLinkCapture } from './link-capture.ts';
import { brokenOnInstrumentTrip } from './instrument-trip-verdict.ts';
import { runContext } from './run-context.ts';
import { abortRun, recordSafeState } from './safe-state-evidence.ts';
import { awaitAbandonedBody } from './abandoned-body.ts';

let testStartSeq = 0;
/** The last timeline event before the test body (after the idle precondition): what the body did comes after. */
let bodyStartSeq = 0;
/** Title of the test before this one (whose end may have left the charger busy). */
let previousTest = 'the start of the run';

/**
 * Precondition of every test: each charger on the bench is idle and answers a new session. The outcome
 * is the test's first step. A charger that does not come back makes THIS test broken (a BenchFault
 * instead of its body), never failed; a throwing beforeEach would skip the rest of the describe block,
 * so the following tests still run and check idle again.
 */
async function verifyChargerIdle(test: Test, bench: Bench): Promise<void> {
  const done: string[] = [];
  for (const r of bench.resources.values()) {
    if (!r.awaitChargerIdle) continue;
    try {
      done.push(`${r.name}: ${await r.awaitChargerIdle(previousTest)}`);
    } catch (e) {
      const why = (e as Error).message;
      const err = e instanceof BenchFault ? e : new BenchFault(`charger did not return to idle after ${previousTest}: ${why}`, r.name);
      bench.timeline.record('test', 'runner', { event: 'precondition failed', resource: r.name, error: err.message });
      test.fn = function () {
        step(`precondition: charger idle — ${r.name}: ${err.message}`, () => {
          throw err;
        });
      };
      return;
    }
  }
  if (done.length === 0) return;
  bench.timeline.record('test', 'runner', { event: 'precondition: charger idle', done });
  const body = test.fn as ((this: Context, ...a: unknown[]) => unknown) | undefined;
  if (!body || body.length > 0) return; // a callback-style test keeps its own signature
  test.fn = function (this: Context, ...args: unknown[]) {
    step(`precondition: charger idle — ${done.join('; ')}`, () => undefined);
    return body.apply(this, args);
  } as Test['fn'];
}

export const mochaHooks = {
  async beforeAll(this: Context) {
    const { bench } = runContext();
    this.bench = bench;
    this.limits = bench.limits;
    bindTimeline(bench.timeline);
    await startLinkCapture(bench); // the V2G link's pcapng per test (runner/link-capture.ts)
  },

  async beforeEach(this: Context) {
    const ctx = runContext();
    if (ctx.interrupted) throw new RunInterrupted(ctx.interrupted);
    const title = this.currentTest?.fullTitle() ?? '?';
    testStartSeq = ctx.bench.timeline.mark();
    ctx.bench.timeline.record('test', 'runner', { event: 'start', title, file: this.currentTest?.file });
    beginTest();
    // Soft assertions: the test records every measurement, then fails at its end with the first violation.
    if (this.currentTest?.fn) this.currentTest.fn = judgeAtEnd(this.currentTest.fn);
    // An instrument protection tripping while the body runs makes this test broken, naming it (instrument-trip-verdict.ts).
    if (this.currentTest?.fn) this.currentTest.fn = brokenOnInstrumentTrip(this.currentTest.fn, ctx.bench.timeline);
    if (this.currentTest) await verifyChargerIdle(this.currentTest, ctx.bench);
    bodyStartSeq = ctx.bench.timeline.mark();
    previousTest = title;
  },

  async afterEach(this: Context) {
    const ctx = runContext();
    const { bench } = ctx;
    const test = this.currentTest;
    // Safe state first: whatever the test left running, the bench goes quiet before anything else.
    const safe = await bench.safeState(`after test: ${test?.title ?? '?'}`);
    recordSafeState(safe);
    // A body mocha timed out still runs: it ends here, in its own test, or the run stops (abandoned-body.ts).
    const stuck = test?.timedOut ? await awaitAbandonedBody(bench, test.fullTitle()) : undefined;
    const measurements = takeMeasurements();
    bench.timeline.record('test', 'runner', {
      event: 'end',
      title: test?.fullTitle(),
      state: test?.state ?? 'unknown',
      error: test?.err?.message,
    });
    bench.timeline.flush();
    if (measurements.length) attachJson('measurements.json', measurements);
    attachTimelineSlice(bench.timeline, testStartSeq);
    runAttachers(bench, testStartSeq, bodyStartSeq);
    // The bench may be unsafe: this test's tear-down is broken with the reason and no further test starts.
    if (!safe.ok) throw abortRun(ctx, safe, test?.fullTitle() ?? '?');
    if (stuck) throw abortRun(ctx, stuck, test?.fullTitle() ?? '?');
  },
};
