// A running bench: the validated bench file plus its opened resources, the clock and the timeline.
// Suites reach it as `this.bench` (root hooks); everything ends through safeState(), the bench's
// safe-state strategy.

import type { Clock } from '../drivers/core/clock.ts';
import type { Limits } from '../drivers/core/limits.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import type { BenchConfig, Resource } from './registry.ts';
import type { SafeStateOutcome } from './safe-state.ts';

export interface Bench {
  readonly config: BenchConfig;
  readonly clock: Clock;
  readonly timeline: Timeline;
  readonly limits: Limits;
  readonly faults: ReadonlySet<string>;
  readonly runDir: string;
  readonly resources: ReadonlyMap<string, Resource>;
  /** The resource with this name; BenchFault when the bench has none. */
  resource<T extends Resource>(name: string): T;
  /** The resources of one kind, in bench-file order. */
  resourcesOfKind<T extends Resource>(kind: string): T[];
  /** The first resource of one of these kinds, or undefined. */
  find<T extends Resource>(...kinds: string[]): T | undefined;
  /**
   * Take the bench to its safe state through its strategy (benches/safe-state.ts): every step on the
   * timeline, never throws; the outcome says which resource failed which step.
   */
  safeState(reason: string): Promise<SafeStateOutcome>;
  /** Safe state, then release every resource; the safe state's outcome (undefined when already closed). */
  close(reason: string): Promise<SafeStateOutcome | undefined>;
}
