// Every power-stage fault switch in one place: the stage, its limit stage and protections ask this layer
// instead of testing fault names inline, so a reader sees each wrong behaviour next to the others and the
// physics stays the correct charger. Switches that are just other numbers change the parameters.

import type { SourceOutput } from './dc-bus.ts';
import type { PowerStageParams, PowerStageState, StopReason } from './power-stage-params.ts';

const PRECHARGE_SENSOR_ERROR_V = 40;
/** power-limit-overshoot: from this share of its rating on, the limit is this factor over it. */
const OVER_RATED_FROM = 0.975;
const OVER_RATED_FACTOR = 1.12;

export interface Reading {
  voltageV: number;
  currentA: number;
}

export class PowerFaultLayer {
  /** present-values-frozen: the first reading of the session, reported from then on. */
  private frozen: Reading | undefined;

  constructor(private readonly faults: ReadonlySet<string>) {}

  has(name: string): boolean {
    return this.faults.has(name);
  }

  /** Fault switches that are just different parameters. */
  params(p: PowerStageParams): PowerStageParams {
    const q = { ...p };
    if (this.has('ramp-too-slow')) q.rampUpAps = 10;
    if (this.has('overshoot')) Object.assign(q, { loopOrder: 2, zeta: 0.3, omegaNRadS: 12, rampUpAps: Number.POSITIVE_INFINITY });
    if (this.has('offset-beyond-tolerance')) q.currentOffsetA = 40;
    if (this.has('slow-down-step')) q.rampDownAps = 20;
    if (this.has('slow-stop')) q.stopRampAps = 30;
    if (this.has('precharge-over-current')) Object.assign(q, { prechargeSlewVps: 5000, voltageModeCurrentLimitA: 40 });
    return q;
  }

  /** ignores-stop: the vehicle's stop is dropped. */
  dropsStop(reason: StopReason): boolean {
    return reason === 'vehicle' && this.has('ignores-stop');
  }

  /** slow-emergency-stop: an emergency is handled as a controlled stop at this rate (A/s); undefined = opens at once. */
  emergencyStopRateAps(): number | undefined {
    return this.has('slow-emergency-stop') ? 30 : undefined;
  }

  /** The output bleeder, unless the contactor is welded (contactor-welding). */
  bleeds(): boolean {
    return !this.has('contactor-welding');
  }

  ignoresSiteCap(): boolean {
    return this.has('ignores-site-cap');
  }

  /** power-limit-overshoot: at (near) its rating — current, or power / V — the limit is 12 % over it. */
  overRatedLimitA(limitA: number, ratingA: number): number {
    return this.has('power-limit-overshoot') && limitA >= OVER_RATED_FROM * ratingA ? limitA * OVER_RATED_FACTOR : limitA;
  }

  /** cv-taper-ignored: the charger keeps the highest current asked in this charge; only a request of 0 lowers it. */
  heldRequestA(requestA: number, highestA: number): number {
    return this.has('cv-taper-ignored') && requestA > 0 ? Math.max(requestA, highestA) : requestA;
  }

  ignoresVehicleMaxVoltage(): boolean {
    return this.has('ignores-vehicle-max-voltage');
  }

  ignoresInsulationFault(): boolean {
    return this.has('ignores-insulation-fault');
  }

  /** precharge-voltage-mismatch: a voltage sensor 40 V high — the precharge lands 40 V below its target. */
  prechargeTargetV(targetV: number): number {
    return this.has('precharge-voltage-mismatch') ? targetV - PRECHARGE_SENSOR_ERROR_V : targetV;
  }

  /** voltage-overshoot: no discharge before precharge; the voltage loop overshoots for its first second. */
  skipsPrechargeDischarge(): boolean {
    return this.has('voltage-overshoot');
  }

  prechargeOvershootTargetV(targetV: number, vehicleMaxV: number | undefined, sinceStartNs: number): number {
    if (!this.has('voltage-overshoot') || sinceStartNs >= 1e9) return targetV;
    return Math.max(targetV * 1.12, (vehicleMaxV ?? targetV) * 1.03);
  }

  /** output-never-energizes: whatever the converter decides, nothing reaches the output. */
  output(out: SourceOutput): SourceOutput {
    if (!this.has('output-never-energizes') || out.mode === 'off') return out;
    return { mode: 'off', bleed: this.bleeds() };
  }

  /** A new session (cable check): a frozen reading is taken afresh. */
  newSession(): void {
    this.frozen = undefined;
  }

  /**
   * What the charger reports as its present values. `sensed` is what its sensors read; `intended` what it
   * believes it outputs (its voltage set point, its current command) — a charger whose output never
   * energizes reports that, as one that trusts its converter would.
   */
  report(state: PowerStageState, sensed: Reading, intended: Reading, onWire = true): Reading {
    let r = { ...sensed };
    if (this.has('output-never-energizes')) {
      r = state === 'charging' || state === 'stopping' ? { voltageV: sensed.voltageV, currentA: intended.currentA } : { ...intended };
    }
    if (this.has('reports-wrong-current')) r.currentA = r.currentA * 1.1 + 15;
    if (this.has('reports-wrong-voltage') && (state === 'charging' || state === 'stopping')) r.voltageV *= 1.03;
    if (this.has('precharge-voltage-mismatch') && state === 'precharge') r.voltageV += PRECHARGE_SENSOR_ERROR_V;
    // Only what goes on the wire freezes: the charger's own decisions (its cable check) still see its readings.
    if (this.has('present-values-frozen') && onWire) {
      this.frozen ??= r;
      return { ...this.frozen };
    }
    return r;
  }
}
