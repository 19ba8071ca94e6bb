// The emulated instrument's Elog: the bus samples averaged over each logging period into a FIFO of
// (current, voltage) records, current as the instrument reports it (sourcing positive). The period asked
// for is rounded to the instrument's step and held to its minimum per logged quantity, as the guide says,
// so a driver that stamps with the requested period drifts against what the bus did.

import type { InstrumentBus } from './parallel-units.ts';
import type { Action } from './dialect.ts';

/** Records kept; older ones are dropped (the real unit holds about 20 s). */
const FIFO_RECORDS = 200_000;

export class ElogRecorder {
  periodS = 0.1;
  state: 'idle' | 'armed' | 'running' = 'idle';
  private quantities = new Set<Action>();
  private fifo: number[] = [];
  private triggerNs = 0;
  private record = 0;
  private acc = { n: 0, i: 0, v: 0 };
  private last = { i: 0, v: 0 };

  constructor(
    private readonly bus: InstrumentBus,
    private readonly rules: { periodStepS: number; minPeriodPerQuantityS: number },
  ) {}

  setQuantity(q: Action, on: boolean): void {
    if (on) this.quantities.add(q);
    else this.quantities.delete(q);
  }

  /** Round to the step, not below the minimum for the logged quantities; false if it cannot be met. */
  setPeriod(requestedS: number): boolean {
    if (!(requestedS > 0)) return false;
    const step = this.rules.periodStepS;
    const minS = this.rules.minPeriodPerQuantityS * Math.max(1, this.quantities.size);
    this.periodS = Math.max(Math.ceil(minS / step - 1e-9), Math.round(requestedS / step)) * step;
    return true;
  }

  init(): void {
    this.state = 'armed';
  }

  trigger(nowNs: number): void {
    if (this.state !== 'armed') return;
    this.bus.drain(); // what happened before the trigger is not logged
    this.state = 'running';
    this.triggerNs = nowNs;
    this.record = 0;
    this.fifo = [];
    this.acc = { n: 0, i: 0, v: 0 };
  }

  abort(): void {
    this.state = 'idle';
  }

  /** Take the oldest n records out (current, voltage interleaved). */
  fetch(n: number): number[] {
    return this.fifo.splice(0, 2 * n);
  }

  /** Move the bus samples into records; `each` sees every sample (voltage, sourcing current, time) for the protections. */
  collect(each: (voltageV: number, sourcingA: number, tNs: number) => void): void {
    const d = this.bus.drain();
    const periodNs = this.periodS * 1e9;
    for (let k = 0; k < d.voltageV.length; k++) {
      const v = d.voltageV[k];
      const i = -d.currentA[k];
      const t = d.t0 + k * d.dt;
      each(v, i, t);
      if (this.state !== 'running') continue;
      if (t < this.triggerNs) continue;
      while (t >= this.triggerNs + (this.record + 1) * periodNs) this.close();
      this.acc.n++;
      this.acc.i += i;
      this.acc.v += v;
    }
    if (this.fifo.length > 2 * FIFO_RECORDS) this.fifo.splice(0, this.fifo.length - 2 * FIFO_RECORDS);
  }

  private close(): void {
    if (this.acc.n) this.last = { i: this.acc.i / this.acc.n, v: this.acc.v / this.acc.n };
    this.fifo.push(this.last.i, this.last.v); // a period shorter than the bus tick repeats the last value
    this.acc = { n: 0, i: 0, v: 0 };
    this.record++;
  }
}
