// One window of the power analyser's inlet samples as the ramp and safety assertions see it: the samples,
// the vehicle's requests in it, the tolerance in force, and the marks (bands, points) the assertions add
// for the plot. Plus the small shared pieces every assertion uses: derived limits, the preconditions that
// must hold before a verdict (a check that cannot judge is a BenchFault — broken — never a pass).

import { BenchFault } from '../../drivers/core/errors.ts';
import type { Limit, Limits } from '../../drivers/core/limits.ts';
import type { SampleBlock, Timeline } from '../../drivers/core/timeline.ts';
import { attachCsv, attachSvg, attachText, step } from '../../reports/evidence.ts';
import { powerPlotSvg, samplesCsv, type PowerPlotInput } from '../../reports/plots.ts';
import { currentTolerance, type CurrentTolerance } from './current-tolerance.ts';
import { extremes, meanOver, type Series } from './trace-analysis.ts';

export interface RequestPoint {
  /** Clock time (s) the request took effect on the vehicle side. */
  tS: number;
  currentA: number;
}

export interface Step {
  /** When the request changed (s, clock time). */
  stepS: number;
  fromA: number;
  toA: number;
}

export class PowerTrace {
  readonly bands: NonNullable<PowerPlotInput['bands']> = [];
  readonly points: NonNullable<PowerPlotInput['points']> = [];
  readonly tolerance: CurrentTolerance;

  constructor(
    readonly title: string,
    readonly samples: { tS: number[]; currentA: number[]; voltageV: number[] },
    readonly requests: RequestPoint[],
    readonly limits: Limits,
    tolerance?: CurrentTolerance,
  ) {
    this.tolerance = tolerance ?? currentTolerance(limits);
  }

  /** The 'samples' blocks of one instrument between fromNs and toNs (clock ns). */
  static fromTimeline(
    timeline: Timeline,
    o: {
      source?: string;
      fromNs: number;
      toNs?: number;
      title: string;
      requests?: RequestPoint[];
      limits: Limits;
      tolerance?: CurrentTolerance;
    },
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
    return new PowerTrace(o.title, { tS, currentA, voltageV }, o.requests ?? [], o.limits, o.tolerance);
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

  /** Regulation tolerance at a request (the profile's, or the bench file's override). */
  toleranceA(requestA: number): number {
    return this.tolerance.toleranceA(requestA);
  }

  /** A bench-file deviation that affects checks judged with the tolerance, for their note. */
  get deviation(): string | undefined {
    return this.tolerance.deviation;
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

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? Number(x.toFixed(d)).toString() : String(x));

// ---- preconditions: what must have happened before a check can judge the charger ----

/** A precondition held (shown as a step) or did not (a BenchFault: the test is broken with the reason). */
export function precondition(what: string, ok: boolean, seen: string): void {
  try {
    step(`precondition: ${what} — ${seen}${ok ? '' : ' (not met)'}`, () => undefined);
  } catch {
    /* outside a test: nothing to show it on */
  }
  if (!ok) throw new BenchFault(`precondition not met: ${what} — ${seen}; the check could not judge the charger`);
}

/** The analyser sampled the window [fromS, toS]: at least a few samples, reaching past toS. */
export function requireSamples(tr: PowerTrace, fromS: number, toS: number, what: string): void {
  const n = extremes(tr.current(), fromS, toS).n;
  const ok = n >= 10 && tr.endS >= toS - 0.05;
  precondition(`the power analyser sampled ${what}`, ok, `${n} samples from ${fmt(fromS)} s, trace ends at ${fmt(tr.endS)} s`);
}

/**
 * The current was at levelA before atS, so a step (or stop) of stepA from it can be judged: within the
 * regulation tolerance, or precondition.startLevelPctOfStep of the step, whichever is wider (a charger a
 * little off its request still makes a judgeable step; one far off, or not delivering, does not). The
 * window ends guardS before atS: an instrument's sample stamps may lead the bench clock by a few tens of ms
 * (SCPI data log), and a fast reaction must not leak into the level it started from.
 */
export function requireCurrentAt(tr: PowerTrace, atS: number, levelA: number, stepA: number, what: string): number {
  const windowS = 0.5;
  const guardS = 0.1;
  requireSamples(tr, atS - windowS - guardS, atS - guardS, `before ${what}`);
  const mean = meanOver(tr.current(), atS - windowS - guardS, atS - guardS);
  const band = Math.max(tr.toleranceA(levelA), (tr.limits.num('precondition.startLevelPctOfStep') / 100) * Math.abs(stepA));
  precondition(
    `the current was at ${fmt(levelA, 0)} ± ${fmt(band, 1)} A before ${what}`,
    Math.abs(mean - levelA) <= band,
    `measured ${fmt(mean, 1)} A`,
  );
  return mean;
}
