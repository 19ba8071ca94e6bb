// Several battery-emulator units in parallel as one vehicle battery, for currents beyond one unit (MCS:
// up to 3000 A). Every unit gets the same voltage and protection levels, its share of the current limits
// and N× the series resistance (N equal resistances in parallel make the programmed one); the output goes
// on unit by unit and, if one refuses, off again on all. Each unit logs on its own trigger; the judged
// trace is their sum, resampled onto the first unit's stamps over the span all units have covered.

import type { Timeline } from '../core/timeline.ts';
import type { BatteryEmulator, BatteryEmulatorProtection, BatteryEmulatorReading } from './battery-emulator.ts';
import type { InstrumentTrip } from './protection-trip.ts';
import { SCPI_BATTERY_EMULATOR_KIND, type Rp7900BatteryEmulator, type UnitRatings } from './rp7900.ts';

interface Block {
  t: number[];
  currentA: number[];
  voltageV: number[];
}

export class ParallelBatteryEmulator implements BatteryEmulator {
  readonly kind = SCPI_BATTERY_EMULATOR_KIND;
  private readonly pending: Block[];
  /** Stamp of the last combined sample on the timeline. */
  private emittedUntil = -Infinity;

  /** `makeUnit(k, unitTimeline)` builds unit k on a timeline that hands its sample blocks to the combiner. */
  constructor(
    readonly name: string,
    count: number,
    private readonly timeline: Timeline,
    makeUnit: (k: number, unitTimeline: Timeline) => Rp7900BatteryEmulator,
  ) {
    this.pending = Array.from({ length: count }, () => ({ t: [], currentA: [], voltageV: [] }));
    this.units = this.pending.map((queue, k) => makeUnit(k, this.unitTimeline(queue)));
  }

  readonly units: Rp7900BatteryEmulator[];

  get source(): string {
    return this.name;
  }

  get sampleRateHz(): number {
    return this.units[0].sampleRateHz;
  }

  get outputOn(): boolean {
    return this.units.every((u) => u.outputOn);
  }

  get ratings(): UnitRatings {
    const least = (k: keyof UnitRatings) => Math.min(...this.units.map((u) => u.ratings[k]));
    return {
      maxVoltageV: least('maxVoltageV'),
      maxCurrentA: this.units.reduce((a, u) => a + u.ratings.maxCurrentA, 0),
      maxResistanceOhm: least('maxResistanceOhm') / this.units.length,
      maxOvpV: least('maxOvpV'),
    };
  }

  get trips(): InstrumentTrip[] {
    return this.units.flatMap((u) => u.trips);
  }

  get statusReads(): number {
    return Math.min(...this.units.map((u) => u.statusReads));
  }

  async open(): Promise<void> {
    for (const u of this.units) await u.open();
  }

  async setBatteryVoltage(voltageV: number): Promise<void> {
    for (const u of this.units) await u.setBatteryVoltage(voltageV);
  }

  async setSeriesResistance(ohm: number): Promise<void> {
    for (const u of this.units) await u.setSeriesResistance(ohm * this.units.length);
  }

  async setProtection(p: BatteryEmulatorProtection & { uvpV?: number }): Promise<void> {
    const share = p.ocpA === undefined ? undefined : p.ocpA / this.units.length;
    for (const u of this.units) await u.setProtection({ ...p, ocpA: share });
  }

  async setWatchdog(delayS: number | undefined): Promise<void> {
    for (const u of this.units) await u.setWatchdog(delayS);
  }

  async setOutput(on: boolean): Promise<void> {
    if (!on) return this.allOf((u) => u.setOutput(false));
    try {
      for (const u of this.units) await u.setOutput(true);
    } catch (e) {
      await this.allOf((u) => u.setOutput(false)).catch(() => undefined);
      throw e;
    }
  }

  batteryVoltageV(): Promise<number> {
    return this.units[0].batteryVoltageV();
  }

  async read(): Promise<BatteryEmulatorReading> {
    const r = await Promise.all(this.units.map((u) => u.read()));
    return { voltageV: r.reduce((a, x) => a + x.voltageV, 0) / r.length, currentA: r.reduce((a, x) => a + x.currentA, 0) };
  }

  async startStreaming(): Promise<void> {
    for (const u of this.units) await u.startStreaming();
  }

  async stopStreaming(): Promise<void> {
    await this.allOf((u) => u.stopStreaming());
    this.combine();
  }

  async flush(): Promise<void> {
    await this.allOf((u) => u.flush());
    this.combine();
  }

  onTrip(fn: (t: InstrumentTrip) => Promise<unknown>): void {
    for (const u of this.units) u.onTrip(fn);
  }

  tripHandled(): Promise<unknown> {
    return Promise.all(this.units.map((u) => u.tripHandled()));
  }

  shutdown(): Promise<void> {
    return this.allOf((u) => u.shutdown());
  }

  async safeState(): Promise<void> {
    await this.shutdown();
  }

  close(): Promise<void> {
    return this.allOf((u) => u.close());
  }

  identity(): Record<string, string> {
    return Object.fromEntries(this.units.flatMap((u, k) => Object.entries(u.identity()).map(([key, v]) => [`unit${k + 1}.${key}`, v])));
  }

  /** Run on every unit even when one fails (the bench ends as safe as it can); the first error is rethrown. */
  private async allOf(fn: (u: Rp7900BatteryEmulator) => Promise<void>): Promise<void> {
    const r = await Promise.allSettled(this.units.map(fn));
    const failed = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The unit's records go to the bench timeline, its sample blocks to this combiner's queue. */
  private unitTimeline(queue: Block): Timeline {
    const tl = Object.create(this.timeline) as Timeline;
    tl.record = ((kind, source, data, t) => {
      if (kind !== 'samples') return this.timeline.record(kind, source, data, t);
      const b = data as unknown as { t0: number; dt: number; channels: { currentA: number[]; voltageV: number[] } };
      b.channels.currentA.forEach((i, k) => {
        queue.t.push(b.t0 + k * b.dt);
        queue.currentA.push(i);
        queue.voltageV.push(b.channels.voltageV[k]);
      });
      return undefined as never;
    }) as Timeline['record'];
    return tl;
  }

  /** Sum the units over the span every unit has covered, on the first unit's stamps; keep the rest for later. */
  private combine(): void {
    const [first] = this.pending;
    const until = Math.min(...this.pending.map((q) => q.t.at(-1) ?? -Infinity));
    const from = Math.max(this.emittedUntil, ...this.pending.map((q) => q.t[0] ?? Infinity));
    const take = first.t.filter((t) => t >= from && t > this.emittedUntil && t <= until);
    if (take.length < 2) return;
    const at = this.pending.map((q) => resample(q, take));
    const currentA = take.map((_, k) => at.reduce((a, r) => a + r.currentA[k], 0));
    const voltageV = take.map((_, k) => at.reduce((a, r) => a + r.voltageV[k], 0) / at.length);
    const dt = (take.at(-1)! - take[0]) / (take.length - 1);
    this.timeline.record('samples', this.name, { t0: take[0], dt, channels: { currentA, voltageV } }, take.at(-1)!);
    this.emittedUntil = take.at(-1)!;
    for (const q of this.pending) {
      const keep = q.t.findIndex((t) => t > this.emittedUntil);
      const n = keep < 0 ? q.t.length - 1 : Math.max(0, keep - 1); // one sample before the rest, for interpolation
      q.t.splice(0, n);
      q.currentA.splice(0, n);
      q.voltageV.splice(0, n);
    }
  }
}

/** One unit's channels at the given (ascending) times, linearly interpolated. */
function resample(q: Block, times: number[]): { currentA: number[]; voltageV: number[] } {
  const out = { currentA: new Array<number>(times.length), voltageV: new Array<number>(times.length) };
  let k = 0;
  times.forEach((t, n) => {
    while (k < q.t.length - 1 && q.t[k + 1] < t) k++;
    const j = Math.min(k + 1, q.t.length - 1);
    const f = q.t[j] === q.t[k] ? 0 : Math.min(1, Math.max(0, (t - q.t[k]) / (q.t[j] - q.t[k])));
    out.currentA[n] = q.currentA[k] + f * (q.currentA[j] - q.currentA[k]);
    out.voltageV[n] = q.voltageV[k] + f * (q.voltageV[j] - q.voltageV[k]);
  });
  return out;
}
