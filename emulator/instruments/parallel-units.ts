// Several battery-emulator units wired in parallel on one DC bus as one battery (how labs reach MCS currents
// with units rated for a fraction of it), each emulated as its own instrument. Every unit is programmed
// alike and with N times the pack's series resistance, so each carries 1/N of the current, and that share is
// what its log, its measurements and its current protection see. The pack is behind the charger's inlet only
// while every unit's output is on: the first unit that opens (or trips) cuts the battery off, like the
// contactor of a vehicle whose battery is missing a string.

import type { DcBus } from '../power/dc-bus.ts';
import type { EmulatedBattery } from '../power/emulated-battery.ts';

/** The bus as one instrument sees it: its samples and the inlet state. */
export type InstrumentBus = Pick<DcBus, 'drain' | 'state'>;

/** What an emulated instrument drives on the DC side: the whole battery, or one unit's share of it. */
export interface InstrumentDcSide {
  readonly name: string;
  readonly bus: InstrumentBus;
  readonly outputOn: boolean;
  setOutput(on: boolean): Promise<void>;
  setBatteryVoltage(voltageV: number): Promise<void>;
  setSeriesResistance(ohm: number): Promise<void>;
  batteryVoltageNowV(): number;
}

type Samples = ReturnType<DcBus['drain']>;

export class ParallelUnits {
  private readonly pending: Samples[];
  private readonly on: boolean[];

  constructor(
    private readonly battery: EmulatedBattery,
    readonly count: number,
  ) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`parallel units: a whole number ≥ 1, got ${count}`);
    this.pending = Array.from({ length: count }, () => ({ t0: 0, dt: 0, voltageV: [], currentA: [] }));
    this.on = Array.from({ length: count }, () => false);
  }

  /** Unit k (0-based) as its instrument sees the DC side. */
  unit(k: number): InstrumentDcSide {
    const on = this.on;
    const b = this.battery;
    const n = this.count;
    const bus: InstrumentBus = {
      drain: () => this.drain(k),
      state: () => {
        const s = b.bus.state();
        return { ...s, currentA: s.currentA / n };
      },
    };
    return {
      name: `${b.name}#${k + 1}`,
      bus,
      get outputOn() {
        return on[k] && b.outputOn;
      },
      async setOutput(closed: boolean) {
        on[k] = closed;
        await b.setOutput(on.every(Boolean));
      },
      setBatteryVoltage: (v: number) => b.setBatteryVoltage(v),
      // Each unit's resistance in parallel: the pack sees 1/N of it.
      setSeriesResistance: (ohm: number) => b.setSeriesResistance(ohm / n),
      batteryVoltageNowV: () => b.batteryVoltageNowV(),
    };
  }

  /** The bus has one consumer: what it hands over is kept for every unit, each taking its own share. */
  private drain(k: number): Samples {
    const d = this.battery.bus.drain();
    for (const p of this.pending) {
      if (!p.voltageV.length) {
        p.t0 = d.t0;
        p.dt = d.dt;
      }
      p.voltageV.push(...d.voltageV);
      p.currentA.push(...d.currentA.map((i) => i / this.count));
    }
    const mine = this.pending[k];
    this.pending[k] = { t0: mine.t0 + mine.voltageV.length * mine.dt, dt: mine.dt, voltageV: [], currentA: [] };
    if (!mine.voltageV.length) return { t0: d.t0 + d.voltageV.length * d.dt, dt: d.dt, voltageV: [], currentA: [] };
    return mine;
  }
}
