// Plots for the ramp and safety evidence: requested vs measured current (and voltage) with the limit band
// and the measured points marked, rendered from a Vega-Lite spec to SVG headless in Node (no hand-drawn
// SVG), plus the raw samples as CSV. Pure functions of their input; attaching is the caller's business.

import type { TopLevelSpec } from 'vega-lite';
import { plottingLibraries } from './plotting-libraries.ts';
import { renderSpecSvg } from './plotting-builds.mjs';
import { plotThreadEnabled, renderOnPlotThread } from './plot-thread.ts';

export type PlotChannel = 'currentA' | 'voltageV';

export interface PowerPlotInput {
  title: string;
  /** Sample times (s, any origin: the plot shows time from the first sample) and values. */
  samples: { tS: number[]; currentA: number[]; voltageV?: number[] };
  /** The vehicle's requests as a step function (each holds until the next). */
  requested?: { tS: number; currentA: number }[];
  /** Limit bands (a rectangle from fromS to toS between lo and hi). */
  bands?: { label: string; channel: PlotChannel; lo?: number; hi?: number; fromS: number; toS: number }[];
  /** Measured points (crossings, peaks, stop time …), marked and labelled. */
  points?: { label: string; channel: PlotChannel; tS: number; value: number; pass?: boolean }[];
  /** Most line points per channel (min/max decimation keeps peaks). Default 3000. */
  maxPoints?: number;
  width?: number;
}

/** Keep the min and the max of each bucket, so a decimated line still shows every peak and ripple extreme. */
export function decimate(tS: number[], y: number[], maxPoints: number): { t: number[]; y: number[] } {
  const n = Math.min(tS.length, y.length);
  if (n <= maxPoints) return { t: tS.slice(0, n), y: y.slice(0, n) };
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = n / buckets;
  const t: number[] = [];
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const a = Math.floor(b * size);
    const e = Math.min(n, Math.floor((b + 1) * size));
    let iMin = a;
    let iMax = a;
    for (let k = a; k < e; k++) {
      if (y[k] < y[iMin]) iMin = k;
      if (y[k] > y[iMax]) iMax = k;
    }
    for (const k of iMin <= iMax ? [iMin, iMax] : [iMax, iMin]) {
      t.push(tS[k]);
      out.push(y[k]);
    }
  }
  return { t, y: out };
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function powerPlotSpec(input: PowerPlotInput): TopLevelSpec {
  const t0 = input.samples.tS[0] ?? 0;
  const rel = (t: number) => round(t - t0);
  const maxPoints = input.maxPoints ?? 3000;
  const width = input.width ?? 760;
  const channels: { key: PlotChannel; title: string; values?: number[] }[] = [
    { key: 'currentA', title: 'Current (A)', values: input.samples.currentA },
    { key: 'voltageV', title: 'Voltage (V)', values: input.samples.voltageV },
  ];
  const tEnd = input.samples.tS.at(-1) ?? t0;
  const panels = channels
    .filter((c) => c.values && c.values.length)
    .map((c) => {
      const d = decimate(input.samples.tS, c.values!, maxPoints);
      const lines = d.t.map((t, k) => ({ t: rel(t), value: round(d.y[k], 3), series: 'measured' }));
      if (c.key === 'currentA' && input.requested?.length) {
        const req = [...input.requested].sort((a, b) => a.tS - b.tS);
        for (const [k, r] of req.entries()) {
          lines.push({ t: rel(Math.max(r.tS, t0)), value: r.currentA, series: 'requested' });
          const next = req[k + 1]?.tS ?? tEnd;
          lines.push({ t: rel(Math.min(next, tEnd)), value: r.currentA, series: 'requested' });
        }
      }
      const bands = (input.bands ?? [])
        .filter((b) => b.channel === c.key)
        .map((b) => ({ x: rel(b.fromS), x2: rel(b.toS), lo: b.lo ?? null, hi: b.hi ?? null, label: b.label }));
      const points = (input.points ?? [])
        .filter((p) => p.channel === c.key && Number.isFinite(p.value) && Number.isFinite(p.tS))
        .map((p) => ({ t: rel(p.tS), value: round(p.value, 3), label: p.label, verdict: p.pass === false ? 'fail' : 'pass' }));
      const layers: unknown[] = [];
      for (const b of bands) {
        layers.push({
          data: { values: [b] },
          mark: { type: 'rect', opacity: 0.18, color: '#2a9d8f' },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            x2: { field: 'x2' },
            ...(b.lo !== null ? { y: { field: 'lo', type: 'quantitative' } } : { y: { value: 0 } }),
            ...(b.hi !== null ? { y2: { field: 'hi' } } : { y2: { value: 0 } }),
            tooltip: [{ field: 'label', type: 'nominal' }],
          },
        });
        layers.push({
          data: { values: [b] },
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -2, fontSize: 10, color: '#1d6f65' },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: b.hi !== null ? 'hi' : 'lo', type: 'quantitative' },
            text: { field: 'label' },
          },
        });
      }
      layers.push({
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 1, clip: true },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time (s)' },
          y: { field: 'value', type: 'quantitative', title: c.title, scale: { zero: false } },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: ['measured', 'requested'], range: ['#264653', '#e76f51'] },
            legend: { orient: 'top', title: null },
          },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            scale: {
              domain: ['measured', 'requested'],
              range: [
                [1, 0],
                [6, 3],
              ],
            },
            legend: { orient: 'top', title: null },
          },
        },
      });
      if (points.length) {
        layers.push({
          data: { values: points },
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 't', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative' },
            shape: { field: 'verdict', type: 'nominal', scale: { domain: ['pass', 'fail'], range: ['circle', 'cross'] }, legend: null },
            fill: { field: 'verdict', type: 'nominal', scale: { domain: ['pass', 'fail'], range: ['#2a9d8f', '#d62828'] }, legend: null },
            tooltip: [{ field: 'label' }, { field: 't', title: 't (s)' }, { field: 'value' }],
          },
        });
        layers.push({
          data: { values: points },
          mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10 },
          encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
        });
      }
      return { width, height: 240, layer: layers };
    });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, anchor: 'start' },
    vconcat: panels,
    resolve: { scale: { color: 'shared' } },
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}

/** vega + vega-lite, loaded once: on the first plot (~37 MB of RSS a run without plots never needs), or before a virtual-time run starts. */
export async function loadPlotting(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  return plottingLibraries();
}

/**
 * Render the plot to an SVG string (headless vega view, no browser, no canvas): on the plot thread while a
 * real-time bench runs (plot-thread.ts), else here.
 */
export async function powerPlotSvg(input: PowerPlotInput): Promise<string> {
  return plotThreadEnabled() ? renderOnPlotThread(powerPlotSpec(input)) : renderPowerPlotSvg(input);
}

/** Render the plot on this thread. */
export async function renderPowerPlotSvg(input: PowerPlotInput): Promise<string> {
  return renderSpecSvg(await loadPlotting(), powerPlotSpec(input));
}

/** The raw samples as CSV (time in s from the first sample, then each channel). */
export function samplesCsv(
  samples: { tS: number[]; currentA: number[]; voltageV?: number[] },
  requested?: { tS: number; currentA: number }[],
): string {
  const t0 = samples.tS[0] ?? 0;
  const req = [...(requested ?? [])].sort((a, b) => a.tS - b.tS);
  let r = -1;
  const lines = [`t_s,current_A${samples.voltageV ? ',voltage_V' : ''}${req.length ? ',requested_A' : ''}`];
  for (let k = 0; k < samples.tS.length; k++) {
    const t = samples.tS[k];
    while (r + 1 < req.length && req[r + 1].tS <= t) r++;
    let line = `${round(t - t0, 6)},${samples.currentA[k]}`;
    if (samples.voltageV) line += `,${samples.voltageV[k]}`;
    if (req.length) line += `,${r >= 0 ? req[r].currentA : ''}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}
