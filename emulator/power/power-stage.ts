// The emulated charger's power stage (one connector), after reference/power-ramp-safety.md §4 / §6.2:
// request intake with latency → limit stage (ratings, power, thermal, site cap, CV) → ramp limiter (up /
// down / stop rates; a separate emergency path) → current loop (first order, or second order for
// overshoot) → output with sensor gain/offset error, ripple and noise. Cable check and precharge run it as
// a current-limited voltage source. Protections: over-voltage against the vehicle's maximum (400 ms) and
// the Table 103/202 emergency level (9 ms), insulation. The DC bus calls tick() every 1 ms of clock time;
// every random draw comes from one seeded PRNG, so a seed and a command sequence give one trace.

import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import type { BusSource, BusView, DcBus, SourceOutput } from './dc-bus.ts';
import { Prng } from './prng.ts';

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

/** IEC 61851-23:2023 Table 103 / IEC 61851-23-3 Table 202 emergency over-voltage level for a negotiated maximum. */
export function emergencyOverVoltageLevelV(negotiatedMaxV: number): number {
  if (negotiatedMaxV <= 500) return 550;
  if (negotiatedMaxV <= 750) return 825;
  if (negotiatedMaxV <= 850) return 935;
  if (negotiatedMaxV <= 1000) return 1100;
  return 1375;
}

interface PendingRequest {
  applyAtNs: number;
  currentA: number;
  voltageV: number;
}

export class PowerStage implements BusSource {
  readonly params: PowerStageParams;
  readonly ratings: PowerStageRatings;
  private readonly clock: Clock;
  private readonly timeline: Timeline;
  private readonly bus: DcBus;
  private readonly faults: ReadonlySet<string>;
  private readonly source: string;
  private readonly rng: Prng;

  private st: PowerStageState = 'off';
  private pending: PendingRequest[] = [];
  private reqCurrentA = 0;
  private reqVoltageV = 0;
  private vehicleMaxV: number | undefined;
  private vehicleMaxA: number | undefined;
  private siteCapW: number | undefined;
  /** Ramp-limited current command (what the charger aims its measured current at). */
  private cmdA = 0;
  private cvLimitA: number;
  /** True output current of the loop, and its derivative (second-order mode). */
  private iA = 0;
  private diA = 0;
  /** Voltage-mode set point and target. */
  private vSetV = 0;
  private vTargetV = 0;
  private prechargeStartNs = 0;
  private ovEvSinceNs: number | undefined;
  private ovEmergencySinceNs: number | undefined;
  private lastInsulationCheckNs = 0;
  private insulationOk = true;
  private tempC: number;
  private stopReason: string | undefined;
  private stopDoneNs: number | undefined;
  private lastView: BusView | undefined;
  private stopRateAps = Number.POSITIVE_INFINITY;
  private discharging = false;

  constructor(opts: {
    clock: Clock;
    timeline: Timeline;
    ratings: PowerStageRatings;
    bus: DcBus;
    faults: ReadonlySet<string>;
    seed?: number;
    params?: Partial<PowerStageParams>;
    source?: string;
  }) {
    this.clock = opts.clock;
    this.timeline = opts.timeline;
    this.ratings = opts.ratings;
    this.bus = opts.bus;
    this.faults = opts.faults;
    this.source = opts.source ?? 'power-stage';
    this.rng = new Prng(opts.seed ?? 1);
    this.params = applyFaultParams({ ...DEFAULT_POWER_STAGE_PARAMS, ...opts.params }, opts.faults);
    this.cvLimitA = opts.ratings.maxCurrentA;
    this.tempC = this.params.ambientC;
    this.bus.attachSource(this);
  }

  // ---- commands (from the emulated charger's protocol side) ----

  /** The vehicle's targets, each charge-loop cycle. They take effect after the intake latency. */
  request(targets: { currentA: number; voltageV: number; maxVoltageV?: number }): void {
    this.bus.sync();
    if (targets.maxVoltageV !== undefined) this.vehicleMaxV = targets.maxVoltageV;
    const { requestLatencyMs, requestJitterMs } = this.params;
    const delayMs = Math.max(0, requestLatencyMs + requestJitterMs * this.rng.signed());
    const applyAtNs = Math.max(this.clock.now() + delayMs * 1e6, this.pending.at(-1)?.applyAtNs ?? 0);
    this.pending.push({ applyAtNs, currentA: Math.max(0, targets.currentA), voltageV: targets.voltageV });
  }

  /** The vehicle's declared maxima (EVMaximumVoltage / current), for the over-voltage protection and limits. */
  setVehicleLimits(limits: { maxVoltageV: number; maxCurrentA?: number }): void {
    this.bus.sync();
    this.vehicleMaxV = limits.maxVoltageV;
    this.vehicleMaxA = limits.maxCurrentA;
  }

  cableCheck(testVoltageV: number): void {
    this.bus.sync();
    this.vSetV = this.bus.state().voltageV;
    this.vTargetV = Math.min(testVoltageV, this.ratings.maxVoltageV);
    // Measure insulation at once: a check that reaches its voltage faster than the monitor period must
    // not finish before any measurement (a fault present from the start would go unseen).
    this.lastInsulationCheckNs = Number.NEGATIVE_INFINITY;
    this.insulationOk = true;
    this.enter('cable-check', { testVoltageV: this.vTargetV });
  }

  precharge(targetVoltageV: number): void {
    this.bus.sync();
    if (this.st !== 'precharge') {
      this.vSetV = this.bus.state().voltageV;
      this.discharging = true;
      this.prechargeStartNs = this.bus.timeNs;
      this.vTargetV = this.prechargeTarget(targetVoltageV);
      this.enter('precharge', { targetVoltageV });
    } else {
      this.vTargetV = this.prechargeTarget(targetVoltageV);
    }
  }

  startCharging(): void {
    this.bus.sync();
    if (this.st === 'tripped' || this.st === 'emergency') return; // only a new cable check resets a trip
    const s = this.bus.state();
    this.iA = s.currentA;
    this.diA = 0;
    this.cmdA = 0;
    this.cvLimitA = this.ratings.maxCurrentA;
    this.stopReason = undefined;
    this.stopDoneNs = undefined;
    this.enter('charging', {});
  }

  /** Ramp down (a normal stop) or, for an emergency, open the output at once; then the output is off. */
  stop(reason: StopReason): void {
    this.bus.sync();
    if (reason === 'vehicle' && this.faults.has('ignores-stop')) {
      this.note('stop ignored', { reason });
      return;
    }
    // A second normal stop (e.g. SessionStop after PowerDelivery(Stop)) must not cut the ramp-down short.
    if (reason !== 'emergency' && this.st === 'stopping') {
      this.note('stop already in progress', { reason });
      return;
    }
    this.stopReason = reason;
    if (reason === 'emergency') {
      if (!this.faults.has('slow-emergency-stop')) return this.enter('emergency', { reason });
      // The fault: the emergency is handled like a slow controlled stop.
      this.stopRateAps = 30;
      if (this.st === 'charging') return this.enter('stopping', { reason });
    }
    this.stopRateAps = this.params.stopRampAps;
    if (this.st === 'charging') this.enter('stopping', { reason });
    else if (this.st !== 'off' && this.st !== 'tripped' && this.st !== 'emergency') this.finishStop(reason);
  }

  /** The site's power share for this connector (a shared power cabinet); undefined = no cap. */
  setSitePowerCapW(capW: number | undefined): void {
    this.bus.sync();
    this.siteCapW = capW;
    this.note('site power cap', { capW: capW ?? null });
  }

  // ---- what the charger reports ----

  /** What the charger itself measures and reports as its present voltage and current (with its sensor errors). */
  present(): { voltageV: number; currentA: number } {
    const s = this.bus.state();
    let currentA = this.sensedCurrent(s.currentA);
    if (this.faults.has('reports-wrong-current')) currentA = currentA * 1.1 + 15;
    return { voltageV: this.sensedVoltage(s.voltageV), currentA };
  }

  get outputEnabled(): boolean {
    this.bus.sync();
    return isEnabled(this.st);
  }

  get state(): PowerStageState {
    this.bus.sync();
    return this.st;
  }

  /** True once a stop has brought the output current below the stop current (what the charger reports as stopped). */
  get stopComplete(): boolean {
    this.bus.sync();
    return this.stopDoneNs !== undefined;
  }

  /** Connector temperature of the thermal model (°C). */
  get temperatureC(): number {
    this.bus.sync();
    return this.tempC;
  }

  isolationOk(): boolean {
    this.bus.sync();
    return this.faults.has('ignores-insulation-fault') || this.insulationOk;
  }

  /** The limits the charger advertises now (EVSEMaximum…), with derating and the site cap applied. */
  limits(): { maxCurrentA: number; maxVoltageV: number; maxPowerW: number } {
    this.bus.sync();
    return {
      maxCurrentA: Math.min(this.ratings.maxCurrentA, this.ratings.maxCurrentA * this.thermalFactor()),
      maxVoltageV: this.ratings.maxVoltageV,
      maxPowerW: Math.min(this.ratings.maxPowerW, this.siteCapW ?? Number.POSITIVE_INFINITY),
    };
  }

  // ---- the 1 ms physics tick (called by the DC bus) ----

  tick(dtS: number, view: BusView): SourceOutput {
    this.lastView = view;
    const p = this.params;
    this.applyPending(view.tNs);
    this.thermalStep(dtS, view.inletA);
    this.protect(view);
    const vMeas = this.sensedVoltage(view.inletV);

    switch (this.st) {
      case 'off':
      case 'tripped':
        this.iA = 0;
        return { mode: 'off', bleed: !this.faults.has('contactor-welding') };
      case 'cable-check':
      case 'precharge':
      case 'ready': {
        if (this.st === 'precharge' && this.discharging && this.faults.has('voltage-overshoot')) {
          // The fault: no discharge first; the voltage loop overshoots above the EV maximum before settling.
          this.discharging = false;
          this.vSetV = view.inletV;
          this.prechargeStartNs = view.tNs;
        }
        if (this.st === 'precharge' && this.discharging) {
          // Precharge starts from a discharged output (< 60 V), as after a cable check (CC.4.1.2).
          if (view.inletV > p.prechargeStartBelowV) return { mode: 'off', bleed: true };
          this.discharging = false;
          this.vSetV = view.inletV;
          this.prechargeStartNs = view.tNs;
        }
        const slew = this.st === 'cable-check' ? p.cableCheckSlewVps : p.prechargeSlewVps;
        let target = this.vTargetV;
        if (this.st === 'precharge' && this.faults.has('voltage-overshoot') && view.tNs - this.prechargeStartNs < 1e9)
          target = Math.max(target * 1.12, (this.vehicleMaxV ?? target) * 1.03);
        const step = slew * dtS;
        this.vSetV += Math.max(-step, Math.min(step, target - this.vSetV));
        const limitA = this.faults.has('precharge-over-current') ? 40 : p.voltageModeCurrentLimitA;
        this.iA = view.inletA;
        return { mode: 'voltage', voltageV: this.vSetV, currentLimitA: limitA };
      }
      case 'emergency': {
        this.cmdA = 0;
        this.iA *= Math.exp(-dtS / (p.emergencyTauMs / 1000));
        if (this.iA < 0.01) this.iA = 0;
        if (this.stopDoneNs === undefined && this.iA < p.stopCurrentA) this.stopDoneNs = view.tNs;
        // The output is open: current only decays through a connected battery; an open inlet is discharged.
        if (!view.loadConnected) return { mode: 'off', bleed: !this.faults.has('contactor-welding') };
        return { mode: 'current', currentA: this.iA };
      }
      case 'charging':
      case 'stopping': {
        const limA = this.st === 'stopping' ? 0 : this.limitStage(vMeas, dtS);
        const upRate = this.faults.has('overshoot') ? Number.POSITIVE_INFINITY : p.rampUpAps;
        const downRate = this.st === 'stopping' ? this.stopRateAps : p.rampDownAps;
        if (limA > this.cmdA) this.cmdA = Math.min(limA, this.cmdA + upRate * dtS);
        else this.cmdA = Math.max(limA, this.cmdA - downRate * dtS);
        // The loop regulates what its own sensor reads; the true current carries the sensor's error.
        const targetA = Math.max(0, (this.cmdA - p.currentOffsetA) / (1 + p.currentGainError));
        if (p.loopOrder === 2) {
          const acc = p.omegaNRadS * p.omegaNRadS * (targetA - this.iA) - 2 * p.zeta * p.omegaNRadS * this.diA;
          this.diA += acc * dtS;
          this.iA += this.diA * dtS;
        } else {
          this.iA += (1 - Math.exp(-dtS / (p.currentTauMs / 1000))) * (targetA - this.iA);
        }
        if (this.st === 'stopping' && this.sensedCurrent(view.inletA) < p.stopCurrentA && this.cmdA <= p.stopCurrentA) {
          this.finishStop(this.stopReason ?? 'charger', view.tNs);
          return { mode: 'off', bleed: !this.faults.has('contactor-welding') };
        }
        if (!view.loadConnected) {
          // No battery (the vehicle opened its contactors under load): the converter runs into its voltage
          // limit, the CV voltage, instead of pushing its current into the inlet capacitance.
          const cvV = Math.min(this.reqVoltageV || this.ratings.maxVoltageV, this.vehicleMaxV ?? Number.POSITIVE_INFINITY, this.ratings.maxVoltageV);
          return { mode: 'voltage', voltageV: cvV, currentLimitA: Math.max(0, this.iA) };
        }
        const tS = view.tNs / 1e9;
        const ripple = this.iA > 1 ? p.ripplePkA * Math.sin(2 * Math.PI * p.rippleHz * tS) + p.noiseA * this.rng.gauss() : 0;
        return { mode: 'current', currentA: Math.max(0, this.iA + ripple) };
      }
    }
  }

  // ---- internals ----

  private limitStage(vMeas: number, dtS: number): number {
    const p = this.params;
    const v = Math.max(vMeas, this.ratings.minVoltageV ?? 50, 1);
    let lim = Math.min(this.reqCurrentA, this.ratings.maxCurrentA, this.vehicleMaxA ?? Number.POSITIVE_INFINITY, this.ratings.maxPowerW / v);
    if (this.siteCapW !== undefined && !this.faults.has('ignores-site-cap')) lim = Math.min(lim, this.siteCapW / v);
    lim *= this.thermalFactor();
    // Constant-voltage limit: an integrator that pulls the current down when the output reaches the CV voltage.
    const cvV = Math.min(this.reqVoltageV || this.ratings.maxVoltageV, this.vehicleMaxV ?? Number.POSITIVE_INFINITY, this.ratings.maxVoltageV);
    this.cvLimitA += p.cvGainApVs * (cvV - vMeas) * dtS;
    this.cvLimitA = Math.max(0, Math.min(this.cvLimitA, this.ratings.maxCurrentA, this.cmdA + 50)); // no wind-up
    return Math.max(0, Math.min(lim, this.cvLimitA));
  }

  private thermalFactor(): number {
    const { deratingStartC: a, deratingStopC: b } = this.params;
    return this.tempC <= a ? 1 : this.tempC >= b ? 0 : (b - this.tempC) / (b - a);
  }

  private thermalStep(dtS: number, currentA: number): void {
    const p = this.params;
    const dT = (p.contactOhm * currentA * currentA - (this.tempC - p.ambientC) / p.thermalResistanceKpW) / p.thermalCapacityJpK;
    this.tempC += dT * dtS;
  }

  private protect(view: BusView): void {
    const p = this.params;
    if (!isEnabled(this.st)) {
      this.ovEvSinceNs = this.ovEmergencySinceNs = undefined;
      return;
    }
    const vMeas = this.sensedVoltage(view.inletV);
    // Emergency over-voltage (Table 103 / 202): any phase.
    const negotiated = Math.min(this.vehicleMaxV ?? this.ratings.maxVoltageV, this.ratings.maxVoltageV);
    const level = emergencyOverVoltageLevelV(negotiated);
    if (vMeas > level) {
      this.ovEmergencySinceNs ??= view.tNs;
      if (view.tNs - this.ovEmergencySinceNs >= p.emergencyOverVoltageDelayMs * 1e6) return this.trip('emergency over-voltage', { voltageV: vMeas, levelV: level });
    } else this.ovEmergencySinceNs = undefined;
    // Over-voltage against the vehicle's maximum while energy flows (CC.6.2 / Table 104).
    if ((this.st === 'charging' || this.st === 'stopping') && this.vehicleMaxV !== undefined && !this.faults.has('ignores-vehicle-max-voltage')) {
      if (vMeas > this.vehicleMaxV) {
        this.ovEvSinceNs ??= view.tNs;
        if (view.tNs - this.ovEvSinceNs >= p.evOverVoltageDelayMs * 1e6) return this.trip('over-voltage against the vehicle maximum', { voltageV: vMeas, maxVoltageV: this.vehicleMaxV });
      } else this.ovEvSinceNs = undefined;
    }
    // Insulation monitor: sampled periodically; a fault during charging is an error shutdown.
    if (view.tNs - this.lastInsulationCheckNs >= p.insulationCheckMs * 1e6) {
      this.lastInsulationCheckNs = view.tNs;
      const ok = view.insulationOhm >= p.insulationFaultOhm;
      if (ok !== this.insulationOk) {
        this.insulationOk = ok;
        this.note(ok ? 'insulation ok' : 'insulation fault', { insulationOhm: view.insulationOhm, thresholdOhm: p.insulationFaultOhm }, view.tNs);
      }
      // An insulation fault is an error shutdown (Table CC.10): the output opens at once.
      if (!ok && !this.faults.has('ignores-insulation-fault') && (this.st === 'charging' || this.st === 'stopping' || this.st === 'precharge' || this.st === 'ready'))
        this.trip('insulation fault', { insulationOhm: view.insulationOhm });
    }
  }

  private trip(reason: string, data: Record<string, unknown>): void {
    this.stopReason = reason;
    // Error / emergency shutdown: the output opens at once; the current collapses on the emergency path.
    this.enter('emergency', { reason, ...data }, this.lastView?.tNs);
  }

  private finishStop(reason: string, tNs?: number): void {
    this.stopDoneNs = tNs ?? this.bus.timeNs;
    this.cmdA = 0;
    this.iA = 0;
    this.enter(this.st === 'emergency' ? 'tripped' : 'off', { reason }, tNs);
  }

  private prechargeTarget(v: number): number {
    const t = Math.min(v, this.ratings.maxVoltageV);
    return this.faults.has('precharge-voltage-mismatch') ? t - 40 : t;
  }

  private applyPending(tNs: number): void {
    while (this.pending.length && this.pending[0].applyAtNs <= tNs) {
      const r = this.pending.shift()!;
      this.reqCurrentA = r.currentA;
      this.reqVoltageV = r.voltageV;
    }
  }

  private sensedCurrent(trueA: number): number {
    return trueA * (1 + this.params.currentGainError) + (trueA > 0.5 ? this.params.currentOffsetA : 0);
  }

  private sensedVoltage(trueV: number): number {
    return trueV * (1 + this.params.voltageGainError) + this.params.voltageOffsetV;
  }

  private enter(state: PowerStageState, data: Record<string, unknown>, tNs?: number): void {
    if (state === 'emergency' && this.st === 'emergency') return;
    const from = this.st;
    this.st = state;
    this.timeline.record('power', this.source, { event: 'state', from, state, outputEnabled: isEnabled(state), ...data }, tNs ?? this.bus.timeNs);
  }

  private note(event: string, data: Record<string, unknown>, tNs?: number): void {
    this.timeline.record('power', this.source, { event, ...data }, tNs ?? this.bus.timeNs);
  }
}

function isEnabled(s: PowerStageState): boolean {
  return s === 'cable-check' || s === 'precharge' || s === 'ready' || s === 'charging' || s === 'stopping';
}

/** Fault switches that are just different parameters. */
function applyFaultParams(p: PowerStageParams, faults: ReadonlySet<string>): PowerStageParams {
  const q = { ...p };
  if (faults.has('ramp-too-slow')) q.rampUpAps = 10;
  if (faults.has('overshoot')) Object.assign(q, { loopOrder: 2, zeta: 0.3, omegaNRadS: 12 });
  if (faults.has('offset-beyond-tolerance')) q.currentOffsetA = 40;
  if (faults.has('slow-down-step')) q.rampDownAps = 20;
  if (faults.has('slow-stop')) q.stopRampAps = 30;
  if (faults.has('precharge-over-current')) q.prechargeSlewVps = 5000;
  return q;
}
