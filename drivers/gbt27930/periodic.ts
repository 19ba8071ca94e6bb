// Periodic transmit on the injected clock, anchored to the start time (k × period) so that late timer
// callbacks do not accumulate into a slower period. Both timers report how late they fired (clock ns), the
// harness's schedule lateness that timing verdicts carry as uncertainty.

import type { CanFrame } from '../can/frame.ts';
import type { PeriodicWire, PeriodicWireHandle } from '../can/periodic-wire.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';

/** Told how late a timer fired against its due time (clock ns), and when. */
export type LatenessSink = (lateNs: number, atNs: number) => void;

export class PeriodicTask {
  private handle: TimerHandle | undefined;
  private startMs = 0;
  private k = 0;

  constructor(
    private readonly clock: Clock,
    readonly periodMs: number,
    private readonly fn: () => void,
    private readonly onLate?: LatenessSink,
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Fire now (synchronously, when phaseMs is 0) or after phaseMs, then every period. Restarting re-anchors. */
  start(phaseMs = 0): void {
    this.stop();
    this.startMs = this.clock.nowMs() + phaseMs;
    this.k = 0;
    if (phaseMs > 0) return this.arm();
    // The first frame goes out now: a state change and its first message are one event, and nothing
    // scheduled for the same instant (another state change) can cancel it before it is sent.
    this.k = 1;
    this.arm();
    this.fn();
  }

  stop(): void {
    this.handle?.cancel();
    this.handle = undefined;
  }

  private arm(): void {
    const due = this.startMs + this.k * this.periodMs;
    this.handle = this.clock.setTimer(Math.max(0, due - this.clock.nowMs()), () => {
      if (!this.handle) return;
      const now = this.clock.now();
      this.onLate?.(now - due * 1e6, now);
      this.k++;
      // If the host stalled for several periods, skip the missed slots instead of bursting them.
      const behind = Math.floor((this.clock.nowMs() - this.startMs) / this.periodMs);
      if (behind >= this.k) this.k = behind + 1;
      this.arm();
      this.fn();
    });
  }
}

/** A restartable one-shot timeout (the standard's named timers). */
export class Watchdog {
  private handle: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    readonly name: string,
    private readonly onExpire: (name: string) => void,
    private readonly onLate?: LatenessSink,
  ) {}

  get armed(): boolean {
    return this.handle !== undefined;
  }

  /**
   * (Re)start the timeout: it expires timeoutMs after `fromNs` (default now) unless kicked or cancelled. A node
   * that restarts it on a received message passes the message's receive stamp, so the time the main thread took
   * to get to the message is not added to the timeout.
   */
  kick(timeoutMs: number, fromNs?: number): void {
    this.handle?.cancel();
    const now = this.clock.now();
    const dueNs = Math.min(now, fromNs ?? now) + timeoutMs * 1e6;
    this.handle = this.clock.setTimer(Math.max(0, (dueNs - now) / 1e6), () => {
      this.handle = undefined;
      const now = this.clock.now();
      this.onLate?.(now - dueNs, now);
      this.onExpire(this.name);
    });
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = undefined;
  }
}

/** What a periodic message on the wire needs from its node. */
export interface WireMessageSource {
  /** The frame of the next send: built, shaped and encoded now; undefined when it is held back or needs TP. */
  frame(): CanFrame | undefined;
  /** The wire sent `frame` at t (clock ns): record it as the node's own sends are. */
  sent(frame: CanFrame, t: number): void;
  /** The wire is gone: no further sends. */
  failed(err: Error): void;
}

/**
 * A periodic message the transport's real-time wire sends (rt-engine.ts, worker-thread.ts), off the main event
 * loop, at start + phase + k·period. The first frame of a start still goes out at once through the main path
 * (`fallback`'s function, as PeriodicTask does). After each send the next frame is built here and handed to the
 * wire; a message the node holds back (a misbehaviour hook) or that needs the transport protocol runs on the
 * main-thread PeriodicTask `fallback` instead, from its next slot on, until the next start().
 */
export class WirePeriodicTask {
  private handle: PeriodicWireHandle | undefined;

  constructor(
    private readonly wire: PeriodicWire,
    private readonly clock: Clock,
    private readonly name: string,
    private readonly src: WireMessageSource,
    private readonly fallback: PeriodicTask,
    private readonly send: () => void,
    private readonly onLate?: LatenessSink,
  ) {}

  get running(): boolean {
    return this.handle !== undefined || this.fallback.running;
  }

  start(phaseMs = 0): void {
    this.stop();
    let frame = this.src.frame();
    if (!frame) return this.fallback.start(phaseMs);
    const period = this.fallback.periodMs;
    const startNs = this.clock.now();
    const firstMs = phaseMs > 0 ? phaseMs : period;
    const spec = { name: this.name, periodMs: period, phaseMs: firstMs, startNs, frame };
    const handle = this.wire.startPeriodic(spec, {
      sent: ({ k, t, due }) => {
        // Every send the wire reports was on the bus, also one reported after a stop: it is evidence.
        this.onLate?.(t - due, t);
        this.src.sent(frame!, t);
        if (this.handle !== handle) return;
        const next = this.src.frame();
        if (next) return handle.update((frame = next));
        // Held back from the next slot on: the main thread keeps the same schedule from there.
        this.stop();
        const nextDueNs = startNs + (firstMs + (k + 1) * period) * 1e6;
        this.fallback.start(Math.max(0, (nextDueNs - this.clock.now()) / 1e6));
      },
      done: () => this.stop(),
      failed: (err) => {
        if (this.handle === handle) this.handle = undefined;
        this.src.failed(err);
      },
    });
    this.handle = handle;
    if (phaseMs <= 0) this.send();
  }

  stop(): void {
    this.handle?.stop();
    this.handle = undefined;
    this.fallback.stop();
  }
}
