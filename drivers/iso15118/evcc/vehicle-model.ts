// What the EVCC asks for: the vehicle's limits and, each charge-loop cycle, its own current/voltage
// request. A battery model (drivers/vehicle, the ramp issue) can implement EvRequestModel; the
// ConstantRequestModel here is the simple default built from bench settings (a pack at a fixed voltage
// asking a fixed current), enough for handshake tests.

import { packCapacityAh, type VehicleProfile } from '../../vehicle/profile.ts';
import { VehicleRequestPolicy } from '../../vehicle/request-policy.ts';

export interface EvLimits {
  maxCurrentA: number;
  minCurrentA: number;
  maxVoltageV: number;
  minVoltageV: number;
  maxPowerW: number;
  minPowerW: number;
  /** Energy requests for ScheduleExchange / Dynamic control (Wh). */
  targetEnergyWh: number;
  maxEnergyWh: number;
  minEnergyWh: number;
  /** Seconds until departure (ScheduleExchange). */
  departureTimeS: number;
  targetSoc?: number;
}

export interface EvRequestModel {
  readonly limits: EvLimits;
  /** The battery's voltage now (EVPresentVoltage; the precharge target). */
  presentVoltageV(): number;
  /** The vehicle's own request for the next cycle, given what the charger last reported. */
  nextRequest(ctx: { presentCurrentA: number; presentVoltageV: number; sinceStartMs: number }): { currentA: number; voltageV: number };
  /** State of charge in %, when the model has one (DisplayParameters). */
  soc?(): number;
  /** Feed what the vehicle measured (battery / inlet voltage) into the model. */
  observe?(voltageV: number): void;
}

export interface ConstantRequestSettings {
  packVoltageV?: number;
  requestCurrentA?: number;
  maxCurrentA?: number;
  maxVoltageV?: number;
  maxPowerW?: number;
}

/** A pack at a fixed voltage asking a fixed current (capped by its own limits). */
export class ConstantRequestModel implements EvRequestModel {
  readonly limits: EvLimits;
  private readonly packV: number;
  private readonly requestA: number;

  constructor(s: ConstantRequestSettings = {}) {
    this.packV = s.packVoltageV ?? 800;
    const maxA = s.maxCurrentA ?? 3000;
    this.requestA = Math.min(s.requestCurrentA ?? 500, maxA);
    this.limits = {
      maxCurrentA: maxA,
      minCurrentA: 0,
      maxVoltageV: s.maxVoltageV ?? 1000,
      minVoltageV: 200,
      maxPowerW: s.maxPowerW ?? 3_000_000,
      minPowerW: 0,
      targetEnergyWh: 400_000,
      maxEnergyWh: 500_000,
      minEnergyWh: 50_000,
      departureTimeS: 7200,
    };
  }

  presentVoltageV(): number {
    return this.packV;
  }

  nextRequest(): { currentA: number; voltageV: number } {
    return { currentA: this.requestA, voltageV: Math.min(this.limits.maxVoltageV, this.packV + 50) };
  }
}

/**
 * The vehicle's side of the DC power path: its battery voltage behind the contactors, the inlet it
 * measures, and the contactors themselves. On a bench this is the battery emulator (its output = the
 * vehicle's contactors); without one, the vehicle relies on what the charger reports.
 */
export interface EvPowerPath {
  batteryVoltageV(): Promise<number>;
  inlet(): Promise<{ voltageV: number; currentA: number }>;
  setContactors(closed: boolean): Promise<void>;
}

/**
 * Requests from a vehicle profile (fixtures/vehicles): CC at the profile's C-rate with its request ramp,
 * then the CV taper (drivers/vehicle/request-policy.ts). presentVoltageV() is the last battery voltage
 * the vehicle measured (refresh it with observe()).
 */
export class ProfileRequestModel implements EvRequestModel {
  readonly limits: EvLimits;
  private readonly policy: VehicleRequestPolicy;
  private lastV: number;
  private lastSoc: number;
  private lastSinceStartMs = Number.POSITIVE_INFINITY;

  constructor(
    readonly profile: VehicleProfile,
    private readonly nowMs: () => number,
  ) {
    this.policy = new VehicleRequestPolicy(profile);
    const capWh = packCapacityAh(profile) * profile.maxVoltageV;
    this.lastV = (profile.maxVoltageV + profile.minVoltageV) / 2;
    this.lastSoc = profile.initialSoc * 100;
    this.limits = {
      maxCurrentA: profile.maxCurrentA,
      minCurrentA: 0,
      maxVoltageV: profile.maxVoltageV,
      minVoltageV: profile.minVoltageV,
      maxPowerW: profile.maxVoltageV * profile.maxCurrentA,
      minPowerW: 0,
      targetEnergyWh: Math.max(0, (profile.targetSoc - profile.initialSoc) * capWh),
      maxEnergyWh: Math.max(0, (1 - profile.initialSoc) * capWh),
      minEnergyWh: 0,
      departureTimeS: 7200,
      targetSoc: Math.round(profile.targetSoc * 100),
    };
  }

  /** Tell the model what the vehicle measured (battery voltage before the contactors close, inlet after). */
  observe(voltageV: number): void {
    if (Number.isFinite(voltageV) && voltageV > 0) this.lastV = voltageV;
  }

  presentVoltageV(): number {
    return this.lastV;
  }

  nextRequest(ctx: { presentCurrentA: number; presentVoltageV: number; sinceStartMs: number }): { currentA: number; voltageV: number } {
    // The charge loop's clock restarts with each session: the policy starts a new charge then.
    if (ctx.sinceStartMs < this.lastSinceStartMs) this.policy.newSession();
    this.lastSinceStartMs = ctx.sinceStartMs;
    const r = this.policy.next(this.nowMs(), ctx.presentVoltageV, ctx.presentCurrentA);
    this.lastSoc = r.soc * 100;
    return { currentA: r.currentA, voltageV: r.voltageV };
  }

  soc(): number {
    return this.lastSoc;
  }
}
