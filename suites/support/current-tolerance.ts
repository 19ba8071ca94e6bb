// The current regulation tolerance a ramp/accuracy check judges against, and where it comes from. ISO
// 15118-20 DC messages carry no EVSECurrentRegulationTolerance (DIN 70121 / ISO 15118-2 did), so for an MCS
// charger it is the limit profile's (IEC 61851-23 101.2.1.2.1). A bench file may override it
// (charger.ratings.currentToleranceA / Pct, e.g. from the charger's data sheet): that is a deviation from
// the profile, shown in the report's environment and as a 'deviation' parameter on every step it affects.

import type { Limit, Limits } from '../../drivers/core/limits.ts';
import { regulationTolerance } from './trace-analysis.ts';

export interface CurrentTolerance {
  /** Half-width of the band around a request (A). */
  toleranceA(requestA: number): number;
  /** The limit record behind it (clause, source, verified), for the measurement. */
  limit(requestA: number): Limit;
  /** Set when a bench-file override replaces the profile's numbers: what and by whom. */
  deviation?: string;
}

/** Bench-file override of the regulation tolerance (charger.ratings). */
export interface ToleranceOverride {
  currentToleranceA?: number;
  currentTolerancePct?: number;
}

export function currentTolerance(limits: Limits, override: ToleranceOverride = {}, benchFile?: string): CurrentTolerance {
  const tolA = limits.get('regulation.toleranceA');
  const pct = limits.get('regulation.tolerancePct');
  const thresholdA = limits.num('regulation.thresholdA');
  const a = override.currentToleranceA ?? (tolA.value as number);
  const p = override.currentTolerancePct ?? (pct.value as number);
  const overridden = override.currentToleranceA !== undefined || override.currentTolerancePct !== undefined;
  const deviation = overridden ? toleranceDeviation(limits, override, benchFile) : undefined;
  // An override in amperes alone is a flat band (a data sheet's "±X A"); otherwise A below the threshold, % above.
  const flat = override.currentToleranceA !== undefined && override.currentTolerancePct === undefined;
  const toleranceA = (requestA: number) => (flat ? a : regulationTolerance(requestA, { tolA: a, pct: p, thresholdA }));
  return {
    toleranceA,
    deviation,
    limit(requestA: number): Limit {
      const t = toleranceA(requestA);
      const base = requestA < thresholdA ? tolA : pct;
      if (!deviation) return { ...base, lo: -t, hi: t, unit: 'A', note: `±${tolA.value} A below ${thresholdA} A, else ±${pct.value} %` };
      return { lo: -t, hi: t, unit: 'A', clause: base.clause, source: deviation, verified: false, note: deviation };
    },
  };
}

/** "bench override ±X A / ±Y % (bench file …) instead of the profile's ±2.5 A / ±5 %". */
export function toleranceDeviation(limits: Limits, o: ToleranceOverride, benchFile?: string): string {
  const parts = [
    o.currentToleranceA !== undefined ? `±${o.currentToleranceA} A` : '',
    o.currentTolerancePct !== undefined ? `±${o.currentTolerancePct} %` : '',
  ];
  const profile = `±${limits.get('regulation.toleranceA').value} A / ±${limits.get('regulation.tolerancePct').value} %`;
  const where = `charger.ratings in ${benchFile ?? 'the bench file'}`;
  const set = parts.filter(Boolean).join(' / ');
  return `bench override ${set} of the current regulation tolerance (${where}) instead of the profile's ${profile}`;
}
