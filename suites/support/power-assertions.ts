// The ramp and safety assertions, as plain functions and as a chai plugin (`expect(trace).to.rampUpAtLeast(step)`).
// Each one computes its quantity from the sampled trace (suites/support/trace-analysis.ts), marks what it
// measured on the trace's plot, then records it with its limit, clause and verified flag through
// measure() — which throws the categorised AssertionError when the value is outside the limit. Every
// number comes from the limit profile (or from what the charger declared), never from here.

import * as chai from 'chai';
import { BenchFault } from '../../drivers/core/errors.ts';
import type { Limit, Limits } from '../../drivers/core/limits.ts';
import type { SampleBlock, Timeline } from '../../drivers/core/timeline.ts';
import { attachCsv, attachSvg, attachText, measure, type Violation } from '../../reports/evidence.ts';
import { powerPlotSvg, samplesCsv, type PowerPlotInput } from '../../reports/plots.ts';
import {
  extremes,
  longestDwellAbove,
  meanOver,
  regulationTolerance,
  smooth,
  stepResponse,
  timeToFallBelow,
  timeToRiseAbove,
  type Series,
} from './trace-analysis.ts';

export interface RequestPoint {
  /** Clock time (s) the request took effect on the vehicle side. */
  tS: number;
  currentA: number;
}

/** What the charger declared about itself (EVSECurrentRegulationTolerance …, or the bench file's ratings). */
export interface DeclaredTolerance {
  currentToleranceA?: number;
  currentTolerancePct?: number;
}

/** One window of sampled inlet voltage/current, the requests in it, and the marks the assertions add. */
export class PowerTrace {
  readonly bands: NonNullable<PowerPlotInput['bands']> = [];
  readonly points: NonNullable<PowerPlotInput['points']> = [];

  constructor(
    readonly title: string,
    readonly samples: { tS: number[]; currentA: number[]; voltageV: number[] },
    readonly requests: RequestPoint[],
    readonly limits: Limits,
    readonly declared: DeclaredTolerance = {},
  ) {}

  /** The 'samples' blocks of one instrument between fromNs and toNs (clock ns). */
  static fromTimeline(
    timeline: Timeline,
    o: { source?: string; fromNs: number; toNs?: number; title: string; requests?: RequestPoint[]; limits: Limits; declared?: DeclaredTolerance },
  ): PowerTrace {
    const tS: number[] = [];
    const currentA: number[] = [];
    const voltageV: number[] = [];
    const toNs = o.toNs ?? Number.POSITIVE_INFINITY;
    for (const e of timeline.query({ kind: 'samples', source: o.source, from: o.fromNs })) {
      const b = e.data as unknown as SampleBlock;
      const i = b.channels?.currentA;
      const v = b.channels?.voltageV;
      if (!i || !v) continue;
      for (let k = 0; k < i.length; k++) {
        const t = b.t0 + k * b.dt;
        if (t < o.fromNs || t > toNs) continue;
        tS.push(t / 1e9);
        currentA.push(i[k]);
        voltageV.push(v[k]);
      }
    }
    return new PowerTrace(o.title, { tS, currentA, voltageV }, o.requests ?? [], o.limits, o.declared);
  }

  current(): Series {
    return { tS: this.samples.tS, y: this.samples.currentA };
  }

  voltage(): Series {
    return { tS: this.samples.tS, y: this.samples.voltageV };
  }

  get startS(): number {
    return this.samples.tS[0] ?? 0;
  }

  get endS(): number {
    return this.samples.tS.at(-1) ?? 0;
  }

  /** Regulation tolerance at a request: the charger's declared one if it declared one, else the profile's. */
  toleranceA(requestA: number): number {
    const l = this.limits;
    const pct = this.declared.currentTolerancePct ?? l.num('regulation.tolerancePct');
    const tolA = this.declared.currentToleranceA ?? l.num('regulation.toleranceA');
    if (this.declared.currentToleranceA !== undefined && this.declared.currentTolerancePct === undefined) return tolA;
    return regulationTolerance(requestA, { tolA, pct, thresholdA: l.num('regulation.thresholdA') });
  }

  /** Attach the plot (SVG) and the raw samples (CSV). Never throws: a plot problem must not change a verdict. */
  async attachEvidence(name = this.title): Promise<void> {
    const samples = { tS: this.samples.tS, currentA: this.samples.currentA, voltageV: this.samples.voltageV };
    try {
      attachCsv(`${name} — samples`, samplesCsv(samples, this.requests));
      if (!samples.tS.length) return attachText(`${name} — plot`, 'no samples in this window');
      const svg = await powerPlotSvg({ title: name, samples, requested: this.requests, bands: this.bands, points: this.points });
      attachSvg(`${name} — plot`, svg);
    } catch (e) {
      try {
        attachText(`${name} — plot failed`, String((e as Error)?.stack ?? e));
      } catch {
        /* outside a test: nothing to attach to */
      }
    }
  }
}

export interface Step {
  /** When the request changed (s, clock time). */
  stepS: number;
  fromA: number;
  toA: number;
}

/** A limit computed from profile limits for this case (e.g. max(1 s, I₀ / 100 A/s)), carrying their clauses. */
export function derivedLimit(bounds: { lo?: number; hi?: number }, unit: string, from: Limit[], how: string): Limit {
  return {
    ...bounds,
    unit,
    clause: [...new Set(from.map((l) => l.clause))].join('; '),
    source: [...new Set(from.map((l) => l.source))].join('; '),
    verified: from.every((l) => l.verified),
    note: how,
  };
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)).toString() : String(x));
const CC: { violation: Violation } = { violation: 'current-control' };
const SAFETY: { violation: Violation } = { violation: 'safety' };

// ---- current control ----

export function assertRampUp(tr: PowerTrace, step: Step): number {
  const r = stepResponse(tr.current(), { stepS: step.stepS, band: tr.toleranceA(step.toA), initial: step.fromA });
  const d = r.final - r.initial;
  if (r.t10S !== undefined) tr.points.push({ label: '10 %', channel: 'currentA', tS: r.t10S, value: r.initial + 0.1 * d });
  if (r.t90S !== undefined) tr.points.push({ label: `90 % (slope ${fmt(r.slope, 1)} A/s)`, channel: 'currentA', tS: r.t90S, value: r.initial + 0.9 * d });
  const limit = tr.limits.get('ramp.minSlopeAps');
  measure(`up-ramp slope 10–90 % (${fmt(step.fromA, 0)} → ${fmt(step.toA, 0)} A)`, r.slope, limit, { ...CC, unit: 'A/s', note: r.t90S === undefined ? 'the current never reached 90 % of the step' : undefined });
  return r.slope;
}

export function assertOvershoot(tr: PowerTrace, step: Step): number {
  const r = stepResponse(tr.current(), { stepS: step.stepS, band: tr.toleranceA(step.toA), initial: step.fromA });
  const peakAt = smoothPeakTime(tr.current(), step.stepS, r.peak);
  tr.points.push({ label: `peak (overshoot ${fmt(r.overshootPct, 1)} %)`, channel: 'currentA', tS: peakAt, value: r.peak, pass: r.overshootPct <= (tr.limits.get('ramp.maxOvershootPct').hi ?? Infinity) });
  measure('overshoot of the step', r.overshootPct, tr.limits.get('ramp.maxOvershootPct'), { ...CC, unit: '%', note: `peak ${fmt(r.peak, 1)} A, final ${fmt(r.final, 1)} A` });
  return r.overshootPct;
}

export function assertSettle(tr: PowerTrace, step: Step): number {
  const band = tr.toleranceA(step.toA);
  const r = stepResponse(tr.current(), { stepS: step.stepS, band, initial: step.fromA });
  const slope = tr.limits.get('ramp.minSlopeAps');
  const allowance = tr.limits.get('ramp.settleAllowanceS');
  const hi = Math.abs(step.toA - step.fromA) / (slope.lo as number) + (allowance.hi as number);
  tr.bands.push({ label: `settling band ± ${fmt(band, 1)} A`, channel: 'currentA', lo: r.final - band, hi: r.final + band, fromS: step.stepS + r.settleTimeS, toS: tr.endS });
  tr.points.push({ label: `settled after ${fmt(r.settleTimeS)} s`, channel: 'currentA', tS: step.stepS + r.settleTimeS, value: r.final, pass: r.settleTimeS <= hi });
  const limit = derivedLimit({ hi }, 's', [slope, allowance], `|ΔI| / ${slope.lo} A/s + ${allowance.hi} s`);
  measure(`settling time into ± ${fmt(band, 1)} A`, r.settled ? r.settleTimeS : Number.POSITIVE_INFINITY, limit, { ...CC, unit: 's', note: r.settled ? undefined : 'still outside the band at the end of the window' });
  return r.settleTimeS;
}

/** Steady-state error of the mean current over [fromS, toS] against the request. */
export function assertAccuracy(tr: PowerTrace, o: { requestA: number; fromS: number; toS: number }): number {
  const mean = meanOver(tr.current(), o.fromS, o.toS);
  const tol = tr.toleranceA(o.requestA);
  const err = mean - o.requestA;
  tr.bands.push({ label: `request ± ${fmt(tol, 1)} A`, channel: 'currentA', lo: o.requestA - tol, hi: o.requestA + tol, fromS: o.fromS, toS: o.toS });
  tr.points.push({ label: `mean ${fmt(mean, 1)} A`, channel: 'currentA', tS: (o.fromS + o.toS) / 2, value: mean, pass: Math.abs(err) <= tol });
  const sources = tr.declared.currentToleranceA !== undefined || tr.declared.currentTolerancePct !== undefined;
  const base = [tr.limits.get('regulation.toleranceA'), tr.limits.get('regulation.tolerancePct')];
  const limit = sources
    ? { lo: -tol, hi: tol, unit: 'A', clause: 'tolerance the charger declared (EVSECurrentRegulationTolerance / bench ratings)', source: 'declared by the charger under test', verified: false }
    : derivedLimit({ lo: -tol, hi: tol }, 'A', base, `±${base[0].value} A below ${tr.limits.num('regulation.thresholdA')} A, else ±${base[1].value} %`);
  measure(`steady-state current error at ${fmt(o.requestA, 0)} A`, err, limit, { ...CC, unit: 'A', note: `mean ${fmt(mean, 2)} A over ${fmt(o.toS - o.fromS, 1)} s` });
  return err;
}

/** The present current/voltage the charger reported against what the instrument measured at that moment. */
export function assertPresentValues(tr: PowerTrace, readings: { tS: number; currentA: number; voltageV?: number }[]): { currentErrA: number; voltageErrV: number } {
  let worst: { err: number; tol: number; tS: number; reported: number } | undefined;
  let worstV: { err: number; tS: number; reported: number } | undefined;
  for (const r of readings) {
    const measured = meanOver(tr.current(), r.tS - 0.05, r.tS);
    if (!Number.isFinite(measured)) continue;
    const tol = regulationTolerance(Math.abs(measured), { tolA: tr.limits.num('present.toleranceA'), pct: tr.limits.num('present.tolerancePct'), thresholdA: tr.limits.num('regulation.thresholdA') });
    const err = r.currentA - measured;
    if (!worst || Math.abs(err) / tol > Math.abs(worst.err) / worst.tol) worst = { err, tol, tS: r.tS, reported: r.currentA };
    if (r.voltageV !== undefined) {
      const mv = meanOver(tr.voltage(), r.tS - 0.05, r.tS);
      const ev = r.voltageV - mv;
      if (!worstV || Math.abs(ev) > Math.abs(worstV.err)) worstV = { err: ev, tS: r.tS, reported: r.voltageV };
    }
  }
  // Nothing to compare is the bench failing to judge (no charge-loop answers recorded), not a charger verdict.
  if (!worst) throw new BenchFault('no charger-reported present value fell inside the sampled window: the present-value check could not judge');
  for (const r of readings) tr.points.push({ label: '', channel: 'currentA', tS: r.tS, value: r.currentA, pass: true });
  tr.points.push({ label: `worst reported − measured ${fmt(worst.err, 1)} A`, channel: 'currentA', tS: worst.tS, value: worst.reported, pass: Math.abs(worst.err) <= worst.tol });
  const base = [tr.limits.get('present.toleranceA'), tr.limits.get('present.tolerancePct')];
  measure('reported − measured present current (worst reading)', worst.err, derivedLimit({ lo: -worst.tol, hi: worst.tol }, 'A', base, 'per reading'), { ...CC, unit: 'A', note: `${readings.length} readings compared` });
  if (worstV) {
    measure('reported − measured present voltage (worst reading)', worstV.err, symmetric(tr.limits.get('present.voltageToleranceV')), { ...CC, unit: 'V' });
  }
  return { currentErrA: worst.err, voltageErrV: worstV?.err ?? Number.NaN };
}

/** After a request drop: time until the current is at or below the new request + tolerance. */
export function assertDownStep(tr: PowerTrace, step: Step): number {
  const level = step.toA + tr.toleranceA(step.toA);
  const t = timeToFallBelow(tr.current(), step.stepS, level);
  const rate = tr.limits.get('downStep.minRateAps');
  const minT = tr.limits.get('downStep.minTimeS');
  const hi = Math.max(minT.value as number, Math.abs(step.fromA - step.toA) / (rate.lo as number));
  tr.bands.push({ label: `≤ request + tolerance within ${fmt(hi)} s`, channel: 'currentA', lo: 0, hi: level, fromS: step.stepS + hi, toS: tr.endS });
  if (t !== undefined) tr.points.push({ label: `reached after ${fmt(t)} s`, channel: 'currentA', tS: step.stepS + t, value: level, pass: t <= hi });
  measure(`down-step time ${fmt(step.fromA, 0)} → ${fmt(step.toA, 0)} A`, t ?? Number.POSITIVE_INFINITY, derivedLimit({ hi }, 's', [minT, rate], `max(${minT.value} s, ΔI / ${rate.lo} A/s)`), {
    ...CC,
    unit: 's',
    note: t === undefined ? `never fell to ${fmt(level, 1)} A in the window` : undefined,
  });
  return t ?? Number.POSITIVE_INFINITY;
}

/** After a site power cap change: the delivered power comes down to the cap in the down-step time, then stays there. */
export function assertSiteCap(tr: PowerTrace, o: { capS: number; capW: number; holdS?: number }): number {
  const pSeries: Series = { tS: tr.samples.tS, y: tr.samples.currentA.map((i, k) => i * tr.samples.voltageV[k]) };
  const v = meanOver(tr.voltage(), o.capS - 0.2, o.capS);
  const i0 = meanOver(tr.current(), o.capS - 0.2, o.capS);
  const capA = o.capW / v;
  const tolA = tr.toleranceA(capA);
  const t = timeToFallBelow(pSeries, o.capS, o.capW + tolA * v);
  const rate = tr.limits.get('downStep.minRateAps');
  const minT = tr.limits.get('downStep.minTimeS');
  const hi = Math.max(minT.value as number, Math.max(0, i0 - capA) / (rate.lo as number));
  tr.bands.push({ label: `cap ${fmt(o.capW / 1e3, 0)} kW ≈ ${fmt(capA, 0)} A`, channel: 'currentA', lo: 0, hi: capA + tolA, fromS: o.capS + hi, toS: tr.endS });
  measure(`time to come down to the site cap (${fmt(o.capW / 1e3, 0)} kW)`, t ?? Number.POSITIVE_INFINITY, derivedLimit({ hi }, 's', [minT, rate], `max(${minT.value} s, ΔI / ${rate.lo} A/s)`), { ...CC, unit: 's' });
  const holdFrom = o.capS + hi;
  const meanP = meanOver(pSeries, holdFrom, tr.endS);
  const base = [tr.limits.get('regulation.toleranceA'), tr.limits.get('regulation.tolerancePct')];
  tr.points.push({ label: `mean after ${fmt(meanP / 1e3, 1)} kW`, channel: 'currentA', tS: (holdFrom + tr.endS) / 2, value: meanP / v, pass: meanP <= o.capW + tolA * v });
  measure('mean power under the site cap', meanP, derivedLimit({ hi: o.capW + tolA * v }, 'W', base, 'cap + regulation tolerance × V'), { ...CC, unit: 'W' });
  return meanP;
}

/** Over a long ramp: the smoothed power never above the charger's rated / advertised maximum (+ tolerance). */
export function assertPowerAtMost(tr: PowerTrace, o: { maxPowerW: number; fromS: number; toS: number }): number {
  const p = smooth({ tS: tr.samples.tS, y: tr.samples.currentA.map((i, k) => i * tr.samples.voltageV[k]) }, 0.1);
  const e = extremes({ tS: tr.samples.tS, y: p }, o.fromS, o.toS);
  const pct = tr.limits.get('regulation.tolerancePct');
  const hi = o.maxPowerW * (1 + (pct.value as number) / 100);
  tr.points.push({ label: `max power ${fmt(e.max / 1e3, 0)} kW`, channel: 'currentA', tS: e.tMaxS, value: meanOver(tr.current(), e.tMaxS - 0.05, e.tMaxS + 0.05), pass: e.max <= hi });
  measure('highest delivered power (100 ms mean)', e.max, derivedLimit({ hi }, 'W', [pct], 'declared maximum power + regulation tolerance'), { ...CC, unit: 'W' });
  return e.max;
}

// ---- safety ----

/** From a stop (vehicle / charger / emergency) until the current is below the stop current. */
export function assertStop(tr: PowerTrace, o: { stopS: number; kind: 'vehicle' | 'charger' | 'emergency' }): number {
  const stopA = tr.limits.get('stop.currentA');
  const i0 = meanOver(tr.current(), o.stopS - 0.2, o.stopS);
  const t = timeToFallBelow(tr.current(), o.stopS, stopA.value as number);
  let limit: Limit;
  if (o.kind === 'emergency') limit = tr.limits.get('estop.maxS');
  else {
    const rate = tr.limits.get('stop.minRateAps');
    const minT = tr.limits.get('stop.minTimeS');
    limit = derivedLimit({ hi: Math.max(minT.value as number, i0 / (rate.lo as number)) }, 's', [stopA, minT, rate], `max(${minT.value} s, I₀ / ${rate.lo} A/s), I₀ = ${fmt(i0, 1)} A`);
  }
  tr.bands.push({ label: `< ${stopA.value} A`, channel: 'currentA', lo: 0, hi: stopA.value, fromS: o.stopS, toS: tr.endS });
  tr.points.push({ label: t === undefined ? 'never below' : `< ${stopA.value} A after ${fmt(t, 3)} s`, channel: 'currentA', tS: o.stopS + (t ?? 0), value: t === undefined ? i0 : (stopA.value as number), pass: t !== undefined && t <= (limit.hi as number) });
  measure(`${o.kind} stop: time to < ${stopA.value} A from ${fmt(i0, 0)} A`, t ?? Number.POSITIVE_INFINITY, limit, { ...SAFETY, unit: 's', note: t === undefined ? 'the current never fell below the stop current in the window' : undefined });
  return t ?? Number.POSITIVE_INFINITY;
}

/** Precharge: current ≤ the limit throughout, and the inlet voltage matches the battery when the vehicle closes its contactors. */
export function assertPrecharge(tr: PowerTrace, o: { fromS: number; closeS: number; batteryV: number }): { maxCurrentA: number; deltaV: number } {
  const e = extremes(tr.current(), o.fromS, o.closeS);
  const maxAbs = Math.max(Math.abs(e.max), Math.abs(e.min));
  const lim = tr.limits.get('precharge.maxCurrentA');
  tr.bands.push({ label: `|I| ≤ ${lim.hi} A`, channel: 'currentA', lo: -(lim.hi as number), hi: lim.hi, fromS: o.fromS, toS: o.closeS });
  tr.points.push({ label: `max |I| ${fmt(maxAbs)} A`, channel: 'currentA', tS: e.tMaxS, value: e.max, pass: maxAbs <= (lim.hi as number) });
  // The voltage at the instant the contactors close (5 ms mean: a slewing precharge must not be read late).
  const vAtClose = meanOver(tr.voltage(), o.closeS - 0.005, o.closeS);
  const delta = vAtClose - o.batteryV;
  tr.points.push({ label: `V at contactor close ${fmt(vAtClose, 1)} V (battery ${fmt(o.batteryV, 1)} V)`, channel: 'voltageV', tS: o.closeS, value: vAtClose });
  measure('precharge current (max |I|)', maxAbs, lim, { ...SAFETY, unit: 'A' });
  if (tr.limits.has('precharge.maxBelowBatteryV')) {
    // GB/T: the charger closes when its output is 1–10 V below the battery.
    const lo = tr.limits.get('precharge.minBelowBatteryV');
    const hi = tr.limits.get('precharge.maxBelowBatteryV');
    measure('battery − charger voltage at contactor close', -delta, derivedLimit({ lo: lo.lo, hi: hi.hi }, 'V', [lo, hi], '1–10 V below'), { ...SAFETY, unit: 'V' });
  } else {
    measure('inlet − battery voltage at contactor close', delta, symmetric(tr.limits.get('precharge.maxVoltageDeltaV')), { ...SAFETY, unit: 'V' });
  }
  return { maxCurrentA: maxAbs, deltaV: delta };
}

/** The voltage never stays above the vehicle's maximum longer than allowed (A7). */
export function assertVoltageNeverAbove(tr: PowerTrace, o: { maxV: number; fromS?: number; toS?: number }): number {
  const dwellMs = 1000 * longestDwellAbove(tr.voltage(), o.maxV, o.fromS ?? tr.startS, o.toS ?? tr.endS);
  const lim = tr.limits.get('ovp.evMaxDwellMs');
  tr.bands.push({ label: `EV max ${fmt(o.maxV, 0)} V`, channel: 'voltageV', lo: o.maxV, hi: o.maxV * 1.001, fromS: o.fromS ?? tr.startS, toS: o.toS ?? tr.endS });
  const peak = extremes(tr.voltage(), o.fromS, o.toS);
  tr.points.push({ label: `peak ${fmt(peak.max, 1)} V, ${fmt(dwellMs, 0)} ms above`, channel: 'voltageV', tS: peak.tMaxS, value: peak.max, pass: dwellMs <= (lim.hi as number) });
  measure(`longest time above the EV maximum voltage (${fmt(o.maxV, 0)} V)`, dwellMs, lim, { ...SAFETY, unit: 'ms' });
  return dwellMs;
}

/** Voltage above the vehicle's maximum → the charger disables its output within the allowed time. */
export function assertOverVoltageShutdown(tr: PowerTrace, o: { maxV: number; fromS: number; outputOffS: number | undefined }): number {
  const rise = timeToRiseAbove(tr.voltage(), o.fromS, o.maxV);
  const lim = tr.limits.get('ovp.evMaxShutdownMs');
  const exceedS = rise === undefined ? undefined : o.fromS + rise;
  if (exceedS === undefined) {
    measure(`voltage exceeded the EV maximum (${fmt(o.maxV, 0)} V) during the test`, 0, { lo: 1, unit: 'count', clause: lim.clause, source: lim.source, verified: lim.verified }, { ...SAFETY, note: 'the over-voltage condition was never established: the test could not judge the charger' });
    return Number.NaN;
  }
  const ms = o.outputOffS === undefined ? Number.POSITIVE_INFINITY : 1000 * (o.outputOffS - exceedS);
  tr.points.push({ label: `above ${fmt(o.maxV, 0)} V`, channel: 'voltageV', tS: exceedS, value: o.maxV });
  if (o.outputOffS !== undefined) tr.points.push({ label: `output disabled after ${fmt(ms, 0)} ms`, channel: 'voltageV', tS: o.outputOffS, value: meanOver(tr.voltage(), o.outputOffS - 0.01, o.outputOffS + 0.01), pass: ms <= (lim.hi as number) });
  measure('time from exceeding the EV maximum voltage to output disabled', ms, lim, { ...SAFETY, unit: 'ms', note: o.outputOffS === undefined ? 'the charger never disabled its output' : undefined });
  return ms;
}

/** After the vehicle opened its contactors: the connector voltage falls below the safe voltage in time. */
export function assertDischarge(tr: PowerTrace, o: { openS: number }): number {
  const safe = tr.limits.get('stop.safeVoltageV');
  const t = timeToFallBelow(tr.voltage(), o.openS, safe.hi as number);
  const lim = tr.limits.get('stop.dischargeS');
  tr.bands.push({ label: `< ${safe.hi} V`, channel: 'voltageV', lo: 0, hi: safe.hi, fromS: o.openS, toS: tr.endS });
  if (t !== undefined) tr.points.push({ label: `< ${safe.hi} V after ${fmt(t)} s`, channel: 'voltageV', tS: o.openS + t, value: safe.hi as number, pass: t <= (lim.hi as number) });
  measure(`connector voltage < ${safe.hi} V after the contactors opened`, t ?? Number.POSITIVE_INFINITY, lim, { ...SAFETY, unit: 's', note: t === undefined ? `still ${fmt(extremes(tr.voltage(), tr.endS - 0.1).max, 0)} V at the end of the window` : undefined });
  return t ?? Number.POSITIVE_INFINITY;
}

/** An insulation fault → the charger stops delivering (current below the stop current) within the allowed time. */
export function assertInsulationStop(tr: PowerTrace, o: { faultS: number }): number {
  const stopA = tr.limits.get('stop.currentA');
  const t = timeToFallBelow(tr.current(), o.faultS, stopA.value as number);
  const lim = tr.limits.get('insulation.stopS');
  if (t !== undefined) tr.points.push({ label: `< ${stopA.value} A after ${fmt(t)} s`, channel: 'currentA', tS: o.faultS + t, value: stopA.value as number, pass: t <= (lim.hi as number) });
  measure('insulation fault: time to stop delivering', t ?? Number.POSITIVE_INFINITY, lim, { ...SAFETY, unit: 's', note: t === undefined ? 'still delivering at the end of the window' : undefined });
  return t ?? Number.POSITIVE_INFINITY;
}

/** MCS CE sequencing: CE leaves C only after the charger disabled its output (t103 before t105). */
export function assertCeAfterOutputOff(limits: Limits, o: { outputOffS: number | undefined; ceExitS: number | undefined }): number {
  const lim = limits.get('ce.outputOffBeforeExitMs');
  const ms = o.outputOffS === undefined || o.ceExitS === undefined ? Number.NEGATIVE_INFINITY : 1000 * (o.ceExitS - o.outputOffS);
  measure('CE exit from C − output disabled', ms, lim, {
    ...SAFETY,
    unit: 'ms',
    note: o.outputOffS === undefined ? 'the output was never seen disabled' : o.ceExitS === undefined ? 'CE never left C' : undefined,
  });
  return ms;
}

function symmetric(l: Limit): Limit {
  const h = (l.hi ?? l.value) as number;
  return { ...l, lo: -h, hi: h };
}

function smoothPeakTime(s: Series, fromS: number, peak: number): number {
  const y = smooth(s);
  let best = fromS;
  let bestErr = Infinity;
  for (let k = 0; k < y.length; k++) {
    if (s.tS[k] < fromS) continue;
    const e = Math.abs(y[k] - peak);
    if (e < bestErr) ((bestErr = e), (best = s.tS[k]));
  }
  return best;
}

// ---- the chai plugin ----

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      rampUpAtLeast(step: Step): Assertion;
      overshootAtMost(step: Step): Assertion;
      settleWithin(step: Step): Assertion;
      holdCurrentWithin(o: { requestA: number; fromS: number; toS: number }): Assertion;
      reportPresentWithin(readings: { tS: number; currentA: number; voltageV?: number }[]): Assertion;
      stepDownWithin(step: Step): Assertion;
      respectSiteCap(o: { capS: number; capW: number }): Assertion;
      stayWithinPower(o: { maxPowerW: number; fromS: number; toS: number }): Assertion;
      stopWithin(o: { stopS: number; kind: 'vehicle' | 'charger' | 'emergency' }): Assertion;
      prechargeWithin(o: { fromS: number; closeS: number; batteryV: number }): Assertion;
      neverExceedVoltage(o: { maxV: number; fromS?: number; toS?: number }): Assertion;
      shutDownOnOverVoltage(o: { maxV: number; fromS: number; outputOffS: number | undefined }): Assertion;
      dischargeWithin(o: { openS: number }): Assertion;
      stopOnInsulationFault(o: { faultS: number }): Assertion;
    }
  }
}

const METHODS: Record<string, (tr: PowerTrace, arg: any) => unknown> = {
  rampUpAtLeast: assertRampUp,
  overshootAtMost: assertOvershoot,
  settleWithin: assertSettle,
  holdCurrentWithin: assertAccuracy,
  reportPresentWithin: assertPresentValues,
  stepDownWithin: assertDownStep,
  respectSiteCap: assertSiteCap,
  stayWithinPower: assertPowerAtMost,
  stopWithin: assertStop,
  prechargeWithin: assertPrecharge,
  neverExceedVoltage: assertVoltageNeverAbove,
  shutDownOnOverVoltage: assertOverVoltageShutdown,
  dischargeWithin: assertDischarge,
  stopOnInsulationFault: assertInsulationStop,
};

/** chai.use(powerAssertions) — each method expects a PowerTrace as the object under test. */
export function powerAssertions(c: Chai.ChaiStatic, _utils: Chai.ChaiUtils): void {
  for (const [name, fn] of Object.entries(METHODS)) {
    c.Assertion.addMethod(name, function (this: Chai.AssertionStatic, arg: unknown) {
      const tr = this._obj as unknown;
      if (!(tr instanceof PowerTrace)) throw new TypeError(`${name}() needs a PowerTrace, got ${typeof tr}`);
      fn(tr, arg);
    });
  }
}

let installed = false;
/** Install the plugin once (suites call this at load time). */
export function usePowerAssertions(): void {
  if (installed) return;
  chai.use(powerAssertions);
  installed = true;
}
