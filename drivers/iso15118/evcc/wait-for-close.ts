// Waiting for the charger to close the V2G connection: after a FAILED response, a sequence timeout or
// SessionStopRes the standard has the SECC close; tests measure when it does (and whether it answered first).
import type { Clock } from '../../core/clock.ts';
import type { Exchange } from './exchange.ts';
import type { MessageLink } from './link.ts';

export interface CloseWait {
  closed: boolean;
  /** ms from the start of the wait to the close. */
  afterMs?: number;
  /** Set when a message arrived instead of the close. */
  unexpected?: Exchange['outcome'];
}

/** Wait until the charger closes the connection (or timeoutMs passes). */
export async function waitForClose(link: MessageLink, clock: Clock, timeoutMs: number): Promise<CloseWait> {
  const t0 = clock.now();
  if (link.closed) return { closed: true, afterMs: 0 };
  const r = await link.receive(timeoutMs);
  if (r.kind === 'closed') return { closed: true, afterMs: (r.atNs - t0) / 1e6 };
  if (r.kind === 'timeout') return { closed: false };
  if (r.kind === 'frame') {
    // Something arrived instead of the close: keep waiting for the close in the remaining time.
    const left = timeoutMs - (clock.now() - t0) / 1e6;
    const again = left > 0 ? await link.receive(left) : { kind: 'timeout' as const };
    return again.kind === 'closed'
      ? { closed: true, afterMs: (again.atNs - t0) / 1e6, unexpected: 'response' }
      : { closed: false, unexpected: 'response' };
  }
  return { closed: true, afterMs: (clock.now() - t0) / 1e6 };
}
