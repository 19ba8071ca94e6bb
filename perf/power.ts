// Power emulation and trace maths throughput (no limits asserted here; printed for trend-watching):
//   node --import tsx perf/power.ts
// - emulated DC bus + power stage + battery: simulated seconds per wall second at the 1 ms tick
// - stepResponse / timeToFallBelow on a 60 s, 1 kS/s trace
// - vega-lite → SVG render of that trace (decimated)

import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../drivers/core/clock.ts';
import { Timeline } from '../drivers/core/timeline.ts';
import { powerPlotSvg } from '../reports/plots.ts';
import { stepResponse, timeToFallBelow } from '../suites/support/trace-analysis.ts';
import { startChargingStage } from './charging-stage.ts';

const clock = new VirtualClock();
const timeline = new Timeline({ clock });
const { battery: inst, stage } = await startChargingStage(clock, timeline);
const simS = 60;
let t = performance.now();
for (let k = 0; k < simS * 10; k++) {
  stage.request({ currentA: 1500, voltageV: 900 });
  await clock.advance(100);
}
await inst.flush();
let wall = (performance.now() - t) / 1000;
console.log(
  `bus+stage+battery+instrument: ${simS} s simulated in ${wall.toFixed(2)} s wall → ${(simS / wall).toFixed(1)}× real time (${((simS * 1000) / wall / 1000).toFixed(0)} k ticks/s)`,
);

const i = timeline.samples('currentA', { source: 'battery' });
const v = timeline.samples('voltageV', { source: 'battery' });
const series = { tS: i.t.map((x) => x / 1e9), y: i.v };
t = performance.now();
const reps = 20;
for (let k = 0; k < reps; k++) {
  stepResponse(series, { stepS: series.tS[0], band: 30 });
  timeToFallBelow(series, series.tS[0], 5);
}
wall = (performance.now() - t) / 1000;
console.log(
  `trace maths: ${((reps * series.y.length) / wall / 1e6).toFixed(1)} M samples/s (stepResponse + timeToFallBelow on ${series.y.length} samples)`,
);

t = performance.now();
const svg = await powerPlotSvg({
  title: 'perf',
  samples: { tS: series.tS, currentA: i.v, voltageV: v.v },
  requested: [{ tS: series.tS[0], currentA: 1500 }],
});
wall = (performance.now() - t) / 1000;
console.log(`plot: ${series.y.length} samples → SVG ${(svg.length / 1024).toFixed(0)} kB in ${wall.toFixed(2)} s`);
await inst.close();
