// The limit stage of the emulated power stage: what current the charger may aim at now — the request,
// its ratings and power, the vehicle's maximum, the site power cap, connector thermal derating, and a
// constant-voltage integrator that pulls the current down at the CV voltage.

import type { PowerFaultLayer } from './fault-layer.ts';
import type { PowerStageParams, PowerStageRatings } from './power-stage-params.ts';

export interface LimitInputs {
  requestA: number;
  requestV: number;
  vehicleMaxA: number | undefined;
  vehicleMaxV: number | undefined;
  /** The charger's measured output voltage. */
  measuredV: number;
  /** The ramp-limited command now (bounds the CV integrator's wind-up). */
  commandA: number;
}

export class LimitStage {
  siteCapW: number | undefined;
  private cvLimitA: number;
  private tempC: number;
  /** The highest request of this charge (fault cv-taper-ignored holds it). */
  private highestRequestA = 0;

  constructor(
    private readonly p: PowerStageParams,
    private readonly ratings: PowerStageRatings,
    private readonly faults: PowerFaultLayer,
  ) {
    this.cvLimitA = ratings.maxCurrentA;
    this.tempC = p.ambientC;
  }

  get temperatureC(): number {
    return this.tempC;
  }

  /** A new charge: the CV integrator starts open. */
  reset(): void {
    this.cvLimitA = this.ratings.maxCurrentA;
    this.highestRequestA = 0;
  }

  /** The voltage the charger limits its output to (request, vehicle maximum, rating). */
  cvVoltageV(requestV: number, vehicleMaxV: number | undefined): number {
    return Math.min(requestV || this.ratings.maxVoltageV, vehicleMaxV ?? Number.POSITIVE_INFINITY, this.ratings.maxVoltageV);
  }

  limitA(x: LimitInputs, dtS: number): number {
    const v = Math.max(x.measuredV, this.ratings.minVoltageV ?? 50, 1);
    this.highestRequestA = Math.max(this.highestRequestA, x.requestA);
    const requestA = this.faults.heldRequestA(x.requestA, this.highestRequestA);
    let lim = Math.min(requestA, this.ratings.maxCurrentA, x.vehicleMaxA ?? Number.POSITIVE_INFINITY, this.ratings.maxPowerW / v);
    if (this.siteCapW !== undefined && !this.faults.ignoresSiteCap()) lim = Math.min(lim, this.siteCapW / v);
    lim *= this.thermalFactor();
    const cvV = this.cvVoltageV(x.requestV, x.vehicleMaxV);
    this.cvLimitA += this.p.cvGainApVs * (cvV - x.measuredV) * dtS;
    this.cvLimitA = Math.max(0, Math.min(this.cvLimitA, this.ratings.maxCurrentA, x.commandA + 50)); // no wind-up
    const ratingA = Math.min(this.ratings.maxCurrentA, this.ratings.maxPowerW / v);
    return this.faults.overRatedLimitA(Math.max(0, Math.min(lim, this.cvLimitA)), ratingA);
  }

  /** The maxima the charger advertises now (EVSEMaximum…), with derating and the site cap applied. */
  advertised(): { maxCurrentA: number; maxVoltageV: number; maxPowerW: number } {
    return {
      maxCurrentA: Math.min(this.ratings.maxCurrentA, this.ratings.maxCurrentA * this.thermalFactor()),
      maxVoltageV: this.ratings.maxVoltageV,
      maxPowerW: Math.min(this.ratings.maxPowerW, this.siteCapW ?? Number.POSITIVE_INFINITY),
    };
  }

  /** Connector thermal model: T' = (R·I² − (T − T_amb)/R_th)/C_th. */
  thermalStep(dtS: number, currentA: number): void {
    const p = this.p;
    const dT = (p.contactOhm * currentA * currentA - (this.tempC - p.ambientC) / p.thermalResistanceKpW) / p.thermalCapacityJpK;
    this.tempC += dT * dtS;
  }

  private thermalFactor(): number {
    const { deratingStartC: a, deratingStopC: b } = this.p;
    return this.tempC <= a ? 1 : this.tempC >= b ? 0 : (b - this.tempC) / (b - a);
  }
}
