// The safe state that ends a test, as evidence in that test: one step per primitive (shown in the test's
// tear-down), and, when it failed, the error that aborts the run.

import { SafeStateFailed, type SafeStateOutcome } from '../benches/safe-state.ts';
import { BenchFault } from '../drivers/core/errors.ts';
import { step } from '../reports/evidence.ts';
import type { RunContext } from './run-context.ts';

export function recordSafeState(outcome: SafeStateOutcome): void {
  for (const s of outcome.steps) {
    const name = `safe state: ${s.resource}: ${s.title} — ${Math.round(s.ms)} ms (limit ${s.limitMs} ms)${s.ok ? '' : `: ${s.error}`}`;
    try {
      step(name, () => {
        if (!s.ok) throw new BenchFault(s.error ?? 'failed', s.resource);
      });
    } catch {
      /* the step is recorded as failed; the outcome decides what happens to the run */
    }
  }
}

/** A failed safe state: mark the run aborted (no further test starts) and give the error to throw. */
export function abortRun(ctx: RunContext, outcome: SafeStateOutcome, afterTest: string): SafeStateFailed {
  const err = new SafeStateFailed(outcome);
  const f = outcome.failure!;
  ctx.aborted ??= { afterTest, resource: f.resource, step: f.title, error: f.error ?? 'failed', message: err.message };
  ctx.bench.timeline.record('run', 'runner', { event: 'aborted', afterTest, resource: f.resource, step: f.title, error: f.error });
  ctx.onAbort?.();
  return err;
}
