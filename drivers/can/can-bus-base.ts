// What every CAN transport does the same way (python-can's BusABC): refuse sends once closed or lost,
// validate a frame before it reaches the wire, stamp and record every frame on the timeline, hand received
// frames to the listeners (a listener's bug never stops the others), turn a lost link into one BenchFault,
// and close once. A transport extends it with only its wire: transmit(), release() and refuse().

import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { validateFrame, type CanFrame } from './frame.ts';
import { recordFrame } from './frame-event.ts';
import type { CanListener, CanTransport } from './transport.ts';

/** Options every transport takes. */
export interface CanBusOptions {
  clock: Clock;
  timeline?: Timeline;
  /** Timeline source and BenchFault resource name (default: the channel). */
  source?: string;
}

/** How a transport names its link in messages and on the timeline. */
export interface CanLinkDescription {
  /** "socketcand 127.0.0.1:29536 bus 'gbt'", "virtual CAN 'gbt'": starts every message. */
  endpoint: string;
  /** Record can-open / can-close / can-lost 'link' events (an in-process bus has no link to report). */
  linkEvents: boolean;
}

export abstract class CanBusBase implements CanTransport {
  readonly channel: string;
  readonly source: string;
  protected readonly clock: Clock;
  protected readonly timeline: Timeline | undefined;
  private readonly listeners = new Set<CanListener>();
  private readonly lostListeners = new Set<(fault: BenchFault) => void>();
  private closed = false;
  private lostFault: BenchFault | undefined;

  protected constructor(
    channel: string,
    opts: CanBusOptions,
    private readonly link: CanLinkDescription,
  ) {
    this.channel = channel;
    this.source = opts.source ?? channel;
    this.clock = opts.clock;
    this.timeline = opts.timeline;
  }

  get endpoint(): string {
    return this.link.endpoint;
  }

  /** Set when the link went away without close(): every later send rejects with it. */
  get lost(): BenchFault | undefined {
    return this.lostFault;
  }

  /**
   * Put the stamped frame on the wire. Throw synchronously when it cannot go out (nothing is recorded
   * then); return a promise when the caller must wait for the wire to take more (backpressure).
   */
  protected abstract transmit(frame: CanFrame): void | Promise<void>;

  /** Let go of the wire (socket, channel, bus membership); called once, by close(). */
  protected abstract release(): Promise<void>;

  /** Refuse a valid frame this wire cannot carry (remote, error, FD…); default: all are fine. */
  protected refuse(_frame: CanFrame, _where: string): void {}

  async send(frame: CanFrame): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.closed) throw this.fault('the transport is closed; open it again before sending');
    const where = `${this.endpoint} send`;
    validateFrame(frame, where);
    this.refuse(frame, where);
    const sent: CanFrame = { ...frame, data: Uint8Array.from(frame.data), t: this.clock.now() };
    const backpressure = this.transmit(sent);
    recordFrame(this.timeline, this.source, 'tx', sent, this.channel);
    if (backpressure) {
      await backpressure;
      if (this.lost) throw this.lost;
    }
  }

  onFrame(listener: CanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once when the link goes away without close() (a socket closed, a channel stopped). */
  onLost(listener: (fault: BenchFault) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    const hadLink = !this.lost;
    await this.release();
    if (hadLink) this.recordLink('can-close');
  }

  /**
   * A frame came in from the wire: stamp it with our clock, record it, hand it to every listener.
   * Receive-to-stamp latency (our stamp minus the bus's) is knowable only where the wire carries its own
   * stamp: `busWallUs`, the wall µs a hub or the kernel stamped it with (mapped to our clock the way our hub
   * maps them), or the `t` an in-process bus sent the frame with. frame.busT carries it; the frame event
   * records t − busT. `stampedAt`: our stamp when it was taken earlier than now (clock ns; a bus worker
   * thread stamps a frame when its bytes arrive, before the main thread gets to it).
   */
  protected deliver(frame: CanFrame, busWallUs?: number, stampedAt?: number): void {
    if (this.closed) return;
    const busT = busWallUs !== undefined ? (busWallUs / 1e3 - (this.clock.wallMs() - this.clock.nowMs())) * 1e6 : frame.t;
    frame.t = stampedAt ?? this.clock.now();
    if (busT !== undefined) frame.busT = busT;
    recordFrame(this.timeline, this.source, 'rx', frame, this.channel);
    for (const l of this.listeners) {
      try {
        l(frame);
      } catch (err) {
        this.timeline?.record('note', this.source, { message: `CAN listener threw: ${(err as Error)?.message ?? String(err)}` });
      }
    }
  }

  /** The link is gone (not by close()): one BenchFault, on the timeline, to onLost listeners and every later send. */
  protected linkLost(why: string, fix: string, cause?: unknown): void {
    if (this.closed || this.lost) return;
    const fault = (this.lostFault = this.fault(`connection lost (${why}); ${fix}`, cause));
    this.recordLink('can-lost', { reason: why });
    for (const l of this.lostListeners) {
      try {
        l(fault);
      } catch {
        /* a listener's bug must not hide the fault */
      }
    }
  }

  /** A bench problem on this link, worded "<endpoint>: <what>; <fix>" and attributed to this resource. */
  protected fault(what: string, cause?: unknown): BenchFault {
    return new BenchFault(`${this.endpoint}: ${what}`, this.source, cause === undefined ? undefined : { cause });
  }

  protected recordLink(event: string, data: Record<string, unknown> = {}): void {
    if (this.link.linkEvents) this.timeline?.record('link', this.source, { event, endpoint: this.endpoint, ...data });
  }
}
