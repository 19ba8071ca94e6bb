// Judging a measured value against its limit when the harness itself adds uncertainty (e.g. its own
// receive-to-stamp latency on a timing step). Instead of widening the limit to absorb our latency, the value
// is judged three ways: clearly inside (PASS), clearly outside (FAIL), or within ± uncertainty of a bound —
// INCONCLUSIVE, which the test reports as broken ("harness latency too high to judge"), never as a verdict.

import type { Limit } from '../drivers/core/limits.ts';

/** ± value in the limit's unit, and where it came from (e.g. 'harness receive-to-stamp latency p99, measured this run'). */
export interface Uncertainty {
  value: number;
  source: string;
}

export type Outcome = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

/** Is value inside the limit? A limit with only `value` means equality. NaN is never inside. */
export function withinLimit(value: number, limit: Pick<Limit, 'lo' | 'hi' | 'value'>): boolean {
  if (Number.isNaN(value)) return false;
  if (limit.lo === undefined && limit.hi === undefined) return value === limit.value;
  return (limit.lo === undefined || value >= limit.lo) && (limit.hi === undefined || value <= limit.hi);
}

/**
 * PASS only when the value passes even if the truth lies anywhere in value ± u; FAIL only when it fails
 * everywhere in that band; otherwise INCONCLUSIVE (a pass that holds only thanks to the band is not a pass).
 */
export function judge(value: number, limit: Pick<Limit, 'lo' | 'hi' | 'value'>, uncertainty?: Uncertainty): Outcome {
  const u = uncertainty?.value ?? 0;
  if (!(u >= 0) || !Number.isFinite(u)) throw new RangeError(`uncertainty must be a finite value ≥ 0, got ${u}`);
  const inside = withinLimit(value, limit);
  if (u === 0 || !Number.isFinite(value)) return inside ? 'PASS' : 'FAIL';
  if (limit.lo === undefined && limit.hi === undefined) {
    // Equality: an exact match passes; a value within ± u of the required one cannot be told apart from it.
    if (inside) return 'PASS';
    return Math.abs(value - (limit.value as number)) <= u ? 'INCONCLUSIVE' : 'FAIL';
  }
  const surelyInside = withinLimit(value - u, limit) && withinLimit(value + u, limit);
  if (surelyInside) return 'PASS';
  const nearLo = limit.lo !== undefined && Math.abs(value - limit.lo) <= u;
  const nearHi = limit.hi !== undefined && Math.abs(value - limit.hi) <= u;
  return nearLo || nearHi ? 'INCONCLUSIVE' : 'FAIL';
}
