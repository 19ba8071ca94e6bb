// The protections of the emulated power stage, checked every tick while the output is enabled: emergency
// over-voltage (Table 103 / 202 level, any phase), over-voltage against the vehicle's maximum while energy
// flows (CC.6.2 / Table 104), and the insulation monitor (sampled; a fault is an error shutdown, CC.10).

import type { BusView } from './dc-bus.ts';
import type { PowerFaultLayer } from './fault-layer.ts';
import { emergencyOverVoltageLevelV, isEnabled, type PowerStageParams, type PowerStageState } from './power-stage-params.ts';

export interface Trip {
  reason: string;
  data: Record<string, unknown>;
}

/** A condition that trips only once it has held for a delay; it starts over whenever it goes away. */
class Sustained {
  private sinceNs: number | undefined;

  /** Whether `on` has now held for at least delayMs (ms of the clock whose ns `tNs` is). */
  held(on: boolean, tNs: number, delayMs: number): boolean {
    if (!on) {
      this.sinceNs = undefined;
      return false;
    }
    this.sinceNs ??= tNs;
    return tNs - this.sinceNs >= delayMs * 1e6;
  }

  reset(): void {
    this.sinceNs = undefined;
  }
}

export class Protections {
  private readonly ovEv = new Sustained();
  private readonly ovEmergency = new Sustained();
  private lastInsulationCheckNs = 0;
  private insulationOkNow = true;

  constructor(
    private readonly p: PowerStageParams,
    private readonly faults: PowerFaultLayer,
    /** Records a change of the insulation monitor's result. */
    private readonly note: (event: string, data: Record<string, unknown>, tNs: number) => void,
  ) {}

  get insulationOk(): boolean {
    return this.insulationOkNow;
  }

  /** Measure insulation at once: a cable check that finishes within one monitor period must not go unseen. */
  measureInsulationNow(): void {
    this.lastInsulationCheckNs = Number.NEGATIVE_INFINITY;
    this.insulationOkNow = true;
  }

  /** The trip this tick calls for, if any. measuredV is the charger's own voltage reading. */
  check(
    state: PowerStageState,
    view: BusView,
    measuredV: number,
    maxima: { vehicleMaxV: number | undefined; ratedMaxV: number },
  ): Trip | undefined {
    if (!isEnabled(state)) {
      this.ovEv.reset();
      this.ovEmergency.reset();
      return undefined;
    }
    return (
      this.emergencyOverVoltage(view, measuredV, maxima) ??
      this.vehicleOverVoltage(state, view, measuredV, maxima.vehicleMaxV) ??
      this.insulation(state, view)
    );
  }

  private emergencyOverVoltage(view: BusView, v: number, m: { vehicleMaxV: number | undefined; ratedMaxV: number }): Trip | undefined {
    const level = emergencyOverVoltageLevelV(Math.min(m.vehicleMaxV ?? m.ratedMaxV, m.ratedMaxV));
    if (!this.ovEmergency.held(v > level, view.tNs, this.p.emergencyOverVoltageDelayMs)) return undefined;
    return { reason: 'emergency over-voltage', data: { voltageV: v, levelV: level } };
  }

  private vehicleOverVoltage(state: PowerStageState, view: BusView, v: number, maxV: number | undefined): Trip | undefined {
    if ((state !== 'charging' && state !== 'stopping') || maxV === undefined || this.faults.ignoresVehicleMaxVoltage()) return undefined;
    if (!this.ovEv.held(v > maxV, view.tNs, this.p.evOverVoltageDelayMs)) return undefined;
    return { reason: 'over-voltage against the vehicle maximum', data: { voltageV: v, maxVoltageV: maxV } };
  }

  private insulation(state: PowerStageState, view: BusView): Trip | undefined {
    if (view.tNs - this.lastInsulationCheckNs < this.p.insulationCheckMs * 1e6) return undefined;
    this.lastInsulationCheckNs = view.tNs;
    const ok = view.insulationOhm >= this.p.insulationFaultOhm;
    if (ok !== this.insulationOkNow) {
      this.insulationOkNow = ok;
      this.note(
        ok ? 'insulation ok' : 'insulation fault',
        { insulationOhm: view.insulationOhm, thresholdOhm: this.p.insulationFaultOhm },
        view.tNs,
      );
    }
    const energized = state === 'charging' || state === 'stopping' || state === 'precharge' || state === 'ready';
    if (ok || this.faults.ignoresInsulationFault() || !energized) return undefined;
    return { reason: 'insulation fault', data: { insulationOhm: view.insulationOhm } };
  }
}
