// The safety assertions (IEC 61851-23 / -23-3): stops, precharge, over-voltage, discharge, insulation and
// the MCS CE sequencing. Each first establishes that its condition was set up and observed (a loaded output
// to stop, the voltage really above the EV maximum, CE really left C); if not, the test is broken with the
// reason (BenchFault), never passed. Times come from the analyser's trace and the wire, as on a lab bench.

import type { Limit, Limits } from '../../drivers/core/limits.ts';
import { measure, type Violation } from '../../reports/evidence.ts';
import { symmetric } from './current-assertions.ts';
import { derivedLimit, fmt, precondition, requireCurrentAt, requireSamples, type PowerTrace } from './power-trace.ts';
import { extremes, longestDwellAbove, meanOver, timeToFallBelow, timeToRiseAbove } from './trace-analysis.ts';

const SAFETY: { violation: Violation } = { violation: 'safety' };

export type StopKind = 'vehicle' | 'charger' | 'emergency';

/** From a stop (vehicle / charger / emergency) at a loaded output until the current is below the stop current. */
export function assertStop(tr: PowerTrace, o: { stopS: number; kind: StopKind; fromA?: number }): number {
  const stopA = tr.limits.get('stop.currentA');
  const i0 =
    o.fromA !== undefined
      ? requireCurrentAt(tr, o.stopS, o.fromA, o.fromA, `the ${o.kind} stop`)
      : meanOver(tr.current(), o.stopS - 0.2, o.stopS);
  precondition(`current was flowing when the ${o.kind} stop came`, i0 > (stopA.value as number), `${fmt(i0, 1)} A`);
  const t = timeToFallBelow(tr.current(), o.stopS, stopA.value as number);
  let limit: Limit;
  if (o.kind === 'emergency') limit = tr.limits.get('estop.maxS');
  else {
    const rate = tr.limits.get('stop.minRateAps');
    const minT = tr.limits.get('stop.minTimeS');
    const how = `max(${minT.value} s, I₀ / ${rate.lo} A/s), I₀ = ${fmt(i0, 1)} A`;
    limit = derivedLimit({ hi: Math.max(minT.value as number, i0 / (rate.lo as number)) }, 's', [stopA, minT, rate], how);
  }
  requireSamples(tr, o.stopS, o.stopS + (limit.hi as number), `the ${o.kind} stop's time budget`);
  tr.bands.push({ label: `< ${stopA.value} A`, channel: 'currentA', lo: 0, hi: stopA.value, fromS: o.stopS, toS: tr.endS });
  const label = t === undefined ? 'never below' : `< ${stopA.value} A after ${fmt(t, 3)} s`;
  tr.points.push({
    label,
    channel: 'currentA',
    tS: o.stopS + (t ?? 0),
    value: t === undefined ? i0 : (stopA.value as number),
    pass: t !== undefined && t <= (limit.hi as number),
  });
  const note = t === undefined ? 'the current never fell below the stop current in the window' : undefined;
  measure(`${o.kind} stop: time to < ${stopA.value} A from ${fmt(i0, 0)} A`, t ?? Number.POSITIVE_INFINITY, limit, {
    ...SAFETY,
    unit: 's',
    note,
  });
  return t ?? Number.POSITIVE_INFINITY;
}

/** Precharge: current ≤ the limit throughout, and the inlet voltage matches the battery when the vehicle closes its contactors. */
export function assertPrecharge(
  tr: PowerTrace,
  o: { fromS: number; closeS: number; batteryV: number },
): { maxCurrentA: number; deltaV: number } {
  requireSamples(tr, o.fromS, o.closeS, 'the precharge up to the contactors closing');
  const e = extremes(tr.current(), o.fromS, o.closeS);
  const maxAbs = Math.max(Math.abs(e.max), Math.abs(e.min));
  const lim = tr.limits.get('precharge.maxCurrentA');
  tr.bands.push({ label: `|I| ≤ ${lim.hi} A`, channel: 'currentA', lo: -(lim.hi as number), hi: lim.hi, fromS: o.fromS, toS: o.closeS });
  tr.points.push({ label: `max |I| ${fmt(maxAbs)} A`, channel: 'currentA', tS: e.tMaxS, value: e.max, pass: maxAbs <= (lim.hi as number) });
  // The voltage at the instant the contactors close (5 ms mean: a slewing precharge must not be read late).
  const vAtClose = meanOver(tr.voltage(), o.closeS - 0.005, o.closeS);
  const delta = vAtClose - o.batteryV;
  tr.points.push({
    label: `V at contactor close ${fmt(vAtClose, 1)} V (battery ${fmt(o.batteryV, 1)} V)`,
    channel: 'voltageV',
    tS: o.closeS,
    value: vAtClose,
  });
  measure('precharge current (max |I|)', maxAbs, lim, { ...SAFETY, unit: 'A' });
  if (tr.limits.has('precharge.maxBelowBatteryV')) {
    // GB/T: the charger closes when its output is 1–10 V below the battery.
    const lo = tr.limits.get('precharge.minBelowBatteryV');
    const hi = tr.limits.get('precharge.maxBelowBatteryV');
    measure('battery − charger voltage at contactor close', -delta, derivedLimit({ lo: lo.lo, hi: hi.hi }, 'V', [lo, hi], '1–10 V below'), {
      ...SAFETY,
      unit: 'V',
    });
  } else {
    measure('inlet − battery voltage at contactor close', delta, symmetric(tr.limits.get('precharge.maxVoltageDeltaV')), {
      ...SAFETY,
      unit: 'V',
    });
  }
  return { maxCurrentA: maxAbs, deltaV: delta };
}

/** The voltage never stays above the vehicle's maximum longer than allowed (A7). */
export function assertVoltageNeverAbove(tr: PowerTrace, o: { maxV: number; fromS?: number; toS?: number }): number {
  const fromS = o.fromS ?? tr.startS;
  const toS = o.toS ?? tr.endS;
  requireSamples(tr, fromS, toS, 'the window judged for over-voltage');
  const dwellMs = 1000 * longestDwellAbove(tr.voltage(), o.maxV, fromS, toS);
  const lim = tr.limits.get('ovp.evMaxDwellMs');
  tr.bands.push({ label: `EV max ${fmt(o.maxV, 0)} V`, channel: 'voltageV', lo: o.maxV, hi: o.maxV * 1.001, fromS, toS });
  const peak = extremes(tr.voltage(), fromS, toS);
  tr.points.push({
    label: `peak ${fmt(peak.max, 1)} V, ${fmt(dwellMs, 0)} ms above`,
    channel: 'voltageV',
    tS: peak.tMaxS,
    value: peak.max,
    pass: dwellMs <= (lim.hi as number),
  });
  measure(`longest time above the EV maximum voltage (${fmt(o.maxV, 0)} V)`, dwellMs, lim, { ...SAFETY, unit: 'ms' });
  return dwellMs;
}

/**
 * Voltage above the vehicle's maximum → the charger disables its output within the allowed time. The
 * over-voltage must really have been established (else broken); outputOffS is when the trace shows the
 * output disabled (undefined: never).
 */
export function assertOverVoltageShutdown(tr: PowerTrace, o: { maxV: number; fromS: number; outputOffS: number | undefined }): number {
  const rise = timeToRiseAbove(tr.voltage(), o.fromS, o.maxV);
  const peak = extremes(tr.voltage(), o.fromS);
  precondition(`the inlet voltage rose above the EV maximum (${fmt(o.maxV, 0)} V)`, rise !== undefined, `peak ${fmt(peak.max, 1)} V`);
  const lim = tr.limits.get('ovp.evMaxShutdownMs');
  const exceedS = o.fromS + rise!;
  const ms = o.outputOffS === undefined ? Number.POSITIVE_INFINITY : 1000 * (o.outputOffS - exceedS);
  tr.points.push({ label: `above ${fmt(o.maxV, 0)} V`, channel: 'voltageV', tS: exceedS, value: o.maxV });
  if (o.outputOffS !== undefined) {
    const v = meanOver(tr.voltage(), o.outputOffS - 0.01, o.outputOffS + 0.01);
    tr.points.push({
      label: `output disabled after ${fmt(ms, 0)} ms`,
      channel: 'voltageV',
      tS: o.outputOffS,
      value: v,
      pass: ms <= (lim.hi as number),
    });
  }
  const note =
    o.outputOffS === undefined ? 'the charger never disabled its output (the current came back once the voltage fell)' : undefined;
  measure('time from exceeding the EV maximum voltage to output disabled', ms, lim, { ...SAFETY, unit: 'ms', note });
  return ms;
}

/** After the vehicle opened its contactors: the connector voltage falls below the safe voltage in time. */
export function assertDischarge(tr: PowerTrace, o: { openS: number }): number {
  const safe = tr.limits.get('stop.safeVoltageV');
  const lim = tr.limits.get('stop.dischargeS');
  requireSamples(tr, o.openS, o.openS + (lim.hi as number), 'the discharge budget after the contactors opened');
  const t = timeToFallBelow(tr.voltage(), o.openS, safe.hi as number);
  tr.bands.push({ label: `< ${safe.hi} V`, channel: 'voltageV', lo: 0, hi: safe.hi, fromS: o.openS, toS: tr.endS });
  markFellBelow(tr, 'voltageV', safe.hi as number, o.openS, t, lim.hi as number);
  const note = t === undefined ? `still ${fmt(extremes(tr.voltage(), tr.endS - 0.1).max, 0)} V at the end of the window` : undefined;
  measure(`connector voltage < ${safe.hi} V after the contactors opened`, t ?? Number.POSITIVE_INFINITY, lim, {
    ...SAFETY,
    unit: 's',
    note,
  });
  return t ?? Number.POSITIVE_INFINITY;
}

/** An insulation fault on a loaded output → the charger stops delivering (current below the stop current) in time. */
export function assertInsulationStop(tr: PowerTrace, o: { faultS: number; fromA?: number }): number {
  const stopA = tr.limits.get('stop.currentA');
  if (o.fromA !== undefined) requireCurrentAt(tr, o.faultS, o.fromA, o.fromA, 'the insulation fault was injected');
  const lim = tr.limits.get('insulation.stopS');
  const t = timeToFallBelow(tr.current(), o.faultS, stopA.value as number);
  if (t === undefined) requireSamples(tr, o.faultS, o.faultS + (lim.hi as number), 'the time an insulation fault allows');
  markFellBelow(tr, 'currentA', stopA.value as number, o.faultS, t, lim.hi as number);
  measure('insulation fault: time to stop delivering', t ?? Number.POSITIVE_INFINITY, lim, {
    ...SAFETY,
    unit: 's',
    note: t === undefined ? 'still delivering at the end of the window' : undefined,
  });
  return t ?? Number.POSITIVE_INFINITY;
}

/**
 * MCS CE sequencing: CE leaves C only after the charger disabled its output (t103 before t105). CE must
 * have left C (else the sequence cannot be judged: broken); an output never seen disabled counts as
 * disabled after CE left (a violation).
 */
export function assertCeAfterOutputOff(limits: Limits, o: { outputOffS: number | undefined; ceExitS: number | undefined }): number {
  precondition(
    'the vehicle took CE out of state C at the end of the session',
    o.ceExitS !== undefined,
    o.ceExitS === undefined ? 'CE never left C' : `at ${fmt(o.ceExitS)} s`,
  );
  const lim = limits.get('ce.outputOffBeforeExitMs');
  const ms = o.outputOffS === undefined ? Number.NEGATIVE_INFINITY : 1000 * (o.ceExitS! - o.outputOffS);
  measure('CE exit from C − output disabled', ms, lim, {
    ...SAFETY,
    unit: 'ms',
    note: o.outputOffS === undefined ? 'the output was never seen disabled' : undefined,
  });
  return ms;
}

/** Mark on the plot where the trace fell below `level`, t s after fromS (nothing when it never did); it passes within limitS. */
function markFellBelow(
  tr: PowerTrace,
  channel: 'currentA' | 'voltageV',
  level: number,
  fromS: number,
  t: number | undefined,
  limitS: number,
): void {
  if (t === undefined) return;
  const unit = channel === 'currentA' ? 'A' : 'V';
  tr.points.push({ label: `< ${level} ${unit} after ${fmt(t)} s`, channel, tS: fromS + t, value: level, pass: t <= limitS });
}
