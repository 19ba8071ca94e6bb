// The true DC bus between the charger's output and the vehicle: the source (a power stage) on one side,
// the vehicle's load (battery behind its contactors, or a battery emulator) on the other, and the inlet
// node in between, where an instrument measures. Stepped in discrete time (1 ms) on the injected clock,
// lazily caught up to clock.now() whenever anyone looks, so the result depends only on the sequence of
// commands and their clock times — never on how often the host got to run.

import type { Clock } from '../../drivers/core/clock.ts';

export const BUS_TICK_NS = 1_000_000;
const MAX_BUFFERED = 120_000;

/** What a source drives onto the bus during one tick. */
export type SourceOutput =
  | { mode: 'off'; /** the charger discharges its output (bleeder) */ bleed: boolean }
  | { mode: 'current'; currentA: number }
  | { mode: 'voltage'; voltageV: number; currentLimitA: number };

/** What the source may look at before it decides (what its own sensors see at the output). */
export interface BusView {
  tNs: number;
  inletV: number;
  inletA: number;
  loadConnected: boolean;
  insulationOhm: number;
}

export interface BusSource {
  tick(dtS: number, view: BusView): SourceOutput;
}

/** The vehicle side: a voltage behind a series resistance, connected through its contactors (or not). */
export interface BusLoad {
  readonly connected: boolean;
  /** Voltage behind the series resistance (OCV + RC for a battery). */
  internalV(): number;
  seriesOhm(): number;
  step(currentA: number, dtS: number): void;
}

export interface DcBusParams {
  /** Capacitance seen at the inlet with the vehicle contactors open (input filter, cable): F. Assumption. */
  inletCapacitanceF: number;
  /** Resistance across the inlet with the contactors open (vehicle voltage sensing): Ω. Assumption. */
  inletParallelOhm: number;
  /** Output resistance of a source in voltage mode: Ω. */
  sourceOhm: number;
  /** Time constant of the charger's output discharge (bleeder) once it is off: s. */
  bleedTauS: number;
  /** How much current the charger's active discharge can take back in voltage mode (A). */
  activeDischargeA: number;
}

export const DEFAULT_BUS_PARAMS: DcBusParams = {
  inletCapacitanceF: 2e-3,
  inletParallelOhm: 200e3,
  sourceOhm: 0.05,
  bleedTauS: 0.15,
  activeDischargeA: 20,
};

export class DcBus {
  readonly params: DcBusParams;
  private source: BusSource | undefined;
  private load: BusLoad | undefined;
  private tNs: number;
  private v = 0;
  private i = 0;
  /** Insulation resistance DC± to PE (Ω): the insulation monitor reads it; a fault box lowers it. */
  insulationOhm = 10e6;
  /** Samples since the last drain: sample k was taken at t0 + k·BUS_TICK_NS. */
  private readonly buffer: SampleBuffer;
  private stepping = false;
  /** The drain's buffer and one per tap (an independent instrument on the same inlet, e.g. a power analyser). */
  private readonly buffers: SampleBuffer[];

  constructor(
    readonly clock: Clock,
    params: Partial<DcBusParams> = {},
  ) {
    this.params = { ...DEFAULT_BUS_PARAMS, ...params };
    this.tNs = Math.floor(clock.now() / BUS_TICK_NS) * BUS_TICK_NS;
    this.buffer = { t0: this.tNs + BUS_TICK_NS, v: [], i: [] };
    this.buffers = [this.buffer];
  }

  attachSource(source: BusSource): void {
    if (this.source && this.source !== source) throw new Error('the DC bus already has a source attached');
    this.sync();
    this.source = source;
  }

  detachSource(source: BusSource): void {
    if (this.source !== source) return;
    this.sync();
    this.source = undefined;
  }

  attachLoad(load: BusLoad): void {
    this.sync();
    this.load = load;
  }

  /** Clock time (ns) of the last computed tick. */
  get timeNs(): number {
    return this.tNs;
  }

  /** The true inlet voltage and current now. */
  state(): { voltageV: number; currentA: number; tNs: number } {
    this.sync();
    return { voltageV: this.v, currentA: this.i, tNs: this.tNs };
  }

  /** Step every tick up to the clock's present time. */
  sync(): void {
    if (this.stepping) return; // a source reading the bus from inside its tick sees the last tick
    this.stepping = true;
    try {
      const end = this.clock.now();
      while (this.tNs + BUS_TICK_NS <= end) this.stepOnce();
    } finally {
      this.stepping = false;
    }
  }

  /** Hand over the samples taken since the last drain (one consumer: the instrument). */
  drain(): { t0: number; dt: number; voltageV: number[]; currentA: number[] } {
    return this.take(this.buffer);
  }

  /** A second, independent reader of the samples from the next tick on: call the result to take its own. */
  tap(): () => { t0: number; dt: number; voltageV: number[]; currentA: number[] } {
    this.sync();
    const mine: SampleBuffer = { t0: this.tNs + BUS_TICK_NS, v: [], i: [] };
    this.buffers.push(mine);
    return () => this.take(mine);
  }

  private take(b: SampleBuffer): { t0: number; dt: number; voltageV: number[]; currentA: number[] } {
    this.sync();
    const out = { t0: b.t0, dt: BUS_TICK_NS, voltageV: b.v, currentA: b.i };
    b.t0 += b.v.length * BUS_TICK_NS;
    b.v = [];
    b.i = [];
    return out;
  }

  private stepOnce(): void {
    const dtS = BUS_TICK_NS / 1e9;
    this.tNs += BUS_TICK_NS;
    const load = this.load;
    const connected = !!load?.connected;
    const out: SourceOutput = this.source
      ? this.source.tick(dtS, {
          tNs: this.tNs,
          inletV: this.v,
          inletA: this.i,
          loadConnected: connected,
          insulationOhm: this.insulationOhm,
        })
      : { mode: 'off', bleed: true };
    const { inletCapacitanceF: c, inletParallelOhm: rp, sourceOhm, bleedTauS } = this.params;
    if (connected && load) {
      const vInt = load.internalV();
      const rs = load.seriesOhm();
      let i = 0;
      if (out.mode === 'current') i = Math.max(0, out.currentA);
      else if (out.mode === 'voltage') i = clamp((out.voltageV - vInt) / (sourceOhm + rs), 0, out.currentLimitA); // a charger cannot sink
      this.i = i;
      this.v = vInt + i * rs;
      load.step(i, dtS);
    } else {
      // Only the inlet node: its capacitance, charged by the source, leaking through the sensing divider.
      const leakA = this.v / rp;
      if (out.mode === 'current') {
        this.i = Math.max(0, out.currentA);
        this.v = Math.max(0, this.v + ((this.i - leakA) * dtS) / c);
      } else if (out.mode === 'voltage') {
        const needA = (c * (out.voltageV - this.v)) / dtS + leakA;
        // Above its set point the charger discharges its output actively (bleeder), so the current may be negative.
        this.i = clamp(needA, -this.params.activeDischargeA, out.currentLimitA);
        this.v = Math.max(0, this.v + ((this.i - leakA) * dtS) / c);
      } else {
        this.i = 0;
        this.v *= Math.exp(-dtS / (out.bleed ? bleedTauS : rp * c));
      }
    }
    for (const b of this.buffers) {
      b.v.push(this.v);
      b.i.push(this.i);
      if (b.v.length > MAX_BUFFERED) {
        // Nobody drains this one (no instrument on this bench): keep memory bounded, drop the oldest half.
        const drop = MAX_BUFFERED / 2;
        b.v.splice(0, drop);
        b.i.splice(0, drop);
        b.t0 += drop * BUS_TICK_NS;
      }
    }
  }
}

interface SampleBuffer {
  t0: number;
  v: number[];
  i: number[];
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
