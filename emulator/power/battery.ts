// The emulated vehicle battery: a Thevenin 1-RC pack, V = Ns·OCV(SOC) + I·R0 + V_rc, updated with exact
// exponentials (stable at any step; reference/power-ramp-safety.md §4). Charging current is positive.

import { cellOcvV, type Chemistry } from '../../drivers/vehicle/ocv.ts';
import { packCapacityAh, type VehicleProfile } from '../../drivers/vehicle/profile.ts';

export interface BatteryParams {
  chemistry: Chemistry;
  cellsSeries: number;
  capacityAh: number;
  r0Ohm: number;
  r1Ohm: number;
  tau1S: number;
  initialSoc: number;
}

export class Battery {
  private socNow: number;
  private vRcNow = 0;

  constructor(readonly params: BatteryParams) {
    this.socNow = params.initialSoc;
  }

  static fromProfile(p: VehicleProfile): Battery {
    return new Battery({
      chemistry: p.chemistry,
      cellsSeries: p.cellsSeries,
      capacityAh: packCapacityAh(p),
      r0Ohm: p.r0Ohm,
      r1Ohm: p.r1Ohm,
      tau1S: p.tau1S,
      initialSoc: p.initialSoc,
    });
  }

  get soc(): number {
    return this.socNow;
  }

  get vRcV(): number {
    return this.vRcNow;
  }

  ocvV(): number {
    return this.params.cellsSeries * cellOcvV(this.params.chemistry, this.socNow);
  }

  /** The voltage behind R0 (OCV + RC): what a source sees before its own current flows through R0. */
  internalV(): number {
    return this.ocvV() + this.vRcNow;
  }

  /** Terminal voltage with currentA flowing in. */
  terminalV(currentA: number): number {
    return this.internalV() + currentA * this.params.r0Ohm;
  }

  /** Let currentA flow for dtS seconds. */
  step(currentA: number, dtS: number): void {
    const { r1Ohm, tau1S, capacityAh } = this.params;
    const a = Math.exp(-dtS / tau1S);
    this.vRcNow = this.vRcNow * a + r1Ohm * (1 - a) * currentA;
    this.socNow = Math.min(1, Math.max(0, this.socNow + (currentA * dtS) / (3600 * capacityAh)));
  }
}
