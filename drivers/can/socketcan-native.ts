// Native Linux SocketCAN through the optional `socketcan` npm package (node-can 4.0.7, the last release
// that builds on Node 20). Loaded lazily: machines without the addon or without AF_CAN (containers, CI)
// get a BenchFault that says what to use instead, never a crash at import time.
//
// 4.0.7 copies `data` into a fixed 8/64-byte buffer without checking its length (fixed upstream in 4.2.4),
// so every frame is validated (≤ 8 classic, FD length steps ≤ 64) before it reaches the addon.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { CAN_MAX_DLEN, CANFD_MAX_DLEN, CanFrameError, validateFrame, type CanFrame } from './frame.ts';
import { recordFrame } from './frame-event.ts';
import type { CanListener, CanTransport } from './transport.ts';

interface NativeMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
}

interface NativeChannel {
  addListener(event: 'onMessage' | 'onStopped', cb: (m: NativeMessage) => void): void;
  start(): void;
  stop(): void;
  send(m: { id: number; ext?: boolean; rtr?: boolean; data: Buffer }): void;
  sendFD(m: { id: number; ext?: boolean; data: Buffer }): void;
}

interface SocketcanModule {
  createRawChannel(ifname: string, timestamps?: boolean): NativeChannel;
}

export interface SocketcanOptions {
  /** Kernel interface name: can0, vcan0, … */
  interface: string;
  clock: Clock;
  timeline?: Timeline;
  source?: string;
  /** For tests: load a stand-in module instead of the real addon. */
  loadModule?: () => SocketcanModule;
}

const UNAVAILABLE_FIX =
  "kernel CAN (AF_CAN/SocketCAN) is unavailable here; use kind 'socketcand' (a socketcand daemon on a Linux box with the adapter, or 'mcs-hil can hub') or kind 'virtual-can' for the in-process bus";

function loadAddon(): SocketcanModule {
  const require = createRequire(import.meta.url);
  return require('socketcan') as SocketcanModule;
}

export class SocketcanNative implements CanTransport {
  readonly channel: string;
  readonly source: string;
  private listeners = new Set<CanListener>();
  private closed = false;

  private constructor(
    private readonly native: NativeChannel,
    private readonly opts: SocketcanOptions,
  ) {
    this.channel = opts.interface;
    this.source = opts.source ?? opts.interface;
    native.addListener('onMessage', (m) => this.receive(m));
    native.addListener('onStopped', () => {
      if (!this.closed) opts.timeline?.record('link', this.source, { event: 'can-lost', endpoint: `socketcan ${this.channel}`, reason: 'the channel stopped' });
    });
  }

  static open(opts: SocketcanOptions): SocketcanNative {
    if (process.platform !== 'linux') throw new BenchFault(`socketcan '${opts.interface}': ${UNAVAILABLE_FIX} (platform ${process.platform})`, opts.source ?? opts.interface);
    let mod: SocketcanModule;
    try {
      mod = (opts.loadModule ?? loadAddon)();
    } catch (err) {
      throw new BenchFault(
        `socketcan '${opts.interface}': the optional 'socketcan' npm package (4.0.7) is not installed or did not build (${(err as Error).message}); install it, or ${UNAVAILABLE_FIX}`,
        opts.source ?? opts.interface,
        { cause: err },
      );
    }
    let ch: NativeChannel;
    try {
      ch = mod.createRawChannel(opts.interface, true);
    } catch (err) {
      const hasAfCan = afCanPresent();
      throw new BenchFault(
        hasAfCan
          ? `socketcan '${opts.interface}': cannot open the interface (${(err as Error).message}); check 'ip link show ${opts.interface}' (is it up?)`
          : `socketcan '${opts.interface}': ${UNAVAILABLE_FIX} (${(err as Error).message})`,
        opts.source ?? opts.interface,
        { cause: err },
      );
    }
    const t = new SocketcanNative(ch, opts);
    ch.start();
    opts.timeline?.record('link', t.source, { event: 'can-open', endpoint: `socketcan ${opts.interface}` });
    return t;
  }

  private receive(m: NativeMessage): void {
    if (this.closed) return;
    const frame: CanFrame = { id: m.id, extended: !!m.ext, data: Uint8Array.from(m.data), t: this.opts.clock.now() };
    if (m.rtr) frame.rtr = true;
    if (m.err) frame.error = true;
    // node-can reports no FD flag on receive; a payload longer than 8 can only be FD.
    if (m.data.length > CAN_MAX_DLEN) frame.fd = true;
    recordFrame(this.opts.timeline, this.source, 'rx', frame, this.channel);
    for (const l of this.listeners) {
      try {
        l(frame);
      } catch (err) {
        this.opts.timeline?.record('note', this.source, { message: `CAN listener threw: ${(err as Error)?.message ?? String(err)}` });
      }
    }
  }

  async send(frame: CanFrame): Promise<void> {
    if (this.closed) throw new BenchFault(`socketcan '${this.channel}' is closed`, this.source);
    const where = `socketcan '${this.channel}' send`;
    validateFrame(frame, where);
    // Belt and braces against the 4.0.7 over-length copy, whatever validateFrame allows in future.
    if (frame.data.length > (frame.fd ? CANFD_MAX_DLEN : CAN_MAX_DLEN)) throw new CanFrameError(`payload of ${frame.data.length} bytes`, where);
    if (frame.error) throw new CanFrameError('error frames cannot be sent', where);
    const data = Buffer.from(frame.data);
    try {
      if (frame.fd) this.native.sendFD({ id: frame.id, ext: frame.extended, data });
      else this.native.send({ id: frame.id, ext: frame.extended, rtr: !!frame.rtr, data });
    } catch (err) {
      throw new BenchFault(`socketcan '${this.channel}': send failed (${(err as Error).message}); check the interface state (bus-off?)`, this.source, { cause: err });
    }
    recordFrame(this.opts.timeline, this.source, 'tx', { ...frame, t: this.opts.clock.now() }, this.channel);
  }

  onFrame(listener: CanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    try {
      this.native.stop();
    } catch {
      /* already stopped */
    }
    this.opts.timeline?.record('link', this.source, { event: 'can-close', endpoint: `socketcan ${this.channel}` });
  }
}

/** Whether the kernel offers the CAN protocol family at all (the `can` module is loaded). */
export function afCanPresent(): boolean {
  return existsSync('/proc/net/can');
}
