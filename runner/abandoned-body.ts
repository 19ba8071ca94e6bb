// A test body mocha gave up on (its timeout) keeps running: left alone it would record checks into the next
// test and drive the bench under it. After the safe state, the tear-down waits (bench clock, bounded) for the
// body to end, so what it still records stays in its own test; one that does not end aborts the run, since
// the next test's verdict could be its.

import type { Bench } from '../benches/bench.ts';
import type { SafeStateOutcome } from '../benches/safe-state.ts';
import { runningBody } from '../reports/soft-assertions.ts';

/** How long an abandoned body may take to end after the safe state: the bench's safe-state bound. */
function waitLimitMs(bench: Bench): number {
  return bench.config.safety.safeStateTimeoutMs ?? bench.limits.num('bench.safeState.currentBelowStopMs');
}

/** Undefined when the body ended (or there was none); else the outcome that aborts the run. */
export async function awaitAbandonedBody(bench: Bench, title: string): Promise<SafeStateOutcome | undefined> {
  const body = runningBody();
  if (!body) return undefined;
  const limitMs = waitLimitMs(bench);
  const t0 = bench.clock.now();
  const ended = await Promise.race([body.then(() => true), bench.clock.sleep(limitMs).then(() => false)]);
  const ms = (bench.clock.now() - t0) / 1e6;
  bench.timeline.record('test', 'runner', { event: 'abandoned-body', title, ended, ms });
  if (ended) return undefined;
  const failure = {
    phase: 'resource-safe-state' as const,
    title: 'the test body abandoned by its timeout ends',
    resource: 'runner',
    ok: false,
    ms,
    limitMs,
    error: `still running ${Math.round(ms)} ms after the safe state: it could record into the next test or drive the bench under it`,
  };
  return { reason: `after test: ${title}`, ok: false, steps: [failure], failure, ms };
}
