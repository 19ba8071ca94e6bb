// GB/T timing verdicts with the harness's own latency as their uncertainty: a value within that band of
// its bound is inconclusive (broken, "harness latency too high to judge"), never a charger violation, and
// the limit stays the standard's.

import type { Limit } from '../../drivers/core/limits.ts';
import { measure, type Violation } from '../../reports/evidence.ts';
import type { Uncertainty } from '../../reports/uncertainty.ts';
import type { GbtTest } from './fixture.ts';

/**
 * The latency measured on the BMS's node since the test started. `intervals` > 1 for a mean over that many
 * consecutive gaps (only its two end stamps add error).
 */
export function timingUncertainty(t: GbtTest, intervals = 1): Uncertainty {
  const u = t.bms.latency.uncertainty(t.startNs, t.bench.clock.now(), intervals);
  return { value: u.valueMs, source: u.source };
}

/**
 * measure() for a time between two stamped events, with the harness latency as ± uncertainty. A lower
 * bound of 0 only says "after" (the events are found in order): it is dropped, so a prompt answer is not
 * called inconclusive for being within our latency of zero.
 */
export function measureTiming(
  t: GbtTest,
  name: string,
  valueMs: number,
  limit: Limit,
  opts: { violation: Violation; note?: string; intervals?: number; unit?: string },
): void {
  const judged: Limit = limit.lo === 0 ? { ...limit, lo: undefined } : limit;
  measure(name, valueMs, judged, {
    violation: opts.violation,
    note: opts.note,
    unit: opts.unit,
    uncertainty: timingUncertainty(t, opts.intervals),
  });
}
