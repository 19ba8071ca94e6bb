// Plots rendered on a worker thread while a real-time bench runs (issue 14): a ramp plot is ~0.6 s of vega
// work, and on the main thread it held up everything that shares it (the in-process CAN hub, the emulated
// chargers' timers, the vehicle's TLS/EXI) mid-session: up to 2.3 s on a loaded host, longer than the GB/T
// BCL timeout. A virtual-time run keeps rendering inline: waiting on another thread looks idle to its clock,
// which would move on during the plot. Same code either side (plots.ts), so the SVG is the same.

import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';

interface Pending {
  on: Worker;
  resolve(svg: string): void;
  reject(err: Error): void;
}

let enabled = false;
let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/** The runner turns it on for a real-time bench and off (ending the thread) when the tests are over. */
export function plotsOffMainThread(on: boolean): void {
  enabled = on;
  if (!on && worker) void stop(worker, 'plot thread closed');
}

export function plotThreadEnabled(): boolean {
  return enabled;
}

/** Render a Vega-Lite spec on the plot thread (started on first use; it never keeps the process alive). */
export function renderOnPlotThread(spec: TopLevelSpec): Promise<string> {
  const w = worker ?? start();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    pending.set(id, { on: w, resolve, reject });
    w.postMessage({ id, spec });
  });
}

function start(): Worker {
  // A small young generation: the thread's peak RSS stays that of drawing inline (~+25 MB with the default).
  const w = new Worker(new URL('./plot-worker.mjs', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  w.unref();
  w.on('message', (m: { id: number; svg?: string; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.svg !== undefined) p?.resolve(m.svg);
    else p?.reject(new Error(`plot thread: ${m.error ?? 'no SVG'}`));
  });
  w.on('error', (err) => void stop(w, `plot thread failed: ${err.message}`));
  w.on('exit', () => void stop(w, 'plot thread exited'));
  worker = w;
  return w;
}

/** Every plot still waiting on `w` gets the reason (the caller attaches it instead of the plot; no verdict changes). */
async function stop(w: Worker, why: string): Promise<void> {
  if (worker === w) worker = undefined;
  for (const [id, p] of pending) {
    if (p.on !== w) continue;
    pending.delete(id);
    p.reject(new Error(why));
  }
  await w.terminate();
}
