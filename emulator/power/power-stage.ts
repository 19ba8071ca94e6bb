// The emulated charger's power stage (one connector), after reference/power-ramp-safety.md §4 / §6.2:
// request intake with latency → limit stage (limit-stage.ts) → ramp limiter and current loop
// (current-loop.ts) → output with ripple and noise. Cable check and precharge run it as a current-limited
// voltage source. Protections (protections.ts) trip it; every fault switch lives in fault-layer.ts. The DC
// bus calls tick() every 1 ms of clock time; every random draw comes from one seeded PRNG, so a seed and a
// command sequence give one trace.

import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { CurrentMeter } from './current-meter.ts';
import { CurrentLoop } from './current-loop.ts';
import type { BusSource, BusView, DcBus, SourceOutput } from './dc-bus.ts';
import { PowerFaultLayer } from './fault-layer.ts';
import { LimitStage } from './limit-stage.ts';
import {
  DEFAULT_POWER_STAGE_PARAMS,
  isEnabled,
  sensedCurrentA,
  sensedVoltageV,
  type PowerStageParams,
  type PowerStageRatings,
  type PowerStageState,
  type StopReason,
} from './power-stage-params.ts';
import { Prng } from './prng.ts';
import { Protections } from './protections.ts';

export { DEFAULT_POWER_STAGE_PARAMS, emergencyOverVoltageLevelV } from './power-stage-params.ts';
export type { PowerStageParams, PowerStageRatings, PowerStageState, StopReason } from './power-stage-params.ts';

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
  private readonly source: string;
  private readonly rng: Prng;
  private readonly faults: PowerFaultLayer;
  private readonly limiter: LimitStage;
  private readonly loop: CurrentLoop;
  private readonly protections: Protections;

  private st: PowerStageState = 'off';
  private pending: PendingRequest[] = [];
  private reqCurrentA = 0;
  private reqVoltageV = 0;
  private vehicleMaxV: number | undefined;
  private vehicleMaxA: number | undefined;
  /** Voltage-mode set point and target. */
  private vSetV = 0;
  private vTargetV = 0;
  private prechargeStartNs = 0;
  private stopReason: string | undefined;
  private stopDoneNs: number | undefined;
  private lastView: BusView | undefined;
  private readonly meter: CurrentMeter;
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
    this.source = opts.source ?? 'power-stage';
    this.rng = new Prng(opts.seed ?? 1);
    this.faults = new PowerFaultLayer(opts.faults);
    this.params = this.faults.params({ ...DEFAULT_POWER_STAGE_PARAMS, ...opts.params });
    this.limiter = new LimitStage(this.params, opts.ratings, this.faults);
    this.loop = new CurrentLoop(this.params);
    this.meter = new CurrentMeter(this.params.meterWindowMs);
    this.protections = new Protections(this.params, this.faults, (e, d, t) => this.note(e, d, t));
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
    this.protections.measureInsulationNow();
    this.faults.newSession();
    this.enter('cable-check', { testVoltageV: this.vTargetV });
  }

  precharge(targetVoltageV: number): void {
    this.bus.sync();
    this.vTargetV = this.faults.prechargeTargetV(Math.min(targetVoltageV, this.ratings.maxVoltageV));
    if (this.st === 'precharge') return;
    this.vSetV = this.bus.state().voltageV;
    this.discharging = true;
    this.prechargeStartNs = this.bus.timeNs;
    this.enter('precharge', { targetVoltageV });
  }

  startCharging(): void {
    this.bus.sync();
    if (this.st === 'tripped' || this.st === 'emergency') return; // only a new cable check resets a trip
    this.loop.reset(this.bus.state().currentA);
    this.limiter.reset();
    // A new charge starts from no request: the last charge's must not be aimed at (nor held by cv-taper-ignored).
    this.reqCurrentA = 0;
    this.stopReason = undefined;
    this.stopDoneNs = undefined;
    this.enter('charging', {});
  }

  /** Ramp down (a normal stop) or, for an emergency, open the output at once; then the output is off. */
  stop(reason: StopReason): void {
    this.bus.sync();
    if (this.faults.dropsStop(reason)) {
      this.note('stop ignored', { reason });
      return;
    }
    // A second normal stop (e.g. SessionStop after PowerDelivery(Stop)) must not cut the ramp-down short.
    if (reason !== 'emergency' && this.st === 'stopping') {
      this.note('stop already in progress', { reason });
      return;
    }
    this.stopReason = reason;
    this.stopRateAps = this.params.stopRampAps;
    if (reason === 'emergency') {
      const slowAps = this.faults.emergencyStopRateAps();
      if (slowAps === undefined) return this.enter('emergency', { reason });
      this.stopRateAps = slowAps;
      if (this.st === 'charging') return this.enter('stopping', { reason });
    }
    if (this.st === 'charging') this.enter('stopping', { reason });
    else if (this.st !== 'off' && this.st !== 'tripped' && this.st !== 'emergency') this.finishStop(reason);
  }

  /** The site's power share for this connector (a shared power cabinet); undefined = no cap. */
  setSitePowerCapW(capW: number | undefined): void {
    this.bus.sync();
    this.limiter.siteCapW = capW;
    this.note('site power cap', { capW: capW ?? null });
  }

  // ---- what the charger reports ----

  /** What the charger itself measures and reports as its present voltage and current (with its sensor errors). */
  present(): { voltageV: number; currentA: number } {
    return this.reading(true);
  }

  /** What the charger's own control believes its output is (present() before it goes on the wire). */
  measured(): { voltageV: number; currentA: number } {
    return this.reading(false);
  }

  private reading(onWire: boolean): { voltageV: number; currentA: number } {
    const s = this.bus.state();
    // On the wire: the meter's reading. The charger's own control acts on the instant value.
    const trueA = onWire ? this.meter.reading(s.currentA) : s.currentA;
    const sensed = { voltageV: sensedVoltageV(this.params, s.voltageV), currentA: sensedCurrentA(this.params, trueA) };
    const intended = {
      voltageV: isEnabled(this.st) ? this.vSetV : 0,
      currentA: this.st === 'charging' || this.st === 'stopping' ? this.loop.commandA : 0,
    };
    return this.faults.report(this.st, sensed, intended, onWire);
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
    return this.limiter.temperatureC;
  }

  isolationOk(): boolean {
    this.bus.sync();
    return this.faults.ignoresInsulationFault() || this.protections.insulationOk;
  }

  /** The limits the charger advertises now (EVSEMaximum…), with derating and the site cap applied. */
  limits(): { maxCurrentA: number; maxVoltageV: number; maxPowerW: number } {
    this.bus.sync();
    return this.limiter.advertised();
  }

  // ---- the 1 ms physics tick (called by the DC bus) ----

  tick(dtS: number, view: BusView): SourceOutput {
    this.lastView = view;
    this.meter.add(view.inletA);
    this.applyPending(view.tNs);
    this.limiter.thermalStep(dtS, view.inletA);
    const vMeas = sensedVoltageV(this.params, view.inletV);
    const trip = this.protections.check(this.st, view, vMeas, { vehicleMaxV: this.vehicleMaxV, ratedMaxV: this.ratings.maxVoltageV });
    if (trip) this.trip(trip.reason, trip.data);
    return this.faults.output(this.converter(dtS, view, vMeas));
  }

  // ---- internals ----

  /** What the converter drives onto the bus this tick, state by state. */
  private converter(dtS: number, view: BusView, vMeas: number): SourceOutput {
    switch (this.st) {
      case 'off':
      case 'tripped':
        this.loop.off();
        return { mode: 'off', bleed: this.faults.bleeds() };
      case 'cable-check':
      case 'precharge':
      case 'ready':
        return this.voltageSource(dtS, view);
      case 'emergency':
        return this.emergencyPath(dtS, view);
      case 'charging':
      case 'stopping':
        return this.currentSource(dtS, view, vMeas);
    }
  }

  private voltageSource(dtS: number, view: BusView): SourceOutput {
    const p = this.params;
    if (this.st === 'precharge' && this.discharging && this.faults.skipsPrechargeDischarge()) this.beginPrechargeSlew(view);
    if (this.st === 'precharge' && this.discharging) {
      // Precharge starts from a discharged output (< 60 V), as after a cable check (CC.4.1.2).
      if (view.inletV > p.prechargeStartBelowV) return { mode: 'off', bleed: true };
      this.beginPrechargeSlew(view);
    }
    const slew = this.st === 'cable-check' ? p.cableCheckSlewVps : p.prechargeSlewVps;
    let target = this.vTargetV;
    if (this.st === 'precharge') target = this.faults.prechargeOvershootTargetV(target, this.vehicleMaxV, view.tNs - this.prechargeStartNs);
    const step = slew * dtS;
    this.vSetV += Math.max(-step, Math.min(step, target - this.vSetV));
    this.loop.outputA = view.inletA;
    return { mode: 'voltage', voltageV: this.vSetV, currentLimitA: p.voltageModeCurrentLimitA };
  }

  private beginPrechargeSlew(view: BusView): void {
    this.discharging = false;
    this.vSetV = view.inletV;
    this.prechargeStartNs = view.tNs;
  }

  private emergencyPath(dtS: number, view: BusView): SourceOutput {
    const iA = this.loop.collapse(dtS);
    if (this.stopDoneNs === undefined && iA < this.params.stopCurrentA) this.stopDoneNs = view.tNs;
    // The output is open: current only decays through a connected battery; an open inlet is discharged.
    if (!view.loadConnected) return { mode: 'off', bleed: this.faults.bleeds() };
    return { mode: 'current', currentA: iA };
  }

  private currentSource(dtS: number, view: BusView, vMeas: number): SourceOutput {
    const p = this.params;
    const stopping = this.st === 'stopping';
    const limA = stopping
      ? 0
      : this.limiter.limitA(
          {
            requestA: this.reqCurrentA,
            requestV: this.reqVoltageV,
            vehicleMaxA: this.vehicleMaxA,
            vehicleMaxV: this.vehicleMaxV,
            measuredV: vMeas,
            commandA: this.loop.commandA,
          },
          dtS,
        );
    const iA = this.loop.step(limA, { upAps: p.rampUpAps, downAps: stopping ? this.stopRateAps : p.rampDownAps }, dtS);
    if (stopping && sensedCurrentA(p, view.inletA) < p.stopCurrentA && this.loop.commandA <= p.stopCurrentA) {
      this.finishStop(this.stopReason ?? 'charger', view.tNs);
      return { mode: 'off', bleed: this.faults.bleeds() };
    }
    if (!view.loadConnected) {
      // No battery (the vehicle opened its contactors under load): the converter runs into its voltage
      // limit, the CV voltage, instead of pushing its current into the inlet capacitance.
      return { mode: 'voltage', voltageV: this.limiter.cvVoltageV(this.reqVoltageV, this.vehicleMaxV), currentLimitA: Math.max(0, iA) };
    }
    const tS = view.tNs / 1e9;
    const ripple = iA > 1 ? p.ripplePkA * Math.sin(2 * Math.PI * p.rippleHz * tS) + p.noiseA * this.rng.gauss() : 0;
    return { mode: 'current', currentA: Math.max(0, iA + ripple) };
  }

  private trip(reason: string, data: Record<string, unknown>): void {
    this.stopReason = reason;
    // Error / emergency shutdown: the output opens at once; the current collapses on the emergency path.
    this.enter('emergency', { reason, ...data }, this.lastView?.tNs);
  }

  private finishStop(reason: string, tNs?: number): void {
    this.stopDoneNs = tNs ?? this.bus.timeNs;
    this.loop.off();
    this.enter(this.st === 'emergency' ? 'tripped' : 'off', { reason }, tNs);
  }

  private applyPending(tNs: number): void {
    while (this.pending.length && this.pending[0].applyAtNs <= tNs) {
      const r = this.pending.shift()!;
      this.reqCurrentA = r.currentA;
      this.reqVoltageV = r.voltageV;
    }
  }

  private enter(state: PowerStageState, data: Record<string, unknown>, tNs?: number): void {
    if (state === 'emergency' && this.st === 'emergency') return;
    const from = this.st;
    this.st = state;
    this.timeline.record(
      'power',
      this.source,
      { event: 'state', from, state, outputEnabled: isEnabled(state), ...data },
      tNs ?? this.bus.timeNs,
    );
  }

  private note(event: string, data: Record<string, unknown>, tNs?: number): void {
    this.timeline.record('power', this.source, { event, ...data }, tNs ?? this.bus.timeNs);
  }
}
