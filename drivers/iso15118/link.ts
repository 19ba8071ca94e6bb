// The IPv6 link-local network link ISO 15118 runs on: a 10BASE-T1S netdev on an MCS bench, a PLC modem's
// Ethernet on a CCS bench, or the veth pair of the emulator bench. What the session needs from it: the
// interface name, our fe80:: address, and whether the link is up — with up/down changes recorded on the
// timeline, because a lost link is a test event.
//
// Link state is read from sysfs (operstate, carrier), which needs no privileges.

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';

export interface LinkState {
  exists: boolean;
  /** Administratively up and carrier present (IFF_UP + IFF_LOWER_UP). */
  up: boolean;
  operstate: string;
  carrier: boolean;
  /** fe80:: addresses on the interface, without scope. */
  linkLocal: string[];
}

export function readLinkState(iface: string): LinkState {
  const sys = (f: string) => {
    try {
      return readFileSync(`/sys/class/net/${iface}/${f}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const operstate = sys('operstate');
  if (operstate === undefined) return { exists: false, up: false, operstate: 'absent', carrier: false, linkLocal: [] };
  const flags = parseInt(sys('flags') ?? '0', 16);
  const adminUp = (flags & 0x1) !== 0;
  // Reading carrier of an admin-down interface fails with EINVAL: that is "no carrier".
  const carrier = sys('carrier') === '1';
  return { exists: true, up: adminUp && carrier, operstate, carrier, linkLocal: linkLocalAddresses(iface) };
}

/** fe80:: addresses (without '%scope') of the interface. */
export function linkLocalAddresses(iface: string): string[] {
  const list = networkInterfaces()[iface] ?? [];
  return list.filter((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')).map((a) => a.address.split('%')[0]);
}

/**
 * Polls the interfaces on the clock and records every change as a 'link' event
 * ({event: 'up' | 'down', interface, operstate, carrier}). Listeners get the same changes.
 */
export class LinkMonitor {
  private timer: TimerHandle | undefined;
  private last = new Map<string, boolean>();
  private listeners: ((iface: string, s: LinkState) => void)[] = [];

  constructor(
    private readonly interfaces: string[],
    private readonly clock: Clock,
    private readonly timeline: Timeline,
    private readonly source: string,
    private readonly intervalMs: number,
  ) {}

  /** Record the current state of every interface and start polling. */
  start(): void {
    for (const i of this.interfaces) this.check(i, true);
    this.schedule();
  }

  onChange(fn: (iface: string, s: LinkState) => void): void {
    this.listeners.push(fn);
  }

  isUp(iface: string): boolean {
    return this.last.get(iface) ?? false;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.intervalMs <= 0) return;
    this.timer = this.clock.setTimer(this.intervalMs, () => {
      for (const i of this.interfaces) this.check(i, false);
      this.schedule();
    });
  }

  private check(iface: string, initial: boolean): void {
    const s = readLinkState(iface);
    if (!initial && this.last.get(iface) === s.up) return;
    this.last.set(iface, s.up);
    this.timeline.record('link', this.source, {
      event: s.up ? 'up' : 'down',
      interface: iface,
      operstate: s.operstate,
      carrier: s.carrier,
      linkLocal: s.linkLocal,
      ...(initial ? { initial: true } : {}),
    });
    for (const l of this.listeners) l(iface, s);
  }
}
