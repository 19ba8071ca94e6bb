// The machinery every GB/T 27930 node runs on, whichever side it plays (the vehicle's BMS session, the
// emulated charger): its periodic messages, the standard's named receive timeouts, one-shot and repeating
// timers, its state with the timeline record of every change, and sending through the link. The sides keep
// only their own protocol table. Optionally measures the harness's own latency (receive-to-stamp of every
// frame it hears, lateness of its timers) for the timing verdicts' uncertainty.

import type { CanFrame } from '../can/frame.ts';
import { periodicWire, type PeriodicWire } from '../can/periodic-wire.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { HarnessLatency } from '../core/harness-latency.ts';
import type { Timeline } from '../core/timeline.ts';
import { encodeMessage, type EncodeOptions } from './codec.ts';
import type { GbtLink } from './link.ts';
import type { GbtCode, GbtMessageMap } from './messages.ts';
import { PeriodicTask, Watchdog, WirePeriodicTask, type LatenessSink } from './periodic.ts';
import type { GbtTiming, TimeoutName } from './timing.ts';

export type Values = Record<string, unknown>;

/** What actually goes out for one message: undefined holds it back (a misbehaviour hook). */
export type Shaper = (code: GbtCode, values: Values) => { values: Values; opts?: EncodeOptions } | undefined;

/** What a node is wired to: the same for both sides, so their options extend it. */
export interface GbtNodeWiring {
  link: GbtLink;
  clock: Clock;
  timeline?: Timeline;
  source: string;
  timing: GbtTiming;
  /** Where to record the harness's latency (the vehicle side measures itself; an emulated charger need not). */
  latency?: HarnessLatency;
}

/** How a wire transport names its engine ('native real-time helper (…)'), for the uncertainty's source. */
function wireName(wire: PeriodicWire): string {
  const name = (wire as { wire?: unknown }).wire;
  return typeof name === 'string' ? name : 'CAN wire engine';
}

/** Just the wiring out of a side's options: the node need not hold the rest of them. */
export function pickWiring(o: GbtNodeWiring): GbtNodeWiring {
  return { link: o.link, clock: o.clock, timeline: o.timeline, source: o.source, timing: o.timing, latency: o.latency };
}

export interface GbtNodeOptions<S extends string> extends GbtNodeWiring {
  initial: S;
  onTimeout: (name: TimeoutName) => void;
  shape?: Shaper;
  /**
   * Single-frame periodic messages go to the transport's real-time wire when it has one (the native helper or
   * the bus's worker thread): their period no longer waits for the main event loop. The vehicle's BMS asks
   * for it; multi-packet messages (BCS, BCP…: a TP dialogue with the peer) stay on the main thread.
   */
  periodicsOnWire?: boolean;
}

export class GbtNode<S extends string> {
  private st: S;
  private sinceNs: number;
  private readonly tasks = new Map<GbtCode, PeriodicTask | WirePeriodicTask>();
  private readonly watchdogs = new Map<TimeoutName, Watchdog>();
  private readonly timers = new Set<TimerHandle>();
  private readonly stateListeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly late: LatenessSink | undefined;
  private closed = false;

  constructor(readonly opts: GbtNodeOptions<S>) {
    this.st = opts.initial;
    this.sinceNs = opts.clock.now();
    const latency = opts.latency;
    if (latency) {
      this.late = (ns, at) => latency.record('schedule', ns, at);
      // A wire engine stamps received frames (kernel/helper) and its own sends off the main thread.
      const wire = this.wire();
      const engine = wire && wireName(wire);
      if (engine) latency.stampedOnWire(engine);
      const path = engine ? 'wire' : 'main';
      this.unsubscribe.push(
        opts.link.opts.transport.onFrame((f) => {
          if (f.t !== undefined && f.busT !== undefined) latency.record('receive', f.t - f.busT, f.t, path);
        }),
      );
    }
  }

  get state(): S {
    return this.st;
  }

  /** Clock ns of the last state change. */
  get stateSinceNs(): number {
    return this.sinceNs;
  }

  /** Declare a periodic message (started and stopped by code). */
  periodic(code: GbtCode, periodMs: number, build: () => Values): void {
    const send = () => this.send(code, build());
    const task = new PeriodicTask(this.opts.clock, periodMs, send, this.late);
    const wire = this.opts.periodicsOnWire ? this.wire() : undefined;
    const latency = this.opts.latency;
    // The wire's own send lateness: its path's schedule figure, not the main thread's.
    const wireLate: LatenessSink | undefined = latency && ((ns, at) => latency.record('schedule', ns, at, 'wire'));
    this.tasks.set(
      code,
      wire ? new WirePeriodicTask(wire, this.opts.clock, code, this.wireSource(code, build), task, send, wireLate) : task,
    );
  }

  /** The transport's periodic wire: the transport itself or the one a bench resource wraps. */
  private wire(): PeriodicWire | undefined {
    const t = this.opts.link.opts.transport as unknown as { transport?: unknown };
    return periodicWire(t) ?? periodicWire(t.transport);
  }

  private wireSource(code: GbtCode, build: () => Values) {
    const link = this.opts.link;
    const values = new WeakMap<object, Values>();
    return {
      frame: () => {
        const shaped = this.opts.shape ? this.opts.shape(code, build()) : { values: build() };
        if (!shaped) return undefined;
        try {
          const f = link.frameOf(code, encodeMessage(code, shaped.values as GbtMessageMap[typeof code] as never, shaped.opts));
          if (f) values.set(f, shaped.values);
          return f;
        } catch (err) {
          this.note(`sending ${code} failed: ${(err as Error)?.message ?? String(err)}`);
          return undefined;
        }
      },
      sent: (f: CanFrame, t: number) => link.recordSent(code, f.data, values.get(f), t),
      failed: (err: Error) => this.note(`sending ${code} failed: ${err.message}`),
    };
  }

  /** Start (or re-anchor) periodic messages: the first goes out now, or after phaseMs. */
  start(code: GbtCode, phaseMs = 0): void {
    this.tasks.get(code)!.start(phaseMs);
  }

  stop(...codes: GbtCode[]): void {
    for (const c of codes) this.tasks.get(c)?.stop();
  }

  running(code: GbtCode): boolean {
    return !!this.tasks.get(code)?.running;
  }

  /** (Re)start the standard's named timeout, from `fromNs` (a received message's stamp; default now). */
  kick(name: TimeoutName, fromNs?: number): void {
    let w = this.watchdogs.get(name);
    if (!w) this.watchdogs.set(name, (w = new Watchdog(this.opts.clock, name, (n) => this.opts.onTimeout(n as TimeoutName), this.late)));
    w.kick(this.opts.timing.timeoutMs[name], fromNs);
  }

  cancel(...names: TimeoutName[]): void {
    for (const n of names) this.watchdogs.get(n)?.cancel();
  }

  armed(name: TimeoutName): boolean {
    return !!this.watchdogs.get(name)?.armed;
  }

  cancelAllTimeouts(): void {
    for (const w of this.watchdogs.values()) w.cancel();
  }

  /** Silence: every periodic message and every named timeout stops. */
  stopAll(): void {
    for (const t of this.tasks.values()) t.stop();
    this.cancelAllTimeouts();
  }

  /** Run fn once after ms (cancelled by close()). */
  after(ms: number, fn: () => void): TimerHandle {
    const h = this.opts.clock.setTimer(ms, () => {
      this.timers.delete(h);
      fn();
    });
    this.timers.add(h);
    return { cancel: () => (h.cancel(), this.timers.delete(h)) };
  }

  /** Run fn every ms until the returned handle is cancelled (or close()). */
  repeat(ms: number, fn: () => void): TimerHandle {
    let cancelled = false;
    let h: TimerHandle | undefined;
    const arm = () => {
      h = this.after(ms, () => {
        if (cancelled) return;
        arm();
        fn();
      });
    };
    arm();
    return { cancel: () => ((cancelled = true), h?.cancel()) };
  }

  /** Send one message now (through the shaper); a failed send is a timeline note, never a throw. */
  send(code: GbtCode, values: Values): void {
    const shaped = this.opts.shape ? this.opts.shape(code, values) : { values };
    if (!shaped) return;
    this.opts.link.send(code, shaped.values as GbtMessageMap[typeof code] as never, shaped.opts).catch((err: unknown) => {
      this.note(`sending ${code} failed: ${(err as Error)?.message ?? String(err)}`);
    });
  }

  setState(s: S, why: string): void {
    const from = this.st;
    this.st = s;
    this.sinceNs = this.opts.clock.now();
    this.event('state', { from, to: s, why });
    for (const l of [...this.stateListeners]) l();
  }

  /**
   * Resolve true as soon as reached() holds (checked now and on every state change), false when gaveUp()
   * holds first (unless reached() too) or timeoutMs passes, or on close().
   */
  waitUntil(reached: () => boolean, gaveUp: () => boolean, timeoutMs: number): Promise<boolean> {
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.opts.clock.setTimer(timeoutMs, () => done(false));
      const off = this.onStateChange(() => {
        if (reached()) done(true);
        else if (gaveUp() || this.closed) done(false);
      });
      const done = (ok: boolean) => {
        timer.cancel();
        off();
        resolve(ok);
      };
    });
  }

  onStateChange(cb: () => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  event(what: string, data: Values): void {
    this.opts.timeline?.record('session', this.opts.source, { event: what, state: this.st, ...data });
  }

  note(message: string): void {
    this.opts.timeline?.record('note', this.opts.source, { message });
  }

  close(): void {
    this.closed = true;
    this.stopAll();
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    for (const u of this.unsubscribe) u();
    for (const l of [...this.stateListeners]) l();
  }
}
