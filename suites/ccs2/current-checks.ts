// The two checks of the CCS2 current suite the shared power assertions do not have: the vehicle's declared
// maxima held during energy transfer (judged on the battery emulator's trace against what CurrentDemandReq
// declared on the wire), and the voltage the charger reports in WeldingDetectionRes against the falling inlet
// voltage. Each first establishes from the evidence that there was something to judge (broken otherwise).

import { measure } from '../../reports/evidence.ts';
import { derivedLimit, precondition, requireCurrentAt, requireSamples, type PowerTrace } from '../support/power-assertions.ts';
import { fmt } from '../support/power-trace.ts';
import { extremes, meanOver, smoothedMax } from '../support/trace-analysis.ts';

/**
 * A charge at the vehicle's maximum current whose BMS then lowers its maximum voltage below the loaded inlet voltage
 * (loweredS: the first CurrentDemandReq declaring it). From the step on, the highest current (mean over
 * evMax.meanWindowMs) exceeds EVMaximumCurrentLimit by at most the regulation tolerance; from the time Table 104
 * allows above an EV maximum (ovp.evMaxDwellMs) after loweredS, the highest voltage exceeds the new
 * EVMaximumVoltageLimit by at most evMax.voltageMarginV. Broken unless the current was at the maximum and the
 * inlet above the new voltage limit when it came: else neither limit was in play.
 */
export function assertEvMaxima(tr: PowerTrace, o: { stepS: number; loweredS: number; maxA: number; maxV: number }): void {
  const windowS = tr.limits.num('evMax.meanWindowMs') / 1000;
  const actS = o.loweredS + tr.limits.get('ovp.evMaxDwellMs').hi! / 1000;
  requireCurrentAt(tr, o.loweredS, o.maxA, o.maxA, 'the vehicle lowered its maximum voltage');
  const loadedV = meanOver(tr.voltage(), o.loweredS - 0.3, o.loweredS - 0.1);
  precondition(
    `the inlet was above the lowered EVMaximumVoltageLimit (${fmt(o.maxV, 1)} V) when it came`,
    loadedV > o.maxV,
    `${fmt(loadedV, 1)} V`,
  );
  requireSamples(tr, actS, actS + 1, 'the time after the charger had to act on the lowered maximum voltage');
  const i = smoothedMax(tr.current(), o.stepS, tr.endS, windowS);
  const v = smoothedMax(tr.voltage(), actS, tr.endS, windowS);
  const margin = tr.limits.get('evMax.voltageMarginV');
  const tolA = tr.toleranceA(o.maxA);
  tr.bands.push({
    label: `EVMaximumCurrentLimit ${fmt(o.maxA, 0)} A`,
    channel: 'currentA',
    lo: 0,
    hi: o.maxA,
    fromS: o.stepS,
    toS: tr.endS,
  });
  tr.bands.push({
    label: `EVMaximumVoltageLimit ${fmt(o.maxV, 0)} V`,
    channel: 'voltageV',
    lo: o.maxV,
    hi: o.maxV,
    fromS: actS,
    toS: tr.endS,
  });
  tr.points.push({ label: `highest ${fmt(i.max, 1)} A`, channel: 'currentA', tS: i.tS, value: i.max, pass: i.max - o.maxA <= tolA });
  tr.points.push({ label: `highest ${fmt(v.max, 1)} V`, channel: 'voltageV', tS: v.tS, value: v.max, pass: v.max - o.maxV <= margin.hi! });
  const base = [tr.limits.get('regulation.toleranceA'), tr.limits.get('regulation.tolerancePct')];
  measure(
    `highest current above EVMaximumCurrentLimit (${windowS * 1000} ms mean)`,
    i.max - o.maxA,
    derivedLimit({ hi: tolA }, 'A', base, `regulation tolerance at ${fmt(o.maxA, 0)} A`),
    { violation: 'current-control', unit: 'A', note: `${fmt(i.max, 1)} A at ${fmt(i.tS)} s; the vehicle's maximum ${fmt(o.maxA, 0)} A` },
  );
  measure(`highest voltage above EVMaximumVoltageLimit (${windowS * 1000} ms mean)`, v.max - o.maxV, margin, {
    violation: 'safety',
    unit: 'V',
    note: `${fmt(v.max, 1)} V at ${fmt(v.tS)} s; maximum ${fmt(o.maxV, 0)} V from ${fmt(o.loweredS)} s, judged from ${fmt(actS)} s`,
  });
}

/**
 * WeldingDetection shows the output voltage falling: each WeldingDetectionRes reports (EVSEPresentVoltage) a voltage
 * the inlet had while its exchange ran — within present.voltageToleranceV of the measured range over
 * [request sent, response received] ± present.alignmentMs (the voltage falls by volts per millisecond there, and the
 * instrument's stamps and the wire's differ by that much). Broken unless the charger answered WeldingDetectionReq
 * after the contactors opened and the measured voltage fell by its last answer.
 */
export function assertWeldingVoltage(tr: PowerTrace, readings: { fromS: number; tS: number; voltageV: number }[], openS: number): number {
  const after = readings.filter((r) => r.fromS >= openS);
  precondition('the charger answered WeldingDetectionReq after the contactors opened', after.length > 0, `${after.length} answers`);
  const alignS = tr.limits.num('present.alignmentMs') / 1000;
  const judged = after.map((r) => {
    const range = extremes(tr.voltage(), r.fromS - alignS, r.tS + alignS);
    const off = r.voltageV > range.max ? r.voltageV - range.max : r.voltageV < range.min ? r.voltageV - range.min : 0;
    return { ...r, range, off };
  });
  const openV = meanOver(tr.voltage(), openS - 0.02, openS);
  const lastV = meanOver(tr.voltage(), judged.at(-1)!.tS - 0.005, judged.at(-1)!.tS);
  precondition(
    'the inlet voltage fell between the contactors opening and the last WeldingDetectionRes',
    lastV < openV - 1,
    `${fmt(openV, 1)} V → ${fmt(lastV, 1)} V over ${judged.length} answers`,
  );
  const worst = judged.reduce((a, b) => (Math.abs(b.off) > Math.abs(a.off) ? b : a));
  for (const m of judged) tr.points.push({ label: '', channel: 'voltageV', tS: m.tS, value: m.voltageV, pass: true });
  const lim = tr.limits.get('present.voltageToleranceV');
  const h = (lim.hi ?? lim.value) as number;
  const range = `${fmt(worst.range.min, 1)}–${fmt(worst.range.max, 1)} V`;
  measure(
    'WeldingDetectionRes EVSEPresentVoltage − measured (worst)',
    worst.off,
    { ...lim, lo: -h, hi: h },
    {
      violation: 'safety',
      unit: 'V',
      note: `reported ${fmt(worst.voltageV, 1)} V, measured ${range} during its exchange at ${fmt(worst.tS)} s (worst of ${judged.length})`,
    },
  );
  return worst.off;
}
