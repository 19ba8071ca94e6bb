// What the long MCS session judges, read only from what a real bench records: the limits the charger
// advertises in each DC_ChargeLoopRes (Dynamic control mode) and the battery emulator's trace. The whole
// session's trace is kept decimated (1 s means) for its plot and the session-wide check; each judged event
// gets its own full-rate window.

import type { Bench } from '../../benches/bench.ts';
import type { Limits } from '../../drivers/core/limits.ts';
import { measure } from '../../reports/evidence.ts';
import type { SampleBlock } from '../../drivers/core/timeline.ts';
import type { CurrentTolerance } from '../support/current-tolerance.ts';
import { derivedLimit, fmt, precondition, PowerTrace } from '../support/power-trace.ts';
import type { RequestPoint } from '../support/power-assertions.ts';
import { toNs } from './power-support.ts';

/** One DC_ChargeLoopRes as the vehicle received it: when, and the maximum power it advertised (W). */
export interface Advertised {
  tS: number;
  maxPowerW: number;
}

/** A rational value {Value, Exponent} found under this key anywhere in a decoded document. */
function rationalAt(doc: unknown, key: string): number | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  for (const [k, v] of Object.entries(doc)) {
    if (k === key && v && typeof v === 'object' && 'Value' in v) {
      const r = v as { Value: number; Exponent?: number };
      return r.Value * 10 ** (r.Exponent ?? 0);
    }
    const inner = rationalAt(v, key);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** EVSEMaximumChargePower of every DC_ChargeLoopRes the vehicle received since fromS. */
export function advertisedSince(bench: Bench, vehicleName: string, fromS: number): Advertised[] {
  const out: Advertised[] = [];
  for (const e of bench.timeline.query({ kind: 'v2g', source: vehicleName, from: toNs(fromS) })) {
    if (e.data.dir !== 'rx' || e.data.message !== 'DC_ChargeLoopRes') continue;
    const p = rationalAt((e.data as { doc?: unknown }).doc, 'EVSEMaximumChargePower');
    if (p !== undefined) out.push({ tS: e.t / 1e9, maxPowerW: p });
  }
  return out;
}

/** The analyser's samples since fromS as 1 s means (binS): the whole session's plot and its session-wide check. */
export function decimatedTrace(
  bench: Bench,
  o: { source?: string; fromS: number; binS: number; title: string; requests: RequestPoint[]; limits: Limits; tolerance: CurrentTolerance },
): PowerTrace {
  const tS: number[] = [];
  const currentA: number[] = [];
  const voltageV: number[] = [];
  let bin = -1;
  let si = 0;
  let sv = 0;
  let n = 0;
  const flush = (): void => {
    if (n) {
      tS.push(o.fromS + (bin + 0.5) * o.binS);
      currentA.push(si / n);
      voltageV.push(sv / n);
    }
    si = sv = n = 0;
  };
  for (const e of bench.timeline.query({ kind: 'samples', source: o.source, from: o.fromS * 1e9 })) {
    const b = e.data as unknown as SampleBlock;
    const i = b.channels?.currentA;
    const v = b.channels?.voltageV;
    if (!i || !v) continue;
    for (let k = 0; k < i.length; k++) {
      const t = (b.t0 + k * b.dt) / 1e9;
      if (t < o.fromS) continue;
      const kb = Math.floor((t - o.fromS) / o.binS);
      if (kb !== bin) {
        flush();
        bin = kb;
      }
      si += i[k];
      sv += v[k];
      n++;
    }
  }
  flush();
  const requests = decimateRequests(o.requests, o.binS);
  return new PowerTrace(o.title, { tS, currentA, voltageV }, requests, o.limits, o.tolerance);
}

/** At most one request point per bin (the vehicle changes its request every loop while it ramps or tapers). */
function decimateRequests(r: RequestPoint[], binS: number): RequestPoint[] {
  const out: RequestPoint[] = [];
  for (const p of r) if (!out.length || p.tS - out[out.length - 1].tS >= binS || p === r[r.length - 1]) out.push(p);
  return out;
}

/**
 * The time from a site cap being set to the first DC_ChargeLoopRes that advertises it (EVSEMaximumChargePower
 * at or below the cap); Infinity when none did. The vehicle can only follow a limit it is told.
 */
export function judgeAdvertisedCap(ads: Advertised[], capS: number, capW: number, untilS: number, limits: Limits): void {
  const after = ads.filter((a) => a.tS >= capS && a.tS <= untilS);
  precondition(
    'the charger advertised EVSEMaximumChargePower in the charge loop after the site cap was set',
    after.length >= 2,
    `${after.length} DC_ChargeLoopRes with EVSEMaximumChargePower`,
  );
  const seen = after.find((a) => a.maxPowerW <= capW * 1.001);
  measure(
    `EVSEMaximumChargePower on the wire after the site cap (${fmt(capW / 1e3, 0)} kW)`,
    seen ? seen.tS - capS : Infinity,
    limits.get('session.advertiseWithinS'),
    {
      violation: 'current-control',
      unit: 's',
      note: seen
        ? `advertised ${fmt(seen.maxPowerW / 1e3, 1)} kW`
        : `the charger kept advertising ${fmt((after.at(-1)?.maxPowerW ?? NaN) / 1e3, 1)} kW`,
    },
  );
}

/**
 * Session-wide: the delivered power (1 s means) never stays above what the charger advertised, once the
 * down-step time of the largest advertised decrease has passed — whatever lowered it (site cap, derating).
 */
export function judgeUnderAdvertised(tr: PowerTrace, ads: Advertised[], binS: number): void {
  precondition(
    'the charger advertised its limits all session',
    ads.length >= 10,
    `${ads.length} DC_ChargeLoopRes with EVSEMaximumChargePower`,
  );
  precondition('the power analyser sampled the whole session', tr.samples.tS.length >= 10, `${tr.samples.tS.length} ${binS} s means`);
  const rate = tr.limits.get('downStep.minRateAps');
  const minT = tr.limits.get('downStep.minTimeS');
  const tolA = tr.limits.get('regulation.toleranceA');
  const tolPct = tr.limits.get('regulation.tolerancePct');
  // Each advertised decrease gives the charger max(1 s, ΔI / rate) to follow it, ΔI from the current it was
  // delivering then (a rating far above the delivered power is no step to follow).
  const half = binS / 2;
  const drops: { fromS: number; untilS: number }[] = [];
  for (let q = 1; q < ads.length; q++) {
    if (ads[q].maxPowerW >= ads[q - 1].maxPowerW) continue;
    const k = Math.max(0, tr.samples.tS.findIndex((x) => x >= ads[q].tS) - 1);
    const v = Math.max(tr.samples.voltageV[k] ?? 1, 1);
    const dropA = Math.max(0, (tr.samples.currentA[k] ?? 0) - ads[q].maxPowerW / v);
    drops.push({ fromS: ads[q].tS, untilS: ads[q].tS + Math.max(minT.value as number, dropA / (rate.lo as number)) });
  }
  let worst = -Infinity;
  let worstAt = NaN;
  let j = 0;
  for (let k = 0; k < tr.samples.tS.length; k++) {
    const t = tr.samples.tS[k];
    while (j + 1 < ads.length && ads[j + 1].tS <= t - half) j++;
    // A bin is judged against the limit in force over all of it, outside every allowed transition.
    if (ads[j].tS > t - half || drops.some((d) => t + half >= d.fromS && t - half <= d.untilS)) continue;
    const v = Math.max(tr.samples.voltageV[k], 1);
    const allowedW = ads[j].maxPowerW;
    const over = tr.samples.currentA[k] * v - allowedW - tr.toleranceA(allowedW / v) * v;
    if (over > worst) [worst, worstAt] = [over, t];
  }
  const limit = derivedLimit(
    { hi: 0 },
    'W',
    [tolA, tolPct, rate, minT],
    'delivered − (advertised + regulation tolerance × V), after max(1 s, ΔI / rate)',
  );
  measure('delivered power above the advertised maximum (worst 1 s mean)', worst, limit, {
    violation: 'current-control',
    unit: 'W',
    note: `at ${fmt(worstAt, 0)} s`,
  });
}
