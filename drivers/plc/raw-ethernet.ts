// Raw Ethernet frames of one EtherType on a Linux interface (HomePlug AV MMEs, 0x88E1): what SLAC needs,
// whether the interface is a real vehicle-side Green PHY modem's netdev or the emulated link's veth end.
//
// Node has no AF_PACKET socket of its own; this uses the npm `cap` binding to libpcap (built against
// Debian's libpcap-dev during npm ci). libpcap gives a kernel BPF filter (only our EtherType and only
// frames arriving from the wire reach JavaScript), immediate delivery, and the same code on any netdev.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BenchFault } from '../core/errors.ts';
import { ETHERTYPE_HOMEPLUG_AV } from './mme.ts';
import { copyBytes } from './bytes.ts';

export type RawEthernetProblem = 'no-binding' | 'no-interface' | 'no-permission' | 'open-failed';

/** The interface cannot be used for raw frames: a bench problem, with what to do about it. */
export class RawEthernetError extends BenchFault {
  override name = 'RawEthernetError';
  constructor(
    readonly problem: RawEthernetProblem,
    readonly iface: string,
    /** What is wrong, without the fix. */
    readonly detail: string,
    /** What to do about it, when we know. */
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(fix ? `${detail}. Fix: ${fix}` : detail, iface, options);
  }
}

export interface RawEthernetPort {
  readonly iface: string;
  /** The interface's own MAC address (what a modem's host side or the veth end sends from). */
  readonly mac: string;
  /** Send one whole frame (destination, source, EtherType, payload; padded by the caller to 60 bytes). */
  send(frame: Buffer): void;
  /** Every frame of the EtherType that arrives from the wire; returns the unsubscribe function. */
  onFrame(fn: (frame: Buffer) => void): () => void;
  close(): void;
}

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  on(event: 'packet', fn: (nbytes: number, truncated: boolean) => void): void;
  send(buffer: Buffer, size: number): void;
  close(): void;
}

function loadCap(iface: string): new () => CapHandle {
  try {
    const require = createRequire(import.meta.url);
    return (require('cap') as { Cap: new () => CapHandle }).Cap;
  } catch (e) {
    throw new RawEthernetError(
      'no-binding',
      iface,
      "raw Ethernet is not available: the npm package 'cap' (libpcap binding) is not installed or did not build",
      'apt-get install libpcap-dev, then npm ci (scripts/setup.sh does both)',
      { cause: e },
    );
  }
}

export function interfaceMac(iface: string): string | undefined {
  const file = `/sys/class/net/${iface}/address`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

// Every Cap handle this process opened, closed ones too, for the rest of the process. The binding (cap 0.2.1)
// only stops the libuv poll handle inside the object on close, never uv_close()s it, and then lets V8 collect
// the object: the loop's handle list keeps pointing into freed memory and a later handle corrupts it (a
// segfault minutes later, in whatever test runs then). Keeping the object reachable keeps that memory valid.
const everOpened: CapHandle[] = [];

/** How many binding handles this process keeps (each one it ever opened): see everOpened. */
export function rawEthernetHandlesKept(): number {
  return everOpened.length;
}

const PERMISSION_FIX =
  'run as root, or give node the capability: sudo setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(which node)")"';

/** Open `iface` for raw frames of `etherType` (default HomePlug AV). Throws RawEthernetError with a fix. */
export function openRawEthernet(iface: string, etherType = ETHERTYPE_HOMEPLUG_AV): RawEthernetPort {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(iface)) throw new RawEthernetError('no-interface', iface, `'${iface}' is not a Linux interface name`);
  const mac = interfaceMac(iface);
  if (!mac)
    throw new RawEthernetError(
      'no-interface',
      iface,
      `interface '${iface}' does not exist`,
      "check the bench file's interface against 'ip link' (is the PLC modem plugged in and its driver loaded?)",
    );
  const Cap = loadCap(iface);
  const cap = new Cap();
  everOpened.push(cap);
  const buffer = Buffer.alloc(65535);
  try {
    // A packet socket does not get its own sends back, but it does see another socket's sends on the same
    // interface: open one port per interface (the emulated link's EVSEs share the charger end's port).
    cap.open(iface, `ether proto 0x${etherType.toString(16)}`, 1024 * 1024, buffer);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (/permission|not permitted/i.test(text))
      throw new RawEthernetError('no-permission', iface, `no permission to open raw sockets on '${iface}' (${text})`, PERMISSION_FIX, {
        cause: e,
      });
    throw new RawEthernetError('open-failed', iface, `cannot open '${iface}' for raw Ethernet: ${text}`, undefined, { cause: e });
  }
  const listeners = new Set<(frame: Buffer) => void>();
  let closed = false;
  cap.on('packet', (nbytes) => {
    const frame = copyBytes(buffer.subarray(0, nbytes));
    for (const fn of listeners) fn(frame);
  });
  return {
    iface,
    mac,
    send(frame) {
      if (closed) throw new RawEthernetError('open-failed', iface, `raw Ethernet port on '${iface}' is closed`);
      try {
        cap.send(frame, frame.length);
      } catch (e) {
        throw new RawEthernetError(
          'open-failed',
          iface,
          `sending a ${frame.length}-byte frame on '${iface}' failed: ${(e as Error).message}`,
          undefined,
          { cause: e },
        );
      }
    },
    onFrame(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      cap.close();
    },
  };
}
