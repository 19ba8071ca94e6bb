// The plot thread's loop (plot-thread.ts): render each Vega-Lite spec it is sent with the code the main thread
// uses (plotting-builds.mjs) and answer with the SVG or why there is none. Plain JavaScript: no TypeScript
// loader in this thread.

import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { loadPlottingBuilds, renderSpecSvg } from './plotting-builds.mjs';

// A thread inherits its creator's policy: when the main thread runs SCHED_FIFO (realtime-thread.ts), a FIFO
// thread drawing a plot would hold a CPU from every normal process. Plots are not real-time work.
const stat = readFileSync('/proc/thread-self/stat', 'utf8');
if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]) !== 0) {
  const tid = /task\/(\d+)/.exec(readlinkSync('/proc/thread-self'))?.[1];
  if (tid) spawnSync('chrt', ['-o', '-p', '0', tid]);
}

let libraries;
parentPort.on('message', (m) => {
  Promise.resolve()
    .then(() => renderSpecSvg((libraries ??= loadPlottingBuilds()), m.spec))
    .then(
      (svg) => parentPort.postMessage({ id: m.id, svg }),
      (err) => parentPort.postMessage({ id: m.id, error: String(err?.stack ?? err) }),
    );
});
