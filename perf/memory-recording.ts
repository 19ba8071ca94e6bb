// The recording half of perf/memory.ts, in its own process: an hour (by default) of a fully loaded GB/T CAN
// bus plus the emulated battery's 1 kS/s V/I, on virtual time, through the run's real recording path
// (timeline streamed to timeline.jsonl, the candump recorder writing can.log, sample blocks from the
// emulated battery), then the power plot of the whole hour. Prints one JSON line per interval:
//   node --import tsx perf/memory-recording.ts [minutes] [frames-per-second]

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../drivers/core/clock.ts';
import { Timeline, type SampleBlock } from '../drivers/core/timeline.ts';
import { CandumpRecorder } from '../drivers/can/candump-recorder.ts';
import { recordFrame } from '../drivers/can/frame-event.ts';
import { powerPlotSvg } from '../reports/plots.ts';
import { StreamingDecimator } from '../reports/streaming-decimator.ts';
import { startChargingStage } from './charging-stage.ts';

const minutes = Number(process.argv[2] ?? 60);
/**
 * GB/T 27930 runs at 250 kbit/s; a 29-bit frame with 8 data bytes is 131 bits before stuffing, about 140
 * with it, so a bus at 100 % load carries ~1,800 frames/s.
 */
const framesPerSecond = Number(process.argv[3] ?? 1800);
const reportEveryMin = Math.max(1, Math.round(minutes / 12));

const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-memory-'));
const clock = new VirtualClock();
const timeline = new Timeline({ clock, file: join(dir, 'timeline.jsonl') });
const canLog = new CandumpRecorder({ timeline, file: join(dir, 'can.log'), sources: ['can0'] }).start();

const { battery, stage } = await startChargingStage(clock, timeline);

// The bus load: GB/T-like identifiers (priority 6, PGN in the middle byte), frames evenly spaced, both directions.
const ids = [0x1826f456, 0x1801f456, 0x1808f456, 0x1810f456, 0x181256f4, 0x181356f4, 0x181c56f4, 0x10135 << 8];
let sent = 0;
let owed = 0;
const TICK_MS = 10;
const load = () => {
  owed += (framesPerSecond * TICK_MS) / 1000;
  const n = Math.floor(owed);
  owed -= n;
  const t0 = clock.now();
  for (let k = 0; k < n; k++) {
    const data = new Uint8Array(8);
    for (let b = 0; b < 8; b++) data[b] = (sent * 31 + b * 7) & 0xff;
    const id = ids[sent % ids.length];
    recordFrame(timeline, 'can0', sent % 2 ? 'rx' : 'tx', { id, extended: true, data, t: t0 + Math.round((k * TICK_MS * 1e6) / n) });
    sent++;
  }
  clock.setTimer(TICK_MS, load);
};
clock.setTimer(TICK_MS, load);

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const report = (phase: string) => {
  const m = process.memoryUsage();
  const line = {
    phase,
    minute: Math.round(clock.nowMs() / 60000),
    rssMB: mb(m.rss),
    heapMB: mb(m.heapUsed),
    externalMB: mb(m.external + m.arrayBuffers),
  };
  console.log(JSON.stringify({ ...line, frames: sent, peakRssMB: mb(process.resourceUsage().maxRSS * 1024) }));
};

report('start');
for (let minute = 0; minute < minutes; minute++) {
  // A charge-loop-like request every second keeps the power stage moving.
  for (let s = 0; s < 60; s++) {
    stage.request({ currentA: 1000 + ((minute * 60 + s) % 20) * 50, voltageV: 900 });
    await clock.advance(1000);
  }
  if ((minute + 1) % reportEveryMin === 0) report('recording');
}
await battery.flush();
canLog.flush();
timeline.flush();
report('recorded');

// The plot of the whole recording from decimated data: the sample blocks streamed back from the file
// through a bounded min/max decimator (3000 points per channel, as the plots draw).
const current = new StreamingDecimator(3000, 1e-3);
const voltage = new StreamingDecimator(3000, 1e-3);
let samples = 0;
timeline.forEach({ kind: 'samples', source: 'battery' }, (e) => {
  const b = e.data as unknown as SampleBlock;
  for (let k = 0; k < b.channels.currentA.length; k++) {
    const tS = (b.t0 + k * b.dt) / 1e9;
    current.push(tS, b.channels.currentA[k]);
    voltage.push(tS, b.channels.voltageV[k]);
    samples++;
  }
});
const i = current.points();
const v = voltage.points();
// The plot takes one time axis: the current's points, with the voltage's nearest kept value (plot resolution).
let j = 0;
const vAt = i.t.map((t) => {
  while (j + 1 < v.t.length && v.t[j + 1] <= t) j++;
  return v.y[j];
});
const svg = await powerPlotSvg({ title: 'hour', samples: { tS: i.t, currentA: i.y, voltageV: vAt }, requested: [] });
report('plotted');
const sizes = {
  timelineMB: mb(statSync(join(dir, 'timeline.jsonl')).size),
  canLogMB: mb(statSync(join(dir, 'can.log')).size),
  svgKB: Math.round(svg.length / 1024),
};
console.log(JSON.stringify({ phase: 'files', ...sizes, samples, plottedPoints: i.t.length }));
canLog.stop();
timeline.close();
await battery.close();
rmSync(dir, { recursive: true, force: true });
