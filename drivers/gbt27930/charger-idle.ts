// Is the GB/T charger idle again, ready for a new session? GB/T 27930-2015 Fig. A.6 / Table 3: a charger
// with no session in progress sends only its handshake CHM, every 250 ms (a 2011-edition charger, which
// has no CHM, sends CRM(0x00) instead). So: with our BMS silent (the vehicle "unplugged" on the bus), wait
// until the charger has sent nothing but those for `quietPeriods` of their period, bounded by the limit
// profile. A charger that keeps a dropped session (CEM, CST, CSD, CCS …) or goes quiet is not idle.

import { BenchFault } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { GbtLink, ReceivedMessage } from './link.ts';
import { NOT_RECOGNISED } from './messages.ts';

export interface ChargerIdleOptions {
  link: GbtLink;
  clock: Clock;
  /** Resource name, for the BenchFault. */
  resource: string;
  /** Longest wait (limit profile idle.returnMs). */
  boundMs: number;
  /** The idle message's period (CHM, ms). */
  periodMs: number;
  /** How many consecutive idle periods count as idle (≥ 2: one CHM could be the last of a dying session). */
  quietPeriods?: number;
  /** Make our vehicle silent first (the BMS session's unplug). */
  goSilent: () => void;
}

function isIdleMessage(m: ReceivedMessage): boolean {
  return m.code === 'CHM' || (m.code === 'CRM' && m.values.recognition === NOT_RECOGNISED);
}

/** Resolves with one line saying what was seen; rejects with a BenchFault naming the previous test. */
export async function awaitGbtChargerIdle(o: ChargerIdleOptions, previousTest: string): Promise<string> {
  const quiet = Math.max(2, o.quietPeriods ?? 3);
  const from = o.clock.now();
  o.goSilent();
  let idleRun = 0;
  let lastBusy: string | undefined;
  let heard = 0;
  const off = o.link.onMessage((m) => {
    heard++;
    if (isIdleMessage(m)) idleRun++;
    else {
      idleRun = 0;
      lastBusy = m.code;
    }
  });
  try {
    const end = o.clock.nowMs() + o.boundMs;
    while (idleRun < quiet) {
      if (o.clock.nowMs() >= end) {
        const what =
          heard === 0 ? 'the charger sent nothing (no CHM)' : `the charger still sends ${lastBusy ?? 'session messages'}, not only CHM`;
        throw new BenchFault(
          `charger did not return to idle after ${previousTest}: ${what} within ${o.boundMs} ms (idle.returnMs)`,
          o.resource,
        );
      }
      await o.clock.sleep(Math.min(o.periodMs / 2, Math.max(1, end - o.clock.nowMs())));
    }
  } finally {
    off();
  }
  const waitedMs = (o.clock.now() - from) / 1e6;
  const busy = lastBusy ? ` after its last ${lastBusy}` : '';
  return `charger idle: ${quiet} handshake messages in a row${busy} (vehicle silent, waited ${waitedMs.toFixed(0)} ms)`;
}
