// The in-process CAN bus (python-can's VirtualBus model): every VirtualCan opened on the same channel name
// in this process receives the frames the others send, never its own, in order and without loss.
// Delivery is asynchronous (a microtask per frame) so a listener that answers a frame never re-enters
// the sender's send() call; microtasks run FIFO, which keeps the bus order.

import { CanBusBase, type CanBusOptions } from './can-bus-base.ts';
import type { CanFrame } from './frame.ts';

const buses = new Map<string, Set<VirtualCan>>();

export type VirtualCanOptions = CanBusOptions;

export class VirtualCan extends CanBusBase {
  constructor(channel: string, opts: VirtualCanOptions) {
    super(channel, opts, { endpoint: `virtual CAN '${channel}' (${opts.source ?? channel})`, linkEvents: false });
    let bus = buses.get(channel);
    if (!bus) buses.set(channel, (bus = new Set()));
    bus.add(this);
  }

  /** How many nodes are on this channel right now (for tests and doctor). */
  static nodes(channel: string): number {
    return buses.get(channel)?.size ?? 0;
  }

  protected transmit(frame: CanFrame): void {
    for (const peer of buses.get(this.channel) ?? []) {
      if (peer !== this) peer.deliverLater(frame);
    }
  }

  protected async release(): Promise<void> {
    const bus = buses.get(this.channel);
    bus?.delete(this);
    if (bus && bus.size === 0) buses.delete(this.channel);
  }

  private deliverLater(frame: CanFrame): void {
    // Each receiver gets its own copy: a listener that mutates data must not change what others see.
    queueMicrotask(() => this.deliver({ ...frame, data: Uint8Array.from(frame.data) }));
  }
}

/** Open a node on the in-process bus `channel` (the helper other engineers' unit tests use). */
export function openVirtualCan(channel: string, opts: VirtualCanOptions): VirtualCan {
  return new VirtualCan(channel, opts);
}
