// The present current a charger reports is a meter's reading, not one instant of its output: the mean over a
// window of whole ripple periods (10 ms holds six periods of the 600 Hz ripple). Reporting the instantaneous
// value put the ripple into every reading at a phase fixed by when the session began, so the same test read
// ~1 A differently alone and after other tests (issue 10, ccs-current-overshoot / -present-current-gain-error).

/** Mean of the last `windowTicks` 1 ms samples of the output current. */
export class CurrentMeter {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;

  constructor(windowTicks: number) {
    this.samples = new Float64Array(Math.max(1, Math.round(windowTicks)));
  }

  add(currentA: number): void {
    this.samples[this.next] = currentA;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
  }

  /** The reading; `instantA` until the first sample. */
  reading(instantA: number): number {
    if (this.count === 0) return instantA;
    let sum = 0;
    for (let k = 0; k < this.count; k++) sum += this.samples[k];
    return sum / this.count;
  }
}
