// Peak memory of the harness (issue 14, item 4), printed per interval with the slope:
//   npx tsx perf/memory.ts [recording-minutes, 0: none] [-- mcs-hil run arguments]
// (a) the nightly emulator run: `mcs-hil run` of every suite on benches/emulator.yaml (as scripts/nightly.sh)
//     in a child process, the RSS of its process tree (native CAN helpers included) sampled every second; pass
//     other run arguments after --, e.g. -- --suite bench for a short one;
// (b) a recording (default one hour, virtual time) of a fully loaded CAN bus plus 1 kS/s V/I through the
//     run's recording path, then a plot of all of it (perf/memory-recording.ts, in its own process).
// Target: peak RSS ≤ 200 MB and no upward slope.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slope } from './slope.ts';

const TARGET_MB = 200;
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const minutes = Number((dash < 0 ? argv : argv.slice(0, dash))[0] ?? 60);
const runArgs = dash < 0 ? [] : argv.slice(dash + 1);
const root = new URL('..', import.meta.url).pathname;

/** RSS (kB) of a process and all its descendants, from /proc, per command name (node, esbuild, tcpdump, the CAN helper …). */
function treeRssKb(pid: number, into = new Map<string, number>()): Map<string, number> {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? '?';
    into.set(name, (into.get(name) ?? 0) + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) treeRssKb(Number(c), into);
    }
  } catch {
    /* the process ended between two reads */
  }
  return into;
}

const sumMB = (byName: Map<string, number>) => [...byName.values()].reduce((a, b) => a + b, 0) / 1024;
/** "node 150, esbuild 57, tcpdump 20": where a tree's memory sits (the run itself is one node; tsx's esbuild, helpers). */
const breakdown = (byName: Map<string, number>) =>
  [...byName]
    .sort((a, b) => b[1] - a[1])
    .map(([n, kb]) => `${n} ${(kb / 1024).toFixed(0)}`)
    .join(', ');

function verdict(peakMB: number, slopeMBPerHour: number): string {
  // "Flat": less than 5 % of the target per hour of growth once running.
  const flat = slopeMBPerHour < TARGET_MB * 0.05;
  return `${peakMB <= TARGET_MB ? 'meets' : 'ABOVE'} ≤ ${TARGET_MB} MB, ${flat ? 'flat' : 'GROWING'}`;
}

async function emulatorRun(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'mcs-hil-memory-run-'));
  const child = spawn(process.execPath, [join(root, 'bin/mcs-hil.mjs'), 'run', '--quiet', '--out', out, ...runArgs], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const t0 = Date.now();
  const series: Array<{ s: number; mb: number; byName: Map<string, number> }> = [];
  const timer = setInterval(() => {
    const byName = treeRssKb(child.pid!);
    series.push({ s: (Date.now() - t0) / 1000, mb: sumMB(byName), byName });
  }, 1000);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  rmSync(out, { recursive: true, force: true });
  const what = runArgs.length ? runArgs.join(' ') : '(every suite, as the nightly)';
  console.log(`(a) mcs-hil run ${what}: exit ${code}, ${Math.round((Date.now() - t0) / 1000)} s`);
  const every = Math.max(1, Math.floor(series.length / 12));
  for (let k = 0; k < series.length; k += every)
    console.log(`    ${series[k].s.toFixed(0).padStart(5)} s  RSS ${series[k].mb.toFixed(0)} MB (${breakdown(series[k].byName)})`);
  const peak = Math.max(0, ...series.map((p) => p.mb));
  const atPeak = series.find((p) => p.mb === peak);
  const maxPerName = new Map<string, number>();
  for (const p of series) for (const [n, kb] of p.byName) maxPerName.set(n, Math.max(maxPerName.get(n) ?? 0, kb));
  if (atPeak)
    console.log(
      `    at the peak (${atPeak.s.toFixed(0)} s): ${breakdown(atPeak.byName)} MB; each one's own peak: ${breakdown(maxPerName)} MB`,
    );
  const late = series.slice(Math.floor(series.length / 3));
  // A slope needs a run long enough to be past start-up (module loading, bench open).
  if (series.length < 120)
    return console.log(
      `    peak RSS ${peak.toFixed(0)} MB (${peak <= TARGET_MB ? 'meets' : 'ABOVE'} ≤ ${TARGET_MB} MB); too short for a slope`,
    );
  const perHour = slope(
    late.map((p) => p.s / 3600),
    late.map((p) => p.mb),
  );
  console.log(`    peak RSS ${peak.toFixed(0)} MB, slope after the first third ${perHour.toFixed(0)} MB/h: ${verdict(peak, perHour)}`);
}

interface RecordingLine {
  phase: string;
  minute: number;
  rssMB: number;
  heapMB: number;
  peakRssMB: number;
  frames?: number;
}

async function recording(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'perf/memory-recording.ts'), String(minutes)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise((resolve) => child.on('exit', resolve));
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RecordingLine & Record<string, unknown>);
  console.log(`(b) ${minutes} min recording (virtual time): full-load CAN (1,800 frames/s) + 1 kS/s V/I, then a plot of all of it`);
  for (const l of lines) {
    if (l.phase === 'files') console.log(`    files: ${JSON.stringify({ ...l, phase: undefined })}`);
    else console.log(`    ${l.phase.padEnd(9)} minute ${String(l.minute).padStart(3)}  RSS ${l.rssMB} MB (heap ${l.heapMB} MB)`);
  }
  const rec = lines.filter((l) => l.phase === 'recording');
  const late = rec.slice(Math.floor(rec.length / 3));
  const perHour = slope(
    late.map((l) => l.minute / 60),
    late.map((l) => l.rssMB),
  );
  const peak = Math.max(0, ...lines.map((l) => l.peakRssMB ?? 0));
  const recordedPeak = lines.find((l) => l.phase === 'recorded')?.peakRssMB ?? peak;
  console.log(`    peak RSS ${recordedPeak} MB while recording, ${peak} MB with the plot of all of it`);
  console.log(`    slope after the first third ${perHour.toFixed(0)} MB/h: ${verdict(peak, perHour)}`);
}

await emulatorRun();
// 0 minutes: the run only (iterations on the run's memory).
if (minutes > 0) await recording();
