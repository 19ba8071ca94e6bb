// The in-process CAN bus (python-can's VirtualBus model): every VirtualCan opened on the same channel name
// in this process receives the frames the others send, never its own, in order and without loss.
// Delivery is asynchronous (a microtask per frame) so a listener that answers a frame never re-enters
// the sender's send() call; microtasks run FIFO, which keeps the bus order.

import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { validateFrame, type CanFrame } from './frame.ts';
import { recordFrame } from './frame-event.ts';
import type { CanListener, CanTransport } from './transport.ts';

const buses = new Map<string, Set<VirtualCan>>();

export interface VirtualCanOptions {
  clock: Clock;
  timeline?: Timeline;
  /** Timeline source name (default: the channel). */
  source?: string;
}

export class VirtualCan implements CanTransport {
  private listeners = new Set<CanListener>();
  private closed = false;
  readonly source: string;

  constructor(
    readonly channel: string,
    private readonly opts: VirtualCanOptions,
  ) {
    this.source = opts.source ?? channel;
    let bus = buses.get(channel);
    if (!bus) buses.set(channel, (bus = new Set()));
    bus.add(this);
  }

  async send(frame: CanFrame): Promise<void> {
    if (this.closed) throw new BenchFault(`virtual CAN '${this.channel}' (${this.source}) is closed; open it again before sending`, this.source);
    validateFrame(frame, `virtual CAN '${this.channel}' send`);
    const sent: CanFrame = { ...frame, data: Uint8Array.from(frame.data), t: this.opts.clock.now() };
    recordFrame(this.opts.timeline, this.source, 'tx', sent, this.channel);
    for (const peer of buses.get(this.channel) ?? []) {
      if (peer !== this) peer.deliverLater(sent);
    }
  }

  onFrame(listener: CanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const bus = buses.get(this.channel);
    bus?.delete(this);
    if (bus && bus.size === 0) buses.delete(this.channel);
    this.listeners.clear();
  }

  /** How many nodes are on this channel right now (for tests and doctor). */
  static nodes(channel: string): number {
    return buses.get(channel)?.size ?? 0;
  }

  private deliverLater(frame: CanFrame): void {
    queueMicrotask(() => {
      if (this.closed) return;
      // Each receiver gets its own copy: a listener that mutates data must not change what others see.
      const rx: CanFrame = { ...frame, data: Uint8Array.from(frame.data), t: this.opts.clock.now(), busT: frame.t };
      recordFrame(this.opts.timeline, this.source, 'rx', rx, this.channel);
      for (const l of this.listeners) {
        try {
          l(rx);
        } catch (err) {
          this.opts.timeline?.record('note', this.source, { message: `CAN listener threw: ${(err as Error)?.message ?? String(err)}` });
        }
      }
    });
  }
}

/** Open a node on the in-process bus `channel` (the helper other engineers' unit tests use). */
export function openVirtualCan(channel: string, opts: VirtualCanOptions): VirtualCan {
  return new VirtualCan(channel, opts);
}
