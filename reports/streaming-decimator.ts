// Min/max decimation of a sample stream of unknown length in bounded memory, for plots of long
// recordings: samples arrive in time order, each bucket keeps its lowest and highest sample (so peaks
// and ripple extremes survive, as with plots.ts decimate()), and when the buckets run out two
// neighbours merge and the bucket width doubles. An hour at 1 kS/s plots from a few thousand points
// without the hour's samples ever being in memory.

export class StreamingDecimator {
  private width: number;
  /** Bucket number of each kept bucket at the current width. */
  private readonly ids: number[] = [];
  private readonly tMin: number[] = [];
  private readonly yMin: number[] = [];
  private readonly tMax: number[] = [];
  private readonly yMax: number[] = [];
  private start: number | undefined;

  /** maxPoints: most points out (two per bucket); firstWidth: initial bucket width in the time unit of t. */
  constructor(
    private readonly maxPoints: number,
    firstWidth: number,
  ) {
    this.width = firstWidth;
  }

  push(t: number, y: number): void {
    this.start ??= t;
    const b = Math.floor((t - this.start) / this.width);
    const last = this.tMin.length - 1;
    if (last >= 0 && b <= this.ids[last]) {
      if (y < this.yMin[last]) {
        this.yMin[last] = y;
        this.tMin[last] = t;
      }
      if (y > this.yMax[last]) {
        this.yMax[last] = y;
        this.tMax[last] = t;
      }
      return;
    }
    this.ids.push(b);
    this.tMin.push(t);
    this.yMin.push(y);
    this.tMax.push(t);
    this.yMax.push(y);
    if (this.tMin.length * 2 > this.maxPoints) this.halve();
  }

  /** The kept points in time order (each bucket's min and max). */
  points(): { t: number[]; y: number[] } {
    const t: number[] = [];
    const y: number[] = [];
    for (let k = 0; k < this.tMin.length; k++) {
      const minFirst = this.tMin[k] <= this.tMax[k];
      t.push(minFirst ? this.tMin[k] : this.tMax[k]);
      y.push(minFirst ? this.yMin[k] : this.yMax[k]);
      if (this.tMin[k] !== this.tMax[k]) {
        t.push(minFirst ? this.tMax[k] : this.tMin[k]);
        y.push(minFirst ? this.yMax[k] : this.yMin[k]);
      }
    }
    return { t, y };
  }

  /** Double the bucket width and merge the buckets that now fall together. */
  private halve(): void {
    this.width *= 2;
    let out = 0;
    for (let k = 0; k < this.tMin.length; k++) {
      const id = Math.floor(this.ids[k] / 2);
      if (out > 0 && id === this.ids[out - 1]) {
        const o = out - 1;
        if (this.yMin[k] < this.yMin[o]) [this.yMin[o], this.tMin[o]] = [this.yMin[k], this.tMin[k]];
        if (this.yMax[k] > this.yMax[o]) [this.yMax[o], this.tMax[o]] = [this.yMax[k], this.tMax[k]];
        continue;
      }
      this.ids[out] = id;
      this.tMin[out] = this.tMin[k];
      this.yMin[out] = this.yMin[k];
      this.tMax[out] = this.tMax[k];
      this.yMax[out] = this.yMax[k];
      out++;
    }
    this.ids.length = this.tMin.length = this.yMin.length = this.tMax.length = this.yMax.length = out;
  }
}
