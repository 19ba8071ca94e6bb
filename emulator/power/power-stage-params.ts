// The tunable numbers of the emulated power stage (reference/power-ramp-safety.md §6.2) and the states it
// moves through. Data and tiny pure helpers only: the stage, its limit stage, loop and protections read them.

export interface PowerStageRatings {
  maxVoltageV: number;
  minVoltageV?: number;
  maxCurrentA: number;
  maxPowerW: number;
}

export interface PowerStageParams {
  /** Delay from a request reaching the charger to the limiter acting on it (ms). */
  requestLatencyMs: number;
  /** ± uniform jitter on that delay (ms). */
  requestJitterMs: number;
  /** Ramp limiter rates (A/s); Infinity = not limited. */
  rampUpAps: number;
  rampDownAps: number;
  /** Ramp rate of a normal (vehicle / charger) stop (A/s). */
  stopRampAps: number;
  /** Current loop: first order with τ, or second order (ζ, ωn). */
  loopOrder: 1 | 2;
  currentTauMs: number;
  zeta: number;
  omegaNRadS: number;
  /** After an emergency the output opens: the current collapses with this time constant (ms). */
  emergencyTauMs: number;
  /** Integral gain of the constant-voltage limit (A per V per s). */
  cvGainApVs: number;
  /** The charger's current sensor: reads (1 + gain)·I + offset. It regulates on what it reads. */
  currentGainError: number;
  currentOffsetA: number;
  voltageGainError: number;
  voltageOffsetV: number;
  /** Output current ripple (A peak) at rippleHz, plus white noise (A rms). */
  ripplePkA: number;
  rippleHz: number;
  noiseA: number;
  /** The present current it reports is the mean over this window (ms) of its output (current-meter.ts). */
  meterWindowMs: number;
  /** Voltage-source phases: slew (V/s) and current limit (A). */
  cableCheckSlewVps: number;
  prechargeSlewVps: number;
  voltageModeCurrentLimitA: number;
  /** Precharge first discharges the output below this voltage (V). */
  prechargeStartBelowV: number;
  /** After a stop the output is disabled once the measured current is below this (A). */
  stopCurrentA: number;
  /** Over-voltage against the vehicle's maximum: trip after this long above it (ms). */
  evOverVoltageDelayMs: number;
  /** Emergency over-voltage (Table 103/202 level): trip after this long above it (ms). */
  emergencyOverVoltageDelayMs: number;
  /** Insulation below this is a fault (Ω); checked every insulationCheckMs. */
  insulationFaultOhm: number;
  insulationCheckMs: number;
  /** Connector thermal model: T' = (R·I² − (T − T_amb)/R_th)/C_th, derating from deratingStartC to stop at stopC. */
  ambientC: number;
  contactOhm: number;
  thermalResistanceKpW: number;
  thermalCapacityJpK: number;
  deratingStartC: number;
  deratingStopC: number;
}

/** §6.2 defaults (assumptions unless cited there). */
export const DEFAULT_POWER_STAGE_PARAMS: PowerStageParams = {
  requestLatencyMs: 20,
  requestJitterMs: 5,
  rampUpAps: 25,
  rampDownAps: Number.POSITIVE_INFINITY,
  stopRampAps: Number.POSITIVE_INFINITY,
  loopOrder: 1,
  currentTauMs: 50,
  zeta: 0.7,
  omegaNRadS: 20,
  emergencyTauMs: 5,
  cvGainApVs: 100,
  currentGainError: 0.005,
  currentOffsetA: 0.5,
  // Reads slightly low: a vehicle that closes its contactors on the reported voltage then closes inside
  // its band (reading high would let it close up to the sensor error outside it).
  voltageGainError: -0.002,
  voltageOffsetV: -0.5,
  ripplePkA: 1,
  rippleHz: 600,
  noiseA: 0.2,
  meterWindowMs: 10,
  cableCheckSlewVps: 500,
  prechargeSlewVps: 500,
  voltageModeCurrentLimitA: 2,
  prechargeStartBelowV: 60,
  stopCurrentA: 5,
  evOverVoltageDelayMs: 400,
  emergencyOverVoltageDelayMs: 9,
  insulationFaultOhm: 125e3,
  insulationCheckMs: 1000,
  ambientC: 35,
  contactOhm: 50e-6,
  thermalResistanceKpW: 0.144,
  thermalCapacityJpK: 2000,
  deratingStartC: 80,
  deratingStopC: 90,
};

export type PowerStageState = 'off' | 'cable-check' | 'precharge' | 'ready' | 'charging' | 'stopping' | 'emergency' | 'tripped';
export type StopReason = 'vehicle' | 'charger' | 'emergency';

/** True in the states where the converter's output is enabled. */
export function isEnabled(s: PowerStageState): boolean {
  return s === 'cable-check' || s === 'precharge' || s === 'ready' || s === 'charging' || s === 'stopping';
}

/** IEC 61851-23:2023 Table 103 / IEC 61851-23-3 Table 202 emergency over-voltage level for a negotiated maximum. */
export function emergencyOverVoltageLevelV(negotiatedMaxV: number): number {
  if (negotiatedMaxV <= 500) return 550;
  if (negotiatedMaxV <= 750) return 825;
  if (negotiatedMaxV <= 850) return 935;
  if (negotiatedMaxV <= 1000) return 1100;
  return 1375;
}

/** The charger's own sensors: what it regulates on and reports. */
export function sensedCurrentA(p: PowerStageParams, trueA: number): number {
  return trueA * (1 + p.currentGainError) + (trueA > 0.5 ? p.currentOffsetA : 0);
}

export function sensedVoltageV(p: PowerStageParams, trueV: number): number {
  return trueV * (1 + p.voltageGainError) + p.voltageOffsetV;
}
