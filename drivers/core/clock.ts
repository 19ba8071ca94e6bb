// The injected clock. Drivers, emulators and sessions take time only from here (never Date.now() or a
// bare setTimeout), so the same code runs on a real bench, time-scaled on the emulator, or on virtual
// time in unit tests.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic time in nanoseconds since this clock started. */
  now(): number;
  /** Monotonic time in milliseconds since this clock started (now() / 1e6). */
  nowMs(): number;
  /** Wall-clock epoch milliseconds that correspond to now(): for human timestamps only. */
  wallMs(): number;
  /** Call fn once after delayMs of this clock's time. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Resolve after delayMs of this clock's time; rejects with the signal's reason when aborted. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
  /** Short name for the timeline and reports: 'real', 'scaled x4', 'virtual'. */
  readonly description: string;
}

export const NS_PER_MS = 1e6;

/** Real time, optionally running `rate` times faster than the wall clock (rate 1 = real). */
export class RealClock implements Clock {
  private readonly startHr = process.hrtime.bigint();
  private readonly startWall = Date.now();
  readonly description: string;

  constructor(readonly rate = 1) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`clock rate must be a positive number, got ${rate}`);
    this.description = rate === 1 ? 'real' : `scaled x${rate}`;
  }

  now(): number {
    return Number(process.hrtime.bigint() - this.startHr) * this.rate;
  }

  nowMs(): number {
    return this.now() / NS_PER_MS;
  }

  wallMs(): number {
    return this.startWall + this.nowMs();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const h = setTimeout(fn, Math.max(0, delayMs / this.rate));
    return { cancel: () => clearTimeout(h) };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}

interface PendingTimer {
  dueNs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Virtual time: nothing moves until advance()/runFor() is called, or, with autoAdvance, whenever the
 * process has nothing else to do (every pending promise and I/O callback has run) the clock jumps to
 * the next timer. Timers fire in due order; equal due times fire in the order they were set.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: PendingTimer[] = [];
  private autoHandle: NodeJS.Immediate | undefined;
  private auto = false;
  private readonly startWall: number;
  readonly description = 'virtual';

  constructor(opts: { startWallMs?: number; autoAdvance?: boolean } = {}) {
    this.startWall = opts.startWallMs ?? Date.UTC(2026, 0, 1);
    if (opts.autoAdvance) this.startAutoAdvance();
  }

  now(): number {
    return this.t;
  }

  nowMs(): number {
    return this.t / NS_PER_MS;
  }

  wallMs(): number {
    return this.startWall + this.nowMs();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { dueNs: this.t + Math.max(0, delayMs) * NS_PER_MS, seq: this.seq++, fn, cancelled: false };
    // Keep the list sorted by (due, seq); timers are few, insertion sort is fine.
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1].dueNs > timer.dueNs)) i--;
    this.timers.splice(i, 0, timer);
    this.scheduleTick();
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /** Number of timers still waiting. */
  pendingTimers(): number {
    return this.timers.filter((x) => !x.cancelled).length;
  }

  /** Move time forward by ms, firing every timer that falls due on the way (settling promises between them). */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms * NS_PER_MS;
    for (;;) {
      await settle();
      const next = this.timers[0];
      if (!next || next.dueNs > target) break;
      this.timers.shift();
      if (next.cancelled) continue;
      this.t = Math.max(this.t, next.dueNs);
      next.fn();
    }
    this.t = Math.max(this.t, target);
    await settle();
  }

  /** Jump to the next pending timer and fire it; false when there is none. */
  async step(): Promise<boolean> {
    await settle();
    while (this.timers.length && this.timers[0].cancelled) this.timers.shift();
    const next = this.timers.shift();
    if (!next) return false;
    this.t = Math.max(this.t, next.dueNs);
    next.fn();
    await settle();
    return true;
  }

  startAutoAdvance(): void {
    this.auto = true;
    this.scheduleTick();
  }

  private scheduleTick(): void {
    if (!this.auto || this.autoHandle) return;
    // setImmediate runs after the I/O callbacks of this loop turn: pending promise work has run, so the
    // process is idle and time may jump to the next timer. A pending virtual timer keeps the process
    // alive just like a real one would; with none pending, nothing spins.
    this.autoHandle = setImmediate(() => {
      this.autoHandle = undefined;
      while (this.timers.length && this.timers[0].cancelled) this.timers.shift();
      const next = this.timers.shift();
      if (next) {
        this.t = Math.max(this.t, next.dueNs);
        next.fn();
      }
      if (this.timers.length) this.scheduleTick();
    });
  }

  stopAutoAdvance(): void {
    this.auto = false;
    if (this.autoHandle) clearImmediate(this.autoHandle);
    this.autoHandle = undefined;
  }
}

function sleepOn(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      handle.cancel();
      reject(signal!.reason);
    };
    const handle = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Let queued promise callbacks run (a few macrotask turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Wait until pred() is true, polling on the clock every pollMs; false on timeout. */
export async function waitFor(clock: Clock, pred: () => boolean, timeoutMs: number, pollMs = 5): Promise<boolean> {
  const end = clock.nowMs() + timeoutMs;
  while (!pred()) {
    if (clock.nowMs() >= end) return false;
    await clock.sleep(Math.min(pollMs, Math.max(0, end - clock.nowMs())));
  }
  return true;
}
