// How a vehicle's BMS turns its battery state into current/voltage requests each charge-loop cycle:
// constant current (C-rate limited, raised at the profile's request ramp), then a constant-voltage taper,
// ending at the target SOC or when the taper current falls below the cutoff. It keeps its own SOC by
// coulomb counting from the measured current, as a BMS does (a real battery emulator has no SOC to read).

import { ccCurrentA, packCapacityAh, type VehicleProfile } from './profile.ts';

export interface VehicleRequest {
  currentA: number;
  /** The EV target voltage (its CV voltage). */
  voltageV: number;
  /** The EV maximum voltage it declares. */
  maxVoltageV: number;
  phase: 'cc' | 'cv' | 'done';
  soc: number;
}

export class VehicleRequestPolicy {
  private lastMs: number | undefined;
  private requestA = 0;
  private socEstimate: number;
  private phase: VehicleRequest['phase'] = 'cc';
  /** An explicit ceiling a test sets (e.g. a step to 600 A); undefined = the profile's CC current. */
  private ceilingA: number | undefined;

  constructor(readonly profile: VehicleProfile) {
    this.socEstimate = profile.initialSoc;
  }

  /**
   * A new charging session (the vehicle plugged in again): the request starts from 0 A in constant current, as a
   * BMS starts each charge, unless the pack is already at its target. A taper or end of charge reached in an
   * earlier session must not carry over (a vehicle 'done' once would ask 0 A for ever).
   */
  newSession(): void {
    this.phase = this.socEstimate >= this.profile.targetSoc ? 'done' : 'cc';
    this.requestA = 0;
    this.lastMs = undefined;
  }

  /** Ask for a given current from now on (tests step the request); undefined returns to the profile. */
  setCeiling(currentA: number | undefined): void {
    this.ceilingA = currentA;
  }

  /** Jump the request straight to the ceiling instead of ramping (a step test). */
  jumpToCeiling(): void {
    if (this.ceilingA !== undefined) this.requestA = Math.min(this.ceilingA, ccCurrentA(this.profile));
  }

  get soc(): number {
    return this.socEstimate;
  }

  /**
   * The request for this cycle. measuredVoltageV / measuredCurrentA are what the vehicle sees at its inlet;
   * socOverride lets an emulated vehicle use the true SOC instead of its own estimate.
   */
  next(nowMs: number, measuredVoltageV: number, measuredCurrentA: number, socOverride?: number): VehicleRequest {
    const p = this.profile;
    const dtS = this.lastMs === undefined ? 0 : Math.max(0, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    this.socEstimate = socOverride ?? this.socEstimate + (measuredCurrentA * dtS) / (3600 * packCapacityAh(p));
    const ceiling = Math.min(this.ceilingA ?? Number.POSITIVE_INFINITY, ccCurrentA(p));
    if (this.phase !== 'done' && this.socEstimate >= p.targetSoc) this.phase = 'done';
    if (this.phase === 'cc' && measuredVoltageV >= p.cvVoltageV) this.phase = 'cv';
    if (this.phase === 'done') {
      this.requestA = 0;
    } else if (this.phase === 'cv') {
      // Pull the request down in proportion to how far the voltage sits above the CV voltage.
      const excessV = Math.max(0, measuredVoltageV - p.cvVoltageV);
      this.requestA = Math.min(ceiling, Math.max(0, this.requestA - p.cvTaperGainApVs * excessV * dtS));
      if (this.requestA < p.cutoffCurrentA) {
        this.phase = 'done';
        this.requestA = 0;
      }
    } else if (this.requestA < ceiling) {
      this.requestA = Math.min(ceiling, this.requestA + p.requestRampAps * dtS);
    } else {
      this.requestA = ceiling; // a lowered ceiling is followed at once: decreases are never ramp-limited
    }
    return { currentA: this.requestA, voltageV: p.cvVoltageV, maxVoltageV: p.maxVoltageV, phase: this.phase, soc: this.socEstimate };
  }
}
