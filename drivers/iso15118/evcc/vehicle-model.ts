// What the EVCC asks for: the vehicle's limits and, each charge-loop cycle, its own current/voltage
// request. A battery model (drivers/vehicle, the ramp issue) can implement EvRequestModel; the
// ConstantRequestModel here is the simple default built from bench settings (a pack at a fixed voltage
// asking a fixed current), enough for handshake tests.

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
