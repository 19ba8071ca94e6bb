// The trend the perf scripts judge growth by (memory per hour, listeners per session): a least-squares fit.

/** Least-squares slope of y over x; 0 when it is undefined (fewer than two points, or all x equal). */
export function slope(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 2) return 0;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let k = 0; k < n; k++) {
    num += (x[k] - mx) * (y[k] - my);
    den += (x[k] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
