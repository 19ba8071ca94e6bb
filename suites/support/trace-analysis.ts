// Pure maths on sampled traces (no I/O, no clock, no chai): the quantities the ramp and safety assertions
// judge. Times are seconds; a series is parallel arrays of sample times and values, sorted by time.
// Crossings are read from a lightly smoothed copy (centred moving average) so that converter ripple and
// instrument noise do not move them; peaks and dwell times likewise, with the window stated by the caller.

export interface Series {
  tS: number[];
  y: number[];
}

export const DEFAULT_SMOOTH_S = 0.02;

/** Centred moving average over windowS (by sample count from the median spacing). */
export function smooth(s: Series, windowS = DEFAULT_SMOOTH_S): number[] {
  const n = s.y.length;
  if (n < 3 || windowS <= 0) return s.y.slice();
  const dt = medianSpacing(s.tS);
  const half = Math.max(0, Math.floor(windowS / dt / 2));
  if (half === 0) return s.y.slice();
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k] + s.y[k];
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const a = Math.max(0, k - half);
    const b = Math.min(n - 1, k + half);
    out[k] = (prefix[b + 1] - prefix[a]) / (b - a + 1);
  }
  return out;
}

export function medianSpacing(tS: number[]): number {
  if (tS.length < 2) return 1;
  const d: number[] = [];
  const step = Math.max(1, Math.floor(tS.length / 200));
  for (let k = step; k < tS.length; k += step) d.push((tS[k] - tS[k - step]) / step);
  d.sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)] || 1;
}

/** Index of the first sample at or after tS. */
export function indexAt(tSeries: number[], tS: number): number {
  let lo = 0;
  let hi = tSeries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tSeries[mid] < tS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mean of y over [fromS, toS]; NaN when the window holds no sample. */
export function meanOver(s: Series, fromS: number, toS: number): number {
  let sum = 0;
  let n = 0;
  for (let k = indexAt(s.tS, fromS); k < s.tS.length && s.tS[k] <= toS; k++) {
    sum += s.y[k];
    n++;
  }
  return n ? sum / n : Number.NaN;
}

/** First time at or after fromS where y crosses level in the given direction (linear interpolation). */
export function crossingTime(t: number[], y: number[], level: number, fromS: number, direction: 'up' | 'down'): number | undefined {
  const start = indexAt(t, fromS);
  if (start >= y.length) return undefined;
  if (direction === 'up' ? y[start] >= level : y[start] <= level) return t[start];
  for (let k = start + 1; k < y.length; k++) {
    const a = y[k - 1];
    const b = y[k];
    if (direction === 'up' ? b >= level : b <= level) return t[k - 1] + ((level - a) / (b - a)) * (t[k] - t[k - 1]);
  }
  return undefined;
}

export interface StepResponse {
  /** Level before the step (mean of the pre-step window) and after it (mean of the final window). */
  initial: number;
  final: number;
  /** Times (s) at which the smoothed trace crossed 10 % and 90 % of the change. */
  t10S?: number;
  t90S?: number;
  /** 0.8·|Δ| / (t90 − t10): the 10–90 % slope (units/s); 0 when the trace never got there, Infinity for an instant step. */
  slope: number;
  /** Peak beyond the final value in the direction of the step, as % of |Δ| and in units. */
  overshootPct: number;
  overshoot: number;
  peak: number;
  /** From the step to the last moment the smoothed trace was outside final ± band (s). */
  settleTimeS: number;
  /** True when the trace ended inside the band. */
  settled: boolean;
}

export interface StepOptions {
  /** When the step was commanded (s). */
  stepS: number;
  /** End of the observation window (s); default the end of the series. */
  endS?: number;
  /** Settling band half-width (units). */
  band: number;
  /** Pre-step window for the initial level (s), default 0.2. */
  preWindowS?: number;
  /** Final window for the final level (s), default 1. */
  finalWindowS?: number;
  smoothS?: number;
  /** Known initial level (skips the pre-step mean). */
  initial?: number;
  /** Level the settling band is centred on (e.g. the request); default the trace's own final level. */
  settleAround?: number;
}

/** Rise/fall of a step: 10–90 % slope, overshoot, settling time against the trace's own final value. */
export function stepResponse(s: Series, o: StepOptions): StepResponse {
  const endS = o.endS ?? s.tS[s.tS.length - 1];
  const y = smooth(s, o.smoothS ?? DEFAULT_SMOOTH_S);
  const sm: Series = { tS: s.tS, y };
  const initial = o.initial ?? meanOver(sm, o.stepS - (o.preWindowS ?? 0.2), o.stepS);
  const final = meanOver(sm, endS - (o.finalWindowS ?? 1), endS);
  const delta = final - initial;
  const up = delta >= 0;
  const dir = up ? 'up' : 'down';
  const t10S = crossingTime(s.tS, y, initial + 0.1 * delta, o.stepS, dir);
  const t90S = t10S === undefined ? undefined : crossingTime(s.tS, y, initial + 0.9 * delta, t10S, dir);
  // Both crossings at one sample (the trace was already there): an instant step, infinitely steep.
  const slope =
    t10S === undefined || t90S === undefined ? 0 : t90S > t10S ? (0.8 * Math.abs(delta)) / (t90S - t10S) : Number.POSITIVE_INFINITY;
  let peak = final;
  let lastOut = o.stepS;
  let outAtEnd = false;
  for (let k = indexAt(s.tS, o.stepS); k < s.tS.length && s.tS[k] <= endS; k++) {
    if (up ? y[k] > peak : y[k] < peak) peak = y[k];
    const out = Math.abs(y[k] - (o.settleAround ?? final)) > o.band;
    if (out) lastOut = s.tS[k];
    outAtEnd = out;
  }
  const overshoot = Math.max(0, up ? peak - final : final - peak);
  return {
    initial,
    final,
    t10S,
    t90S,
    slope,
    overshoot,
    overshootPct: Math.abs(delta) > 0 ? (100 * overshoot) / Math.abs(delta) : 0,
    peak,
    settleTimeS: lastOut - o.stepS,
    settled: !outAtEnd,
  };
}

/** Time from fromS until the smoothed trace first falls to or below level (s); undefined if it never does. */
export function timeToFallBelow(s: Series, fromS: number, level: number, smoothS = DEFAULT_SMOOTH_S / 4): number | undefined {
  const y = smooth(s, smoothS);
  for (let k = indexAt(s.tS, fromS); k < s.tS.length; k++) if (y[k] <= level) return s.tS[k] - fromS;
  return undefined;
}

/** Time from fromS until the smoothed trace first rises to or above level (s); undefined if it never does. */
export function timeToRiseAbove(s: Series, fromS: number, level: number, smoothS = DEFAULT_SMOOTH_S / 4): number | undefined {
  const y = smooth(s, smoothS);
  for (let k = indexAt(s.tS, fromS); k < s.tS.length; k++) if (y[k] >= level) return s.tS[k] - fromS;
  return undefined;
}

/** Longest continuous time (s) the smoothed trace spent above level within [fromS, toS]. */
export function longestDwellAbove(s: Series, level: number, fromS = -Infinity, toS = Infinity, smoothS = 0.005): number {
  const y = smooth(s, smoothS);
  let best = 0;
  let since: number | undefined;
  const dt = medianSpacing(s.tS);
  for (let k = indexAt(s.tS, fromS); k < s.tS.length && s.tS[k] <= toS; k++) {
    if (y[k] > level) {
      since ??= s.tS[k];
      best = Math.max(best, s.tS[k] - since + dt);
    } else since = undefined;
  }
  return best;
}

/** Extremes of the raw samples within [fromS, toS]. */
export function extremes(s: Series, fromS = -Infinity, toS = Infinity): { min: number; max: number; tMaxS: number; n: number } {
  let min = Infinity;
  let max = -Infinity;
  let tMaxS = Number.NaN;
  let n = 0;
  for (let k = indexAt(s.tS, fromS); k < s.tS.length && s.tS[k] <= toS; k++) {
    n++;
    if (s.y[k] < min) min = s.y[k];
    if (s.y[k] > max) {
      max = s.y[k];
      tMaxS = s.tS[k];
    }
  }
  return { min, max, tMaxS, n };
}

/** Max of the smoothed trace within [fromS, toS] (a peak that is not just one noisy sample). */
export function smoothedMax(s: Series, fromS = -Infinity, toS = Infinity, smoothS = 0.005): { max: number; tS: number } {
  const y = smooth(s, smoothS);
  let max = -Infinity;
  let tS = Number.NaN;
  for (let k = indexAt(s.tS, fromS); k < s.tS.length && s.tS[k] <= toS; k++) {
    if (y[k] > max) {
      max = y[k];
      tS = s.tS[k];
    }
  }
  return { max, tS };
}

/** Peak deviation of the raw trace from its own smoothed version: the peak ripple + noise. */
export function peakRipple(s: Series, fromS: number, toS: number, smoothS = 0.05): number {
  const y = smooth(s, smoothS);
  let pk = 0;
  for (let k = indexAt(s.tS, fromS); k < s.tS.length && s.tS[k] <= toS; k++) pk = Math.max(pk, Math.abs(s.y[k] - y[k]));
  return pk;
}

/** Current regulation tolerance: ±tolA below thresholdA, ±pct % of the request at or above it. */
export function regulationTolerance(requestA: number, o: { tolA: number; pct: number; thresholdA: number }): number {
  return requestA < o.thresholdA ? o.tolA : (o.pct / 100) * requestA;
}

/** Stop time budget: max(minS, I₀ / rate). */
export function stopTimeBudgetS(initialA: number, o: { minS: number; rateAps: number }): number {
  return Math.max(o.minS, Math.abs(initialA) / o.rateAps);
}
