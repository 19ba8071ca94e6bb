// Replays a trace onto a transport with the original spacing between frames, timed on the injected
// clock (python-can's MessageSync): on a virtual clock a 10-minute session replays instantly.

import type { Clock } from '../core/clock.ts';
import type { CanTransport } from './transport.ts';
import type { TraceRecord } from './trace-record.ts';

export interface PlayOptions {
  clock: Clock;
  /** >1 plays faster. Default 1. */
  speed?: number;
  /** Only records for which this returns true (e.g. one bus, or only the charger's frames). */
  filter?: (r: TraceRecord) => boolean;
  signal?: AbortSignal;
}

export interface PlayResult {
  sent: number;
  /** Error frames cannot be transmitted; they are counted and skipped. */
  skipped: number;
}

export async function playTrace(records: Iterable<TraceRecord>, transport: CanTransport, opts: PlayOptions): Promise<PlayResult> {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`replay speed must be > 0, got ${speed}`);
  const startMs = opts.clock.nowMs();
  let firstUs: number | undefined;
  let sent = 0;
  let skipped = 0;
  for (const r of records) {
    if (opts.filter && !opts.filter(r)) continue;
    if (r.frame.error) {
      skipped++;
      continue;
    }
    firstUs ??= r.epochUs;
    // Absolute due time from the start: waiting never accumulates drift over a long trace.
    const dueMs = startMs + (r.epochUs - firstUs) / 1000 / speed;
    const waitMs = dueMs - opts.clock.nowMs();
    if (waitMs > 0) await opts.clock.sleep(waitMs, opts.signal);
    else if (opts.signal?.aborted) throw opts.signal.reason;
    const { t: _t, ...frame } = r.frame;
    await transport.send(frame);
    sent++;
  }
  return { sent, skipped };
}
