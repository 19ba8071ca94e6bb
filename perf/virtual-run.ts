// One `mcs-hil run` of the emulator suites in its own process, for the perf scripts that compare runs
// (perf/virtual.ts, perf/virtual-repeat.ts): its wall time, the bench time it covered, its exit code, the
// verdict of every test, and its timeline's hash (virtual-time runs must give the same bytes every time).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'mcs-hil.mjs');

export interface SuiteRun {
  wallS: number;
  /** CPU seconds the run's process used (all its threads): what its wall time would be on an idle host, about. */
  cpuS: number;
  /** Bench-clock seconds from the first to the last timeline event. */
  clockS: number;
  exitCode: number | null;
  /** `state title` of every test, sorted. */
  verdicts: string[];
  /** Titles of the tests that neither passed nor were skipped. */
  notPassed: string[];
  timelineSha: string;
  /** The run folder (timeline.jsonl, summary.json, allure-results). */
  runDir: string;
}

/** Run the suites (all when undefined) on a bench file, in a fresh output folder under the system temp dir. */
export function runSuites(bench: string, suite?: string): SuiteRun {
  const out = mkdtempSync(join(tmpdir(), 'mcs-perf-virtual-'));
  const args = [CLI, 'run', '--bench', bench, '--out', out, '--quiet', ...(suite ? ['--suite', suite] : [])];
  const t0 = process.hrtime.bigint();
  const cpu0 = childrenCpuS();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuS = childrenCpuS() - cpu0;
  const runs = join(out, 'runs');
  const runDir = join(runs, readdirSync(runs)[0]);
  const timeline = readFileSync(join(runDir, 'timeline.jsonl'));
  const text = timeline.toString('latin1');
  const first = text.slice(0, text.indexOf('\n'));
  const last = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
  const stamp = (l: string) => (JSON.parse(l) as { t: number }).t;
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { tests: { title: string; state: string }[] };
  return {
    wallS,
    cpuS,
    clockS: (stamp(last) - stamp(first)) / 1e9,
    exitCode: r.status,
    verdicts: summary.tests.map((t) => `${t.state} ${t.title}`).sort(),
    notPassed: summary.tests.filter((t) => t.state !== 'passed' && t.state !== 'skipped').map((t) => `${t.state} ${t.title}`),
    timelineSha: createHash('sha256').update(text).digest('hex'),
    runDir,
  };
}

/** The first line where two timelines differ (1-based), with both versions; undefined when they are identical. */
export function firstDifference(a: string, b: string): { line: number; a: string; b: string } | undefined {
  const la = readFileSync(join(a, 'timeline.jsonl'), 'utf8').split('\n');
  const lb = readFileSync(join(b, 'timeline.jsonl'), 'utf8').split('\n');
  for (let k = 0; k < Math.max(la.length, lb.length); k++)
    if (la[k] !== lb[k]) return { line: k + 1, a: la[k] ?? '(end)', b: lb[k] ?? '(end)' };
  return undefined;
}

/** User + system CPU seconds of this process's waited-for children (Linux /proc; NaN elsewhere), in 1/100 s ticks. */
function childrenCpuS(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (fields 16 and 17 of proc(5))
  } catch {
    return Number.NaN;
  }
}
