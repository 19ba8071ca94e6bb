// The plot thread's loop (plot-thread.ts): render each plot it is sent with the same code the main thread
// would use, and answer with the SVG or why there is none.

import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { renderPowerPlotSvg, type PowerPlotInput } from './plots.ts';

const port = parentPort!;
// A thread inherits its creator's policy: under MCS_HIL_REALTIME the main thread is SCHED_FIFO, and a FIFO
// thread drawing a plot would hold a CPU from every normal process. Plots are not real-time work.
if (process.env.MCS_HIL_REALTIME) {
  const tid = /task\/(\d+)/.exec(readlinkSync('/proc/thread-self'))?.[1];
  if (tid) spawnSync('chrt', ['-o', '-p', '0', tid]);
}
port.on('message', (m: { id: number; input: PowerPlotInput }) => {
  renderPowerPlotSvg(m.input).then(
    (svg) => port.postMessage({ id: m.id, svg }),
    (err: unknown) => port.postMessage({ id: m.id, error: String((err as Error)?.stack ?? err) }),
  );
});
