// A socketcand transport whose wire lives off the main event loop: in the native real-time helper when it is
// built (rt-engine.ts: SCHED_FIFO, absolute CLOCK_MONOTONIC sleeps, kernel receive stamps), else in a worker
// thread (worker-thread.ts). The socket, receive stamps and periodic sends never wait for the main thread, so
// a busy one (EXI, plots, timeline, reports) no longer moves them. To its users it is the same CanTransport as
// SocketcandCan (open, send, onFrame, onLost, close) plus PeriodicWire for the scheduler. Times come back as
// process.hrtime ns, mapped onto the bench clock (real, any rate: exact, as RealClock counts from the same
// monotonic clock).

import { VirtualClock, type Clock } from '../core/clock.ts';
import { CanBusBase } from './can-bus-base.ts';
import type { CanFrame } from './frame.ts';
import { recordFrame } from './frame-event.ts';
import type { PeriodicWire, PeriodicWireEvents, PeriodicWireHandle, PeriodicWireSpec } from './periodic-wire.ts';
import type { SocketcandOptions } from './socketcand-client.ts';
import { SOCKETCAND_PORT } from './socketcand-protocol.ts';
import type { FromWorker, ToWorker, WorkerLinkSettings } from './worker-messages.ts';
import { WorkerThreadEngine, type WireEngine, type WireEngineEvents } from './worker-engine.ts';
import { wireFrame } from './worker-session.ts';
import { NativeWireEngine, wireEngineChoice } from './rt-engine.ts';

const NO_RECONNECT = 'the harness does not reconnect by itself — check the server and the network, then rerun';

/** hr ns ↔ clock ns for a real (possibly scaled) clock, fixed once. */
export function hrMapping(clock: Clock): { toClock(hr: number): number; toHr(clockNs: number): number; rate: number } {
  const rate = (clock as { rate?: number }).rate ?? 1;
  const hr0 = Number(process.hrtime.bigint());
  const c0 = clock.now();
  return { rate, toClock: (hr) => c0 + (hr - hr0) * rate, toHr: (ns) => hr0 + (ns - c0) / rate };
}

export interface WorkerCanOptions extends SocketcandOptions {
  /** Force the engine (default: the native helper when built, else a worker thread). */
  engine?: 'native' | 'worker';
  /** Worker engine only: run its thread under SCHED_FIFO at this priority (perf/can-jitter.ts compares it). */
  fifoPriority?: number;
}

export class WorkerSocketcandCan extends CanBusBase implements PeriodicWire {
  private engine!: WireEngine;
  private readonly map: ReturnType<typeof hrMapping>;
  private readonly periodics = new Map<string, PeriodicWireEvents>();
  private closedByWorker: (() => void) | undefined;
  private openResult: ((err?: Error) => void) | undefined;
  private opened = false;
  /** The engine ended (thread exited, helper process gone): nothing will answer a close. */
  private engineGone = false;

  private constructor(
    private readonly opts: WorkerCanOptions,
    private readonly engineKind: 'native' | 'worker',
  ) {
    const on = engineKind === 'native' ? 'native real-time helper' : 'worker thread';
    super(opts.bus, opts, {
      endpoint: `socketcand ${opts.host}:${opts.port ?? SOCKETCAND_PORT} bus '${opts.bus}' (${on})`,
      linkEvents: true,
    });
    this.map = hrMapping(opts.clock);
  }

  /** Which wire runs the bus and what it got from the system, for the run environment. */
  get wire(): string {
    return `${this.engine.name}${this.engine.detail ? ` (${this.engine.detail})` : ''}`;
  }

  /**
   * Start the bus's wire (the native helper when built, else a worker thread; `engine` forces one), connect,
   * open the bus and enter rawmode; BenchFault (with what to check) when any step fails.
   */
  static async open(opts: WorkerCanOptions): Promise<WorkerSocketcandCan> {
    const t = new WorkerSocketcandCan(opts, opts.engine ?? wireEngineChoice().engine);
    if (opts.clock instanceof VirtualClock || opts.clock.description === 'virtual')
      throw t.fault("a socketcand transport needs real time (bench clock 'real', any rate); with a virtual clock use kind 'virtual-can'");
    await new Promise<void>((resolve, reject) => {
      t.openResult = (err) => (err ? reject(err) : resolve());
      t.spawn();
    });
    return t;
  }

  private spawn(): void {
    // Bench time → wall time: the worker's own timers run on the wall clock.
    const connectTimeoutMs = (this.opts.connectTimeoutMs ?? 5000) / this.map.rate;
    const port = this.opts.port ?? SOCKETCAND_PORT;
    const settings: WorkerLinkSettings = {
      host: this.opts.host,
      port,
      bus: this.opts.bus,
      connectTimeoutMs,
      fifoPriority: this.opts.fifoPriority,
    };
    const events: WireEngineEvents = { message: (m) => this.onWorker(m), gone: (why, cause) => this.workerGone(why, cause) };
    this.engine =
      this.engineKind === 'native'
        ? new NativeWireEngine(settings, events, (ms, fn) => {
            const h = this.opts.clock.setTimer(ms * this.map.rate, fn);
            return () => h.cancel();
          })
        : new WorkerThreadEngine(settings, events);
  }

  startPeriodic(spec: PeriodicWireSpec, events: PeriodicWireEvents): PeriodicWireHandle {
    if (this.lost) throw this.lost;
    this.periodics.set(spec.name, events);
    const periodNs = (spec.periodMs * 1e6) / this.map.rate;
    const phaseNs = (spec.phaseMs * 1e6) / this.map.rate;
    const frame = wireFrame(spec.frame);
    this.post({ op: 'periodic', name: spec.name, periodNs, phaseNs, startHr: this.map.toHr(spec.startNs), frame, count: spec.count });
    return {
      update: (f) => this.post({ op: 'periodic-update', name: spec.name, frame: wireFrame(f) }),
      stop: () => {
        if (this.periodics.get(spec.name) !== events) return;
        this.periodics.delete(spec.name);
        this.post({ op: 'periodic-stop', name: spec.name });
      },
    };
  }

  protected override refuse(frame: CanFrame): void {
    if (frame.rtr) throw this.fault('socketcand rawmode cannot send remote frames');
    if (frame.error) throw this.fault('socketcand rawmode cannot send error frames');
  }

  protected transmit(frame: CanFrame): void {
    this.post({ op: 'send', frame: wireFrame(frame) });
  }

  protected async release(): Promise<void> {
    this.periodics.clear();
    if (this.engineGone) return;
    const closed = new Promise<void>((resolve) => (this.closedByWorker = resolve));
    this.post({ op: 'close' });
    await closed;
    await this.engine.terminate();
  }

  private post(m: ToWorker): void {
    this.engine.post(m);
  }

  private onWorker(m: FromWorker): void {
    switch (m.op) {
      case 'open':
        this.opened = true;
        this.recordLink('can-open');
        this.openResult?.();
        return;
      case 'open-failed':
        this.recordLink('can-open-failed', { reason: m.why });
        void this.engine.terminate();
        this.openResult?.(this.fault(`${m.why}; ${m.fix}`));
        this.openResult = undefined;
        return;
      case 'rx': {
        const t = this.map.toClock(m.hr);
        for (const { frame, busUs } of m.frames) this.deliver({ ...frame }, busUs, t);
        return;
      }
      case 'periodic-sent': {
        const t = this.map.toClock(m.hr);
        recordFrame(this.timeline, this.source, 'tx', { ...m.frame, t }, this.channel);
        this.periodics.get(m.name)?.sent({ k: m.k, t, due: this.map.toClock(m.dueHr) });
        return;
      }
      case 'periodic-done':
        this.periodics.get(m.name)?.done();
        this.periodics.delete(m.name);
        return;
      case 'bad-input':
        this.recordLink('bad-input', { message: m.message });
        return;
      case 'server-error':
        this.recordLink('server-error', { message: m.message });
        return;
      case 'lost':
        this.linkLost(m.why, NO_RECONNECT);
        this.failPeriodics();
        return;
      case 'closed':
        this.closedByWorker?.();
        return;
    }
  }

  private workerGone(why: string, cause?: unknown): void {
    this.engineGone = true;
    this.closedByWorker?.();
    if (!this.opened) {
      this.openResult?.(this.fault(`${why}; check the harness installation (tsx) and rerun`, cause));
      this.openResult = undefined;
      return;
    }
    this.linkLost(why, NO_RECONNECT, cause);
    this.failPeriodics();
  }

  private failPeriodics(): void {
    const err = this.lost;
    if (!err) return;
    for (const e of this.periodics.values()) e.failed(err);
    this.periodics.clear();
  }
}
