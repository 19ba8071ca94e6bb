// The bench's safe-state strategy (labgrid's strategy idea): the one place that says what "safe" means for a
// bench and in which order it is reached. Resources only offer primitives (benches/safe-state-primitives.ts);
// this walks them in order, each step bounded by its limit from fixtures/limits/bench.yaml on the bench
// clock, and records every step on the timeline. A step that fails or overruns is not fatal here: the
// remaining steps still run (the bench ends as safe as it can), and the outcome says what failed so the
// runner can abort the run.

import type { Clock } from '../drivers/core/clock.ts';
import { BenchFault } from '../drivers/core/errors.ts';
import { Limits } from '../drivers/core/limits.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import type { SafeStatePrimitives } from '../drivers/core/resource.ts';
import type { BenchConfig, Resource } from './registry.ts';

export type SafeStatePhase =
  | 'resource-safe-state'
  | 'request-zero'
  | 'charger-off'
  | 'current-below-stop'
  | 'contactors-open'
  | 'pilot-safe'
  | 'outputs-off'
  | 'interlock-open';

export interface SafeStateStep {
  phase: SafeStatePhase;
  /** What was done, as a reviewer reads it: "ev: vehicle requests 0 A and ends its session". */
  title: string;
  resource: string;
  ok: boolean;
  ms: number;
  limitMs: number;
  /** Why it failed: the primitive's error, or the overrun. */
  error?: string;
}

export interface SafeStateOutcome {
  reason: string;
  ok: boolean;
  steps: SafeStateStep[];
  /** The first step that failed. */
  failure?: SafeStateStep;
  ms: number;
}

/** The safe state was not reached: the bench may be unsafe, so the run must not go on. */
export class SafeStateFailed extends BenchFault {
  override name = 'SafeStateFailed';
  constructor(readonly outcome: SafeStateOutcome) {
    const f = outcome.failure!;
    super(`safe state not reached (${outcome.reason}): resource '${f.resource}', step '${f.title}': ${f.error}`, f.resource);
  }
}

type Action = Exclude<keyof SafeStatePrimitives, 'measuredCurrentA'>;

interface ActionStep {
  phase: SafeStatePhase;
  title: string;
  limit: string;
  action: Action;
}

// The order. The vehicle stops first and the current must fall before any contactor opens (opening under load
// wears them and arcs); the pilot and the instruments follow; the interlock opens last, as the final guard.
const BEFORE_CURRENT: ActionStep[] = [
  {
    phase: 'request-zero',
    title: 'vehicle requests 0 A and ends its session',
    limit: 'bench.safeState.requestZeroMs',
    action: 'requestZeroCurrent',
  },
  { phase: 'charger-off', title: 'charger output disabled', limit: 'bench.safeState.chargerOffMs', action: 'disableChargerOutput' },
];
const AFTER_CURRENT: ActionStep[] = [
  { phase: 'contactors-open', title: 'vehicle contactors open', limit: 'bench.safeState.contactorsOpenMs', action: 'openContactors' },
  { phase: 'pilot-safe', title: 'pilot to its stop state (CE B / CP A-B)', limit: 'bench.safeState.pilotSafeMs', action: 'releasePilot' },
  { phase: 'outputs-off', title: 'instrument outputs off', limit: 'bench.safeState.outputsOffMs', action: 'outputsOff' },
  { phase: 'interlock-open', title: 'interlock open', limit: 'bench.safeState.interlockOpenMs', action: 'openInterlock' },
];
const CURRENT_POLL_MS = 50;

export interface SafeStateStrategyOptions {
  clock: Clock;
  timeline: Timeline;
  config: BenchConfig;
  /** The bench's limits for the safe state; default fixtures/limits/bench.yaml. */
  limits?: Limits;
}

export class SafeStateStrategy {
  private readonly limits: Limits;

  constructor(private readonly o: SafeStateStrategyOptions) {
    this.limits = o.limits ?? Limits.load('bench');
  }

  /** Walk the order over these resources (open order); never throws, the outcome says what failed. */
  async run(resources: readonly Resource[], reason: string): Promise<SafeStateOutcome> {
    const { clock, timeline } = this.o;
    const t0 = clock.nowMs();
    const steps: SafeStateStep[] = [];
    timeline.record('safe-state', 'bench', { event: 'begin', reason });
    // Newest first: what opened last (the vehicle) depends on what opened before it (links, instruments).
    const ordered = [...resources].reverse();
    // A resource without primitives still has its own all-in-one safeState(): run it first, as before.
    for (const r of ordered.filter((x) => !x.safeStatePrimitives && x.safeState)) {
      const own = () => r.safeState!();
      steps.push(await this.step(r.name, 'resource-safe-state', 'resource safe state', 'bench.safeState.requestZeroMs', own));
    }
    for (const s of BEFORE_CURRENT) steps.push(...(await this.actionStep(ordered, s)));
    steps.push(...(await this.currentBelowStop(ordered)));
    for (const s of AFTER_CURRENT) steps.push(...(await this.actionStep(ordered, s)));
    const failure = steps.find((s) => !s.ok);
    const outcome: SafeStateOutcome = { reason, ok: !failure, steps, failure, ms: clock.nowMs() - t0 };
    timeline.record('safe-state', 'bench', {
      event: 'end',
      reason,
      ok: outcome.ok,
      ms: outcome.ms,
      ...(failure ? { failedResource: failure.resource, failedStep: failure.title, error: failure.error } : {}),
    });
    return outcome;
  }

  private async actionStep(resources: readonly Resource[], s: ActionStep): Promise<SafeStateStep[]> {
    const out: SafeStateStep[] = [];
    for (const r of resources) {
      const p = r.safeStatePrimitives;
      const fn = p?.[s.action];
      if (fn) out.push(await this.step(r.name, s.phase, s.title, s.limit, () => fn.call(p)));
    }
    return out;
  }

  /** Wait until every inlet current the bench measures is below the stop current. */
  private async currentBelowStop(resources: readonly Resource[]): Promise<SafeStateStep[]> {
    const stopA = this.limits.num('bench.safeState.stopCurrentA');
    const limitMs = this.o.config.safety.safeStateTimeoutMs ?? this.limits.num('bench.safeState.currentBelowStopMs');
    const title = `current below ${stopA} A`;
    const out: SafeStateStep[] = [];
    for (const r of resources) {
      const p = r.safeStatePrimitives;
      if (!p?.measuredCurrentA) continue;
      out.push(
        await this.step(r.name, 'current-below-stop', title, limitMs, async () => {
          let last = Infinity;
          for (;;) {
            last = Math.abs(await p.measuredCurrentA!());
            if (last < stopA) return `${last.toFixed(1)} A`;
            await this.o.clock.sleep(CURRENT_POLL_MS);
          }
        }),
      );
    }
    return out;
  }

  /** One primitive, bounded by its limit on the bench clock; a hung primitive is left behind, not awaited. */
  private async step(
    resource: string,
    phase: SafeStatePhase,
    title: string,
    limit: string | number,
    fn: () => Promise<unknown>,
  ): Promise<SafeStateStep> {
    const { clock, timeline } = this.o;
    const limitMs = typeof limit === 'number' ? limit : this.limits.num(limit);
    const t0 = clock.nowMs();
    const overrun = new AbortController();
    let error: string | undefined;
    let detail: unknown;
    try {
      detail = await Promise.race([
        fn(),
        clock.sleep(limitMs, overrun.signal).then(() => {
          throw new Error(`no result within ${limitMs} ms`);
        }),
      ]);
    } catch (e) {
      error = String((e as Error)?.message ?? e);
    } finally {
      overrun.abort();
    }
    const s: SafeStateStep = { phase, title, resource, ok: error === undefined, ms: clock.nowMs() - t0, limitMs, error };
    timeline.record('safe-state', resource, {
      event: s.ok ? 'reached' : 'failed',
      phase,
      step: title,
      ms: s.ms,
      limitMs,
      ...(typeof detail === 'string' ? { detail } : {}),
      ...(error ? { error } : {}),
    });
    return s;
  }
}
