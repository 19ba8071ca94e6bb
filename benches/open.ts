// Turn a validated bench file into a running bench: make the clock and the timeline, open every resource
// through its registered driver, and offer the one safe-state path every test ends through.

import { RealClock, VirtualClock, type Clock } from '../drivers/core/clock.ts';
import { BenchFault } from '../drivers/core/errors.ts';
import { Limits } from '../drivers/core/limits.ts';
import { Timeline } from '../drivers/core/timeline.ts';
import type { Bench } from './bench.ts';
import { resourceKind, type BenchConfig, type Resource } from './registry.ts';
import { SafeStateStrategy, type SafeStateOutcome } from './safe-state.ts';

export interface OpenBenchOptions {
  config: BenchConfig;
  runDir: string;
  faults?: Iterable<string>;
  /** A timeline made by the caller (the runner makes it before the bench so even a failed open is recorded). */
  timeline?: Timeline;
  clock?: Clock;
  /** Aborted when the run is interrupted: opening stops at once, also inside a wait for a link. */
  signal?: AbortSignal;
}

export function makeClock(config: BenchConfig, faults: Iterable<string> = []): Clock {
  // Fault 'clock-drift' (emulator self-validation): the bench clock runs 10 % fast.
  const drift = new Set(faults).has('clock-drift') ? 1.1 : 1;
  if (config.clock.kind === 'virtual') return new VirtualClock({ autoAdvance: true, readingRate: drift });
  return new RealClock((config.clock.rate ?? 1) * drift);
}

export async function openBench(opts: OpenBenchOptions): Promise<Bench> {
  const { config } = opts;
  const clock = opts.clock ?? opts.timeline?.clock ?? makeClock(config, opts.faults ?? []);
  const timeline = opts.timeline ?? new Timeline({ clock });
  const faults = new Set(opts.faults ?? []);
  // Opening loads modules, key material and codecs, work a virtual clock's idle check cannot see: time
  // stands still until the bench is ready, so every resource starts from the same instant on every run.
  const release = clock instanceof VirtualClock ? clock.hold() : () => undefined;
  try {
    return await openResources(opts, config, clock, timeline, faults);
  } finally {
    release();
  }
}

async function openResources(
  opts: OpenBenchOptions,
  config: BenchConfig,
  clock: Clock,
  timeline: Timeline,
  faults: Set<string>,
): Promise<Bench> {
  const limits = Limits.load(config.limits.profile);
  const bench = new RunningBench(config, clock, timeline, limits, faults, opts.runDir);
  timeline.record('run', 'bench', {
    event: 'bench-open',
    bench: config.name,
    file: config.file,
    clock: clock.description,
    faults: [...faults],
    // Host speed never enters a verdict here: time stands still while the harness works, so every stamp is
    // taken at the instant its event happened and the measured receive and timer latency is 0 by construction.
    ...(clock instanceof VirtualClock ? { harnessLatency: '0 by construction (virtual time)' } : {}),
  });
  for (const f of faults) timeline.record('fault', 'bench', { fault: f, on: true });

  const entries = Object.entries(config.resources)
    .map(([name, r], index) => ({ name, r, index, order: resourceKind(r.kind)?.openOrder ?? 0 }))
    .sort((a, b) => b.order - a.order || a.index - b.index);
  try {
    for (const { name, r } of entries) {
      opts.signal?.throwIfAborted();
      const kind = resourceKind(r.kind);
      if (!kind) throw new BenchFault(`resource '${name}': no driver for kind '${r.kind}'`, name);
      const { kind: _k, ...settings } = r;
      // Fault 'timeline-gap' (emulator self-validation): the interlock's open is not recorded.
      const gap = faults.has('timeline-gap') && r.kind === 'emulated-interlock';
      if (!gap) timeline.record('run', name, { event: 'resource-open', kind: r.kind });
      const ctx = { clock, timeline, resources: bench.resources, bench: config, faults, runDir: opts.runDir, signal: opts.signal };
      const res = await kind.open(name, settings, ctx);
      bench.add(res);
    }
  } catch (e) {
    timeline.record('run', 'bench', { event: 'bench-open-failed', error: String((e as Error).message ?? e) });
    await bench.close(opts.signal?.aborted ? 'open interrupted' : 'open failed');
    if (e instanceof BenchFault) throw e;
    throw new BenchFault(`bench '${config.name}' could not be opened: ${(e as Error).message}`, undefined, { cause: e });
  }
  timeline.record('run', 'bench', { event: 'bench-ready' });
  return bench;
}

class RunningBench implements Bench {
  private readonly opened: Resource[] = [];
  private readonly byName = new Map<string, Resource>();
  private closed = false;
  private readonly strategy: SafeStateStrategy;

  constructor(
    readonly config: BenchConfig,
    readonly clock: Clock,
    readonly timeline: Timeline,
    readonly limits: Limits,
    readonly faults: ReadonlySet<string>,
    readonly runDir: string,
  ) {
    this.strategy = new SafeStateStrategy({ clock, timeline, config });
  }

  get resources(): ReadonlyMap<string, Resource> {
    return this.byName;
  }

  add(r: Resource): void {
    this.opened.push(r);
    this.byName.set(r.name, r);
  }

  resource<T extends Resource>(name: string): T {
    const r = this.byName.get(name);
    const has = [...this.byName.keys()].join(', ') || 'none';
    if (!r) throw new BenchFault(`bench '${this.config.name}' has no resource '${name}' (it has: ${has})`, name);
    return r as T;
  }

  resourcesOfKind<T extends Resource>(kind: string): T[] {
    return this.opened.filter((r) => r.kind === kind) as T[];
  }

  find<T extends Resource>(...kinds: string[]): T | undefined {
    return this.opened.find((r) => kinds.includes(r.kind)) as T | undefined;
  }

  safeState(reason: string): Promise<SafeStateOutcome> {
    return this.strategy.run(this.opened, reason);
  }

  async close(reason: string): Promise<SafeStateOutcome | undefined> {
    if (this.closed) return undefined;
    this.closed = true;
    const outcome = await this.safeState(reason);
    for (const r of [...this.opened].reverse()) {
      try {
        await r.close();
        this.timeline.record('run', r.name, { event: 'resource-closed' });
      } catch (e) {
        this.timeline.record('run', r.name, { event: 'close-failed', error: String((e as Error)?.message ?? e) });
      }
    }
    this.timeline.record('run', 'bench', { event: 'bench-closed', reason });
    return outcome;
  }
}
