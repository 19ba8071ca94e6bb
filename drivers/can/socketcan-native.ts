// Native Linux SocketCAN through the optional `socketcan` npm package (node-can 4.0.7, the last release
// that builds on Node 20). Loaded lazily: machines without the addon or without AF_CAN (containers, CI)
// get a BenchFault that says what to use instead, never a crash at import time.
//
// 4.0.7 copies `data` into a fixed 8/64-byte buffer without checking its length (fixed upstream in 4.2.4),
// so every frame is validated (≤ 8 classic, FD length steps ≤ 64) before it reaches the addon.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BenchFault } from '../core/errors.ts';
import { CanBusBase, type CanBusOptions } from './can-bus-base.ts';
import { CAN_MAX_DLEN, CANFD_MAX_DLEN, CanFrameError, type CanFrame } from './frame.ts';

interface NativeMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
  /** Kernel receive stamp (SO_TIMESTAMP, wall clock), present because the channel asks for timestamps. */
  ts_sec?: number;
  ts_usec?: number;
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

export interface SocketcanOptions extends CanBusOptions {
  /** Kernel interface name: can0, vcan0, … */
  interface: string;
  /** For tests: load a stand-in module instead of the real addon. */
  loadModule?: () => SocketcanModule;
}

const UNAVAILABLE_FIX =
  "kernel CAN (AF_CAN/SocketCAN) is unavailable here; use kind 'socketcand' (a socketcand daemon on a Linux box with the adapter, " +
  "or 'mcs-hil can hub') or kind 'virtual-can' for the in-process bus";

function loadAddon(): SocketcanModule {
  const require = createRequire(import.meta.url);
  return require('socketcan') as SocketcanModule;
}

export class SocketcanNative extends CanBusBase {
  private constructor(
    private readonly native: NativeChannel,
    opts: SocketcanOptions,
  ) {
    super(opts.interface, opts, { endpoint: `socketcan '${opts.interface}'`, linkEvents: true });
    native.addListener('onMessage', (m) => this.receive(m));
    native.addListener('onStopped', () =>
      this.linkLost('the channel stopped', `check 'ip -details link show ${this.channel}' (down? bus-off?), then rerun`),
    );
  }

  /** Open the interface; BenchFault saying what to use instead where there is no addon or no AF_CAN. */
  static open(opts: SocketcanOptions): SocketcanNative {
    const unavailable = (why: string, cause?: unknown) =>
      new BenchFault(`socketcan '${opts.interface}': ${why}`, opts.source ?? opts.interface, cause === undefined ? undefined : { cause });
    if (process.platform !== 'linux') throw unavailable(`${UNAVAILABLE_FIX} (platform ${process.platform})`);
    let mod: SocketcanModule;
    try {
      mod = (opts.loadModule ?? loadAddon)();
    } catch (err) {
      const why = `the optional 'socketcan' npm package (4.0.7) is not installed or did not build (${(err as Error).message})`;
      throw unavailable(`${why}; install it, or ${UNAVAILABLE_FIX}`, err);
    }
    let ch: NativeChannel;
    try {
      ch = mod.createRawChannel(opts.interface, true);
    } catch (err) {
      const msg = (err as Error).message;
      throw unavailable(
        afCanPresent()
          ? `cannot open the interface (${msg}); check 'ip link show ${opts.interface}' (is it up?)`
          : `${UNAVAILABLE_FIX} (${msg})`,
        err,
      );
    }
    const t = new SocketcanNative(ch, opts);
    ch.start();
    t.recordLink('can-open');
    return t;
  }

  private receive(m: NativeMessage): void {
    const frame: CanFrame = { id: m.id, extended: !!m.ext, data: Uint8Array.from(m.data) };
    if (m.rtr) frame.rtr = true;
    if (m.err) frame.error = true;
    // node-can reports no FD flag on receive; a payload longer than 8 can only be FD.
    if (m.data.length > CAN_MAX_DLEN) frame.fd = true;
    // The kernel stamps in real wall time: it maps onto our clock only when that runs at rate 1.
    const kernelUs = m.ts_sec !== undefined && m.ts_usec !== undefined ? m.ts_sec * 1e6 + m.ts_usec : undefined;
    this.deliver(frame, this.clock.description === 'real' ? kernelUs : undefined);
  }

  protected override refuse(frame: CanFrame, where: string): void {
    // Belt and braces against the 4.0.7 over-length copy, whatever validateFrame allows in future.
    if (frame.data.length > (frame.fd ? CANFD_MAX_DLEN : CAN_MAX_DLEN))
      throw new CanFrameError(`payload of ${frame.data.length} bytes`, where);
    if (frame.error) throw new CanFrameError('error frames cannot be sent', where);
  }

  protected transmit(frame: CanFrame): void {
    const data = Buffer.from(frame.data);
    try {
      if (frame.fd) this.native.sendFD({ id: frame.id, ext: frame.extended, data });
      else this.native.send({ id: frame.id, ext: frame.extended, rtr: !!frame.rtr, data });
    } catch (err) {
      throw this.fault(`send failed (${(err as Error).message}); check the interface state (bus-off?)`, err);
    }
  }

  protected async release(): Promise<void> {
    try {
      this.native.stop();
    } catch {
      /* already stopped */
    }
  }
}

/** Whether the kernel offers the CAN protocol family at all (the `can` module is loaded). */
export function afCanPresent(): boolean {
  return existsSync('/proc/net/can');
}
