// Periodic transmit on the injected clock, anchored to the start time (k × period) so that late timer
// callbacks do not accumulate into a slower period. Both timers report how late they fired (clock ns), the
// harness's schedule lateness that timing verdicts carry as uncertainty.

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

  /** (Re)start the timeout: it expires timeoutMs from now unless kicked or cancelled. */
  kick(timeoutMs: number): void {
    this.handle?.cancel();
    const dueNs = this.clock.now() + timeoutMs * 1e6;
    this.handle = this.clock.setTimer(timeoutMs, () => {
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
