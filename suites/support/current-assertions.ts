// The current-control assertions (IEC 61851-23 101.2.1): each first establishes from the trace that what
// it judges happened (samples cover the window, the current was at the step's start level), then computes
// its quantity (trace-analysis.ts), marks it on the plot, and records it with its limit, clause and
// verified flag through measure(). A current that never moved toward the request is judged as a charger
// that did not follow (slope 0), never as a slope computed from noise.

import type { Limit } from '../../drivers/core/limits.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { measure, type Violation } from '../../reports/evidence.ts';
import { derivedLimit, fmt, precondition, requireCurrentAt, requireSamples, type PowerTrace, type Step } from './power-trace.ts';
import { meanOver, regulationTolerance, smooth, stepResponse, timeToFallBelow, type Series, type StepResponse } from './trace-analysis.ts';

const CC: { violation: Violation } = { violation: 'current-control' };

/** measure() options of a current-control check; judged with the tolerance, it carries a bench deviation. */
function cc(tr: PowerTrace, usesTolerance: boolean): { violation: Violation; deviation?: string } {
  return usesTolerance && tr.deviation ? { ...CC, deviation: tr.deviation } : CC;
}

/** The step response after the preconditions: samples around the step, the current at the start level. */
function judgedStep(tr: PowerTrace, step: Step): StepResponse & { moved: boolean } {
  requireCurrentAt(tr, step.stepS, step.fromA, step.toA - step.fromA, `the step to ${fmt(step.toA, 0)} A`);
  requireSamples(tr, step.stepS, tr.endS, 'after the step');
  const r = stepResponse(tr.current(), { stepS: step.stepS, band: tr.toleranceA(step.toA), initial: step.fromA });
  // The current moved at least half-way toward the request: otherwise 10–90 % of the trace's own change
  // would be crossings of noise.
  const moved = Math.abs(r.final - r.initial) >= 0.5 * Math.abs(step.toA - step.fromA);
  return { ...r, moved };
}

export function assertRampUp(tr: PowerTrace, step: Step): number {
  const r = judgedStep(tr, step);
  const slope = r.moved ? r.slope : 0;
  const d = r.final - r.initial;
  if (r.moved && r.t10S !== undefined) tr.points.push({ label: '10 %', channel: 'currentA', tS: r.t10S, value: r.initial + 0.1 * d });
  if (r.moved && r.t90S !== undefined)
    tr.points.push({ label: `90 % (slope ${fmt(slope, 1)} A/s)`, channel: 'currentA', tS: r.t90S, value: r.initial + 0.9 * d });
  const note = !r.moved
    ? `the current never moved toward the request (${fmt(r.final, 1)} A at the end, asked ${fmt(step.toA, 0)} A)`
    : r.t90S === undefined
      ? 'the current never reached 90 % of the step'
      : undefined;
  measure(`up-ramp slope 10–90 % (${fmt(step.fromA, 0)} → ${fmt(step.toA, 0)} A)`, slope, tr.limits.get('ramp.minSlopeAps'), {
    ...CC,
    unit: 'A/s',
    note,
  });
  return slope;
}

export function assertOvershoot(tr: PowerTrace, step: Step): number {
  const r = judgedStep(tr, step);
  // An overshoot is relative to a response: on a current that never moved it would be a ratio of noise.
  precondition(`the current moved toward ${fmt(step.toA, 0)} A (a step response to measure)`, r.moved, `${fmt(r.final, 1)} A at the end`);
  const peakAt = smoothPeakTime(tr.current(), step.stepS, r.peak);
  const lim = tr.limits.get('ramp.maxOvershootPct');
  tr.points.push({
    label: `peak (overshoot ${fmt(r.overshootPct, 1)} %)`,
    channel: 'currentA',
    tS: peakAt,
    value: r.peak,
    pass: r.overshootPct <= (lim.hi ?? Infinity),
  });
  measure('overshoot of the step', r.overshootPct, lim, { ...CC, unit: '%', note: `peak ${fmt(r.peak, 1)} A, final ${fmt(r.final, 1)} A` });
  return r.overshootPct;
}

export function assertSettle(tr: PowerTrace, step: Step): number {
  const band = tr.toleranceA(step.toA);
  judgedStep(tr, step);
  // Settling is into the band around the request, not around wherever the current ended up: a ramp still
  // climbing, or a current parked 40 A short, has not settled.
  const r = stepResponse(tr.current(), { stepS: step.stepS, band, initial: step.fromA, settleAround: step.toA });
  const slope = tr.limits.get('ramp.minSlopeAps');
  const allowance = tr.limits.get('ramp.settleAllowanceS');
  const hi = Math.abs(step.toA - step.fromA) / (slope.lo as number) + (allowance.hi as number);
  const settled = r.settled;
  tr.bands.push({
    label: `settling band ± ${fmt(band, 1)} A`,
    channel: 'currentA',
    lo: step.toA - band,
    hi: step.toA + band,
    fromS: step.stepS + r.settleTimeS,
    toS: tr.endS,
  });
  tr.points.push({
    label: `settled after ${fmt(r.settleTimeS)} s`,
    channel: 'currentA',
    tS: step.stepS + r.settleTimeS,
    value: step.toA,
    pass: settled && r.settleTimeS <= hi,
  });
  const limit = derivedLimit({ hi }, 's', [slope, allowance], `|ΔI| / ${slope.lo} A/s + ${allowance.hi} s`);
  const note = settled
    ? undefined
    : `still outside ${fmt(step.toA, 0)} ± ${fmt(band, 1)} A at the end of the window (${fmt(r.final, 1)} A)`;
  measure(`settling time into ± ${fmt(band, 1)} A`, settled ? r.settleTimeS : Number.POSITIVE_INFINITY, limit, {
    ...cc(tr, true),
    unit: 's',
    note,
  });
  return r.settleTimeS;
}

/** Steady-state error of the mean current over [fromS, toS] against the request. */
export function assertAccuracy(tr: PowerTrace, o: { requestA: number; fromS: number; toS: number }): number {
  requireSamples(tr, o.fromS, o.toS, `the steady-state window at ${fmt(o.requestA, 0)} A`);
  const mean = meanOver(tr.current(), o.fromS, o.toS);
  const tol = tr.toleranceA(o.requestA);
  const err = mean - o.requestA;
  tr.bands.push({
    label: `request ± ${fmt(tol, 1)} A`,
    channel: 'currentA',
    lo: o.requestA - tol,
    hi: o.requestA + tol,
    fromS: o.fromS,
    toS: o.toS,
  });
  tr.points.push({
    label: `mean ${fmt(mean, 1)} A`,
    channel: 'currentA',
    tS: (o.fromS + o.toS) / 2,
    value: mean,
    pass: Math.abs(err) <= tol,
  });
  measure(`steady-state current error at ${fmt(o.requestA, 0)} A`, err, tr.tolerance.limit(o.requestA), {
    ...cc(tr, true),
    unit: 'A',
    note: `mean ${fmt(mean, 2)} A over ${fmt(o.toS - o.fromS, 1)} s`,
  });
  return err;
}

/** The present current/voltage the charger reported against what the instrument measured at that moment. */
export function assertPresentValues(
  tr: PowerTrace,
  readings: { tS: number; currentA: number; voltageV?: number }[],
): { currentErrA: number; voltageErrV: number } {
  let worst: { err: number; tol: number; tS: number; reported: number } | undefined;
  let worstV: { err: number; tS: number; reported: number } | undefined;
  const tolOpts = {
    tolA: tr.limits.num('present.toleranceA'),
    pct: tr.limits.num('present.tolerancePct'),
    thresholdA: tr.limits.num('regulation.thresholdA'),
  };
  for (const r of readings) {
    const measured = meanOver(tr.current(), r.tS - 0.05, r.tS);
    if (!Number.isFinite(measured)) continue;
    const tol = regulationTolerance(Math.abs(measured), tolOpts);
    const err = r.currentA - measured;
    if (!worst || Math.abs(err) / tol > Math.abs(worst.err) / worst.tol) worst = { err, tol, tS: r.tS, reported: r.currentA };
    if (r.voltageV !== undefined) {
      const ev = r.voltageV - meanOver(tr.voltage(), r.tS - 0.05, r.tS);
      if (!worstV || Math.abs(ev) > Math.abs(worstV.err)) worstV = { err: ev, tS: r.tS, reported: r.voltageV };
    }
  }
  // Nothing to compare is the bench failing to judge (no charge-loop answers recorded), not a charger verdict.
  if (!worst)
    throw new BenchFault('no charger-reported present value fell inside the sampled window: the present-value check could not judge');
  for (const r of readings) tr.points.push({ label: '', channel: 'currentA', tS: r.tS, value: r.currentA, pass: true });
  tr.points.push({
    label: `worst reported − measured ${fmt(worst.err, 1)} A`,
    channel: 'currentA',
    tS: worst.tS,
    value: worst.reported,
    pass: Math.abs(worst.err) <= worst.tol,
  });
  const base = [tr.limits.get('present.toleranceA'), tr.limits.get('present.tolerancePct')];
  const limit = derivedLimit({ lo: -worst.tol, hi: worst.tol }, 'A', base, 'per reading');
  measure('reported − measured present current (worst reading)', worst.err, limit, {
    ...CC,
    unit: 'A',
    note: `${readings.length} readings compared`,
  });
  if (worstV)
    measure('reported − measured present voltage (worst reading)', worstV.err, symmetric(tr.limits.get('present.voltageToleranceV')), {
      ...CC,
      unit: 'V',
    });
  return { currentErrA: worst.err, voltageErrV: worstV?.err ?? Number.NaN };
}

/** After a request drop: time until the current is at or below the new request + tolerance. */
export function assertDownStep(tr: PowerTrace, step: Step): number {
  requireCurrentAt(tr, step.stepS, step.fromA, step.fromA - step.toA, `the step down to ${fmt(step.toA, 0)} A`);
  const level = step.toA + tr.toleranceA(step.toA);
  const t = timeToFallBelow(tr.current(), step.stepS, level);
  const rate = tr.limits.get('downStep.minRateAps');
  const minT = tr.limits.get('downStep.minTimeS');
  const hi = Math.max(minT.value as number, Math.abs(step.fromA - step.toA) / (rate.lo as number));
  requireSamples(tr, step.stepS, step.stepS + hi, 'the down-step budget');
  tr.bands.push({
    label: `≤ request + tolerance within ${fmt(hi)} s`,
    channel: 'currentA',
    lo: 0,
    hi: level,
    fromS: step.stepS + hi,
    toS: tr.endS,
  });
  if (t !== undefined)
    tr.points.push({ label: `reached after ${fmt(t)} s`, channel: 'currentA', tS: step.stepS + t, value: level, pass: t <= hi });
  const limit = derivedLimit({ hi }, 's', [minT, rate], `max(${minT.value} s, ΔI / ${rate.lo} A/s)`);
  const note = t === undefined ? `never fell to ${fmt(level, 1)} A in the window` : undefined;
  measure(`down-step time ${fmt(step.fromA, 0)} → ${fmt(step.toA, 0)} A`, t ?? Number.POSITIVE_INFINITY, limit, {
    ...cc(tr, true),
    unit: 's',
    note,
  });
  return t ?? Number.POSITIVE_INFINITY;
}

/** After a site power cap change: the delivered power comes down to the cap in the down-step time, then stays there. */
export function assertSiteCap(tr: PowerTrace, o: { capS: number; capW: number; fromA: number }): number {
  const v = meanOver(tr.voltage(), o.capS - 0.2, o.capS);
  const capA = o.capW / v;
  const i0 = requireCurrentAt(tr, o.capS, o.fromA, o.fromA - capA, 'the site cap was lowered');
  const pSeries: Series = { tS: tr.samples.tS, y: tr.samples.currentA.map((i, k) => i * tr.samples.voltageV[k]) };
  const tolA = tr.toleranceA(capA);
  const t = timeToFallBelow(pSeries, o.capS, o.capW + tolA * v);
  const rate = tr.limits.get('downStep.minRateAps');
  const minT = tr.limits.get('downStep.minTimeS');
  const hi = Math.max(minT.value as number, Math.max(0, i0 - capA) / (rate.lo as number));
  requireSamples(tr, o.capS, o.capS + hi + 0.5, 'the time the site cap allows and after');
  tr.bands.push({
    label: `cap ${fmt(o.capW / 1e3, 0)} kW ≈ ${fmt(capA, 0)} A`,
    channel: 'currentA',
    lo: 0,
    hi: capA + tolA,
    fromS: o.capS + hi,
    toS: tr.endS,
  });
  const limit = derivedLimit({ hi }, 's', [minT, rate], `max(${minT.value} s, ΔI / ${rate.lo} A/s)`);
  measure(`time to come down to the site cap (${fmt(o.capW / 1e3, 0)} kW)`, t ?? Number.POSITIVE_INFINITY, limit, {
    ...cc(tr, true),
    unit: 's',
  });
  const holdFrom = o.capS + hi;
  const meanP = meanOver(pSeries, holdFrom, tr.endS);
  const base = [tr.limits.get('regulation.toleranceA'), tr.limits.get('regulation.tolerancePct')];
  tr.points.push({
    label: `mean after ${fmt(meanP / 1e3, 1)} kW`,
    channel: 'currentA',
    tS: (holdFrom + tr.endS) / 2,
    value: meanP / v,
    pass: meanP <= o.capW + tolA * v,
  });
  const capLimit = derivedLimit({ hi: o.capW + tolA * v }, 'W', base, 'cap + regulation tolerance × V');
  measure('mean power under the site cap', meanP, capLimit, { ...cc(tr, true), unit: 'W' });
  return meanP;
}

export function symmetric(l: Limit): Limit {
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
    if (e < bestErr) {
      bestErr = e;
      best = s.tS[k];
    }
  }
  return best;
}
