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

/** A virtual timer is its own handle: a class method, not a closure made (and named, under tsx) per timer. */
class PendingTimer implements TimerHandle {
  cancelled = false;
  constructor(
    readonly dueNs: number,
    readonly fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/**
 * Virtual time: nothing moves until advance()/runFor() is called, or, with autoAdvance, whenever the
 * process has nothing else to do (see hostIdle) the clock jumps to the next timer. Timers fire in due
 * order; equal due times fire in the order they were set, one per idle point, so what a timer starts has
 * run to its end before the next one fires, however fast or loaded the host is.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private timers: PendingTimer[] = [];
  private autoHandle: NodeJS.Immediate | undefined;
  private auto = false;
  private quietTurns = 0;
  private holds = 0;
  private readonly startWall: number;
  private readonly readingRate: number;
  readonly description: string;

  /**
   * `readingRate` (self-validation fault 'clock-drift' only): now() reads that many times the time its
   * own timers keep, the virtual counterpart of a bench clock that runs fast against the wall.
   */
  constructor(opts: { startWallMs?: number; autoAdvance?: boolean; readingRate?: number } = {}) {
    this.startWall = opts.startWallMs ?? Date.UTC(2026, 0, 1);
    this.readingRate = opts.readingRate ?? 1;
    this.description = this.readingRate === 1 ? 'virtual' : `virtual, reading x${this.readingRate}`;
    if (opts.autoAdvance) this.startAutoAdvance();
  }

  now(): number {
    return this.t * this.readingRate;
  }

  nowMs(): number {
    return this.now() / NS_PER_MS;
  }

  wallMs(): number {
    return this.startWall + this.nowMs();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer = new PendingTimer(this.t + Math.max(0, delayMs) * NS_PER_MS, fn);
    // Keep the list sorted by due time, equal ones in the order they were set: insert after the last one due no later.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timers[mid].dueNs > timer.dueNs) hi = mid;
      else lo = mid + 1;
    }
    this.timers.splice(lo, 0, timer);
    this.scheduleTick();
    return timer;
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
      this.dropCancelled();
      const next = this.timers[0];
      if (!next || next.dueNs > target) break;
      this.fire(this.timers.shift()!);
    }
    this.t = Math.max(this.t, target);
    await settle();
  }

  /** Jump to the next pending timer and fire it; false when there is none. */
  async step(): Promise<boolean> {
    await settle();
    this.dropCancelled();
    const next = this.timers.shift();
    if (!next) return false;
    this.fire(next);
    await settle();
    return true;
  }

  startAutoAdvance(): void {
    this.auto = true;
    this.scheduleTick();
  }

  /**
   * Keep virtual time still while the process waits on something no idle check can see (module loading in
   * the loader thread, a worker): returns the release. Nothing may wait on this clock while it is held.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.scheduleTick();
    };
  }

  stopAutoAdvance(): void {
    this.auto = false;
    if (this.autoHandle) {
      clearImmediate(this.autoHandle);
      ticks.scheduled--;
    }
    this.autoHandle = undefined;
  }

  private fire(timer: PendingTimer): void {
    this.t = Math.max(this.t, timer.dueNs);
    timer.fn();
  }

  private dropCancelled(): void {
    while (this.timers.length && this.timers[0].cancelled) this.timers.shift();
  }

  private scheduleTick(): void {
    if (!this.auto || this.autoHandle || this.holds > 0) return;
    // A pending virtual timer keeps the process alive just like a real one would; with none, nothing spins.
    ticks.scheduled++;
    this.autoHandle = setImmediate(() => {
      ticks.scheduled--;
      this.tick();
    });
  }

  /** One check-phase turn: fire the next timer only after QUIET_TURNS idle turns in a row. */
  private tick(): void {
    this.autoHandle = undefined;
    this.dropCancelled();
    if (!this.timers.length || this.holds > 0) return;
    this.quietTurns = hostIdle() ? this.quietTurns + 1 : 0;
    if (this.quietTurns >= QUIET_TURNS) {
      this.quietTurns = 0;
      this.fire(this.timers.shift()!);
    }
    this.scheduleTick();
  }
}

/**
 * Turns of the event loop the host must stay idle before virtual time may jump. One turn already runs every
 * queued promise and nextTick callback; the second lets I/O completed in that turn's poll phase (an
 * in-memory duplex that defers with setImmediate, a TLS record) be seen as pending work first.
 */
const QUIET_TURNS = 2;

/**
 * Work in flight that a jump of virtual time would overtake: thread-pool requests (fs, dns) and socket
 * writes/connects. Persistent handles (TTY, pipes, servers, host timers such as mocha's timeout) are not
 * work in flight: they would hold virtual time forever.
 */
const PENDING_WORK = /Req(Callback|Promise|Wrap)?$|^(WriteWrap|ShutdownWrap|SendWrap|\w*ConnectWrap)$/;

/** Ticks of auto-advancing virtual clocks waiting in the check phase: not work, each clock's own turn. */
// Kept on globalThis: a process can load this module twice (a spec required as CommonJS, the runner imported as
// ESM, each a module instance of its own); with a counter per instance two clocks took each other's ticks for
// work in flight and neither ever jumped again.
const ticks: { scheduled: number } = ((globalThis as Record<symbol, unknown>)[Symbol.for('mcs-hil.virtual-clock.ticks')] ??= {
  scheduled: 0,
}) as { scheduled: number };

/** True when nothing but persistent handles and host timers is left: no other setImmediate, no request. */
export function hostIdle(): boolean {
  let immediates = 0;
  // Node ≥ 17 (the bundled @types/node predates its declaration).
  for (const r of (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo()) {
    if (r === 'Immediate') immediates++;
    else if (PENDING_WORK.test(r)) return false;
  }
  return immediates <= ticks.scheduled;
}

function sleepOn(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  // Without a signal no listener is needed (the common case of every poll loop: no closure to create and name).
  if (!signal) return new Promise((resolve) => void clock.setTimer(delayMs, resolve));
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

/** Let queued work run: at least a few macrotask turns, and on until the host is idle (bounded). */
async function settle(): Promise<void> {
  for (let i = 0, quiet = 0; quiet < QUIET_TURNS + 1 && i < 10_000; i++) {
    await new Promise<void>((r) => setImmediate(r));
    quiet = hostIdle() ? quiet + 1 : 0;
  }
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
