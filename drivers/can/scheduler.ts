// Periodic transmission on the injected clock (python-can's send_periodic, per message): each task sends
// at start + phase + k·period — due times are absolute, so a late send never shifts the ones after it —
// and records when each send actually happened, so a test can judge the period and jitter of its own
// traffic (and of the charger's, with the statistics helper below), and how late the harness itself was
// (schedule lateness, clock units: the uncertainty a timing verdict carries).

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { HarnessLatency } from '../core/harness-latency.ts';
import type { Timeline } from '../core/timeline.ts';
import { validateFrame, type CanFrame } from './frame.ts';
import { periodicWire, type PeriodicWire, type PeriodicWireHandle } from './periodic-wire.ts';
import type { CanTransport } from './transport.ts';

export interface PeriodicOptions {
  /** Name for the timeline ('BCL', 'BSM'). */
  name: string;
  periodMs: number;
  /** Offset of the first send from start (ms). Default 0. */
  phaseMs?: number;
  /** The frame, or a function called before each send (to update payload between sends). */
  frame: CanFrame | ((k: number) => CanFrame);
  /** Stop after this many sends. */
  count?: number;
  /** How many actual send times to keep (newest). Default 100000. */
  keepTimes?: number;
  /** Where to record each send's lateness against its due time. */
  latency?: HarnessLatency;
}

export class PeriodicTask {
  /** Clock ns of each actual send (newest `keepTimes`). */
  readonly sendTimes: number[] = [];
  /** Clock ns each send was due. */
  readonly dueTimes: number[] = [];
  sent = 0;
  error: Error | undefined;
  private timer: TimerHandle | undefined;
  /** Set when the transport runs the schedule itself, off the main event loop (a bus worker thread). */
  private wire: PeriodicWireHandle | undefined;
  private stopped = false;
  private frame: CanFrame | ((k: number) => CanFrame);
  private readonly startNs: number;

  constructor(
    private readonly transport: CanTransport,
    private readonly clock: Clock,
    readonly opts: PeriodicOptions,
    private readonly timeline?: Timeline,
  ) {
    if (!(opts.periodMs > 0)) throw new RangeError(`periodic '${opts.name}': periodMs must be > 0, got ${opts.periodMs}`);
    this.frame = opts.frame;
    if (typeof opts.frame !== 'function') validateFrame(opts.frame, `periodic '${opts.name}'`);
    this.startNs = clock.now();
    const wire = periodicWire(transport);
    if (wire) this.startOnWire(wire);
    else this.arm(0);
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Replace the frame (or its producer) from the next send on. */
  update(frame: CanFrame | ((k: number) => CanFrame)): void {
    if (typeof frame !== 'function') validateFrame(frame, `periodic '${this.opts.name}'`);
    this.frame = frame;
    this.wire?.update(this.frameFor(this.sent));
  }

  /** Replace only the payload from the next send on. */
  updateData(data: ArrayLike<number>): void {
    const cur = typeof this.frame === 'function' ? this.frame(this.sent) : this.frame;
    this.update({ ...cur, data: Uint8Array.from(data) });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.wire?.stop();
    this.timeline?.record('session', this.transport.channel, { event: 'periodic-stop', name: this.opts.name, sent: this.sent });
  }

  stats(): PeriodStats {
    return periodStats(this.sendTimes, this.opts.periodMs);
  }

  /** How late each kept send went out against its due time: p50, p99 and max, clock ms. */
  lateness(): { count: number; p50Ms: number; p99Ms: number; maxMs: number } {
    const late = this.sendTimes.map((t, i) => (t - this.dueTimes[i]) / 1e6);
    return { count: late.length, p50Ms: percentile(late, 50), p99Ms: percentile(late, 99), maxMs: late.length ? Math.max(...late) : NaN };
  }

  private frameFor(k: number): CanFrame {
    const f = typeof this.frame === 'function' ? this.frame(k) : this.frame;
    validateFrame(f, `periodic '${this.opts.name}'`);
    return f;
  }

  /**
   * The wire keeps the due times and sends; we keep the statistics from its reports. A frame producer is
   * asked for the next slot's frame after each send (the wire sends what it last got).
   */
  private startOnWire(wire: PeriodicWire): void {
    const spec = { name: this.opts.name, periodMs: this.opts.periodMs, phaseMs: this.opts.phaseMs ?? 0, startNs: this.startNs };
    this.wire = wire.startPeriodic(
      { ...spec, frame: this.frameFor(0), count: this.opts.count },
      {
        sent: ({ k, t, due }) => {
          this.push(this.sendTimes, t);
          this.push(this.dueTimes, due);
          this.opts.latency?.record('schedule', t - due, t);
          this.sent++;
          if (typeof this.frame !== 'function' || this.stopped) return;
          try {
            this.wire?.update(this.frameFor(k + 1));
          } catch (err) {
            this.fail(err);
          }
        },
        done: () => this.stop(),
        failed: (err) => this.fail(err),
      },
    );
  }

  private fail(err: unknown): void {
    this.error = err as Error;
    this.timeline?.record('session', this.transport.channel, {
      event: 'periodic-error',
      name: this.opts.name,
      message: (err as Error).message,
    });
    this.stop();
  }

  private dueNs(k: number): number {
    return this.startNs + ((this.opts.phaseMs ?? 0) + k * this.opts.periodMs) * 1e6;
  }

  private arm(k: number): void {
    if (this.stopped) return;
    if (this.opts.count !== undefined && k >= this.opts.count) {
      this.stop();
      return;
    }
    const due = this.dueNs(k);
    this.timer = this.clock.setTimer(Math.max(0, (due - this.clock.now()) / 1e6), () => void this.fire(k, due));
  }

  private async fire(k: number, due: number): Promise<void> {
    if (this.stopped) return;
    // Arm the next send first, so a slow send() never delays the schedule.
    let next = k + 1;
    // When we are more than one period late (machine stalled), skip the missed slots rather than burst.
    while (this.dueNs(next) <= this.clock.now()) next++;
    this.arm(next);
    try {
      const frame = typeof this.frame === 'function' ? this.frame(k) : this.frame;
      const t = this.clock.now();
      this.push(this.sendTimes, t);
      this.push(this.dueTimes, due);
      this.opts.latency?.record('schedule', t - due, t);
      this.sent++;
      await this.transport.send(frame);
    } catch (err) {
      this.fail(err);
    }
  }

  private push(arr: number[], v: number): void {
    arr.push(v);
    if (arr.length > (this.opts.keepTimes ?? 100_000)) arr.shift();
  }
}

/** Runs the periodic messages of one node (e.g. the BMS: BCL 50 ms, BCS 250 ms, BSM 250 ms). */
export class PeriodicScheduler {
  private readonly tasks = new Map<string, PeriodicTask>();

  constructor(private readonly opts: { transport: CanTransport; clock: Clock; timeline?: Timeline; latency?: HarnessLatency }) {}

  /** Start (or restart) a periodic message; a running task of the same name is stopped first. */
  start(o: PeriodicOptions): PeriodicTask {
    this.tasks.get(o.name)?.stop();
    const task = new PeriodicTask(this.opts.transport, this.opts.clock, { latency: this.opts.latency, ...o }, this.opts.timeline);
    this.tasks.set(o.name, task);
    this.opts.timeline?.record('session', this.opts.transport.channel, {
      event: 'periodic-start',
      name: o.name,
      periodMs: o.periodMs,
      phaseMs: o.phaseMs ?? 0,
    });
    return task;
  }

  task(name: string): PeriodicTask | undefined {
    return this.tasks.get(name);
  }

  stop(name: string): void {
    this.tasks.get(name)?.stop();
  }

  stopAll(): void {
    for (const t of this.tasks.values()) t.stop();
  }
}

export interface PeriodStats {
  count: number;
  /** Intervals between consecutive times, ms. */
  meanPeriodMs: number;
  minPeriodMs: number;
  maxPeriodMs: number;
  /** |interval − nominal| percentiles and maximum, ms. */
  jitterP50Ms: number;
  jitterP99Ms: number;
  jitterMaxMs: number;
}

/** Period and jitter statistics of a series of times (ns), against a nominal period (ms). */
export function periodStats(timesNs: readonly number[], nominalPeriodMs: number): PeriodStats {
  const intervals: number[] = [];
  for (let i = 1; i < timesNs.length; i++) intervals.push((timesNs[i] - timesNs[i - 1]) / 1e6);
  if (intervals.length === 0)
    return {
      count: timesNs.length,
      meanPeriodMs: NaN,
      minPeriodMs: NaN,
      maxPeriodMs: NaN,
      jitterP50Ms: NaN,
      jitterP99Ms: NaN,
      jitterMaxMs: NaN,
    };
  const jitter = intervals.map((x) => Math.abs(x - nominalPeriodMs));
  return {
    count: timesNs.length,
    meanPeriodMs: intervals.reduce((a, b) => a + b, 0) / intervals.length,
    minPeriodMs: Math.min(...intervals),
    maxPeriodMs: Math.max(...intervals),
    jitterP50Ms: percentile(jitter, 50),
    jitterP99Ms: percentile(jitter, 99),
    jitterMaxMs: Math.max(...jitter),
  };
}

/** Nearest-rank percentile (p in 0..100) of values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
