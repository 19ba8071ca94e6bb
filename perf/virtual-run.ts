// One `mcs-hil run` of the emulator suites in its own process, for the perf scripts that compare runs
// (perf/virtual.ts, perf/virtual-repeat.ts): its wall and CPU time, the bench time it covered, its exit code,
// the verdict and duration of every test, the host's load while it ran, and its timeline's hash (virtual-time
// runs must give the same bytes every time).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
  /** Wall seconds of each test's body (JUnit time: without the per-test hooks), by full title. */
  testWallS: Map<string, number>;
  /** The host's 1-minute load average when the run started and when it ended. */
  load: [number, number];
}

/** Run the suites (all when undefined) on a bench file, in a fresh output folder under the system temp dir. */
export function runSuites(bench: string, suite?: string): SuiteRun {
  const out = mkdtempSync(join(tmpdir(), 'mcs-perf-virtual-'));
  const args = [CLI, 'run', '--bench', bench, '--out', out, '--quiet', ...(suite ? ['--suite', suite] : [])];
  const load0 = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const cpu0 = childrenCpuS();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuS = childrenCpuS() - cpu0;
  const load = [load0, loadavg()[0]] as [number, number];
  const runs = join(out, 'runs');
  if (!existsSync(runs)) {
    rmSync(out, { recursive: true, force: true });
    const how = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    throw new Error(`the run made no run folder (${how}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim().slice(-2000)}`);
  }
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
    testWallS: junitTimes(readFileSync(join(runDir, 'junit.xml'), 'utf8')),
    load,
  };
}

/** What a run costs before its first test: the process start, the modules, the bench file and the spec files (a selection that
 * matches nothing ends the run there, exit 2, before the bench opens). Wall and CPU seconds. */
export function startupCost(bench: string): { wallS: number; cpuS: number } {
  const out = mkdtempSync(join(tmpdir(), 'mcs-perf-startup-'));
  const args = [CLI, 'run', '--bench', bench, '--out', out, '--quiet', '--grep', '^no test is called this$'];
  const t0 = process.hrtime.bigint();
  const cpu0 = childrenCpuS();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuS = childrenCpuS() - cpu0;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 2) throw new Error(`a run that selects no test should end with exit 2, not ${r.status}: ${r.stderr}`);
  return { wallS, cpuS };
}

/** `classname name` → time of every JUnit testcase (mocha's JUnit names a test by its describe and its title). */
function junitTimes(xml: string): Map<string, number> {
  const times = new Map<string, number>();
  const attr = (tag: string, name: string) => {
    const v = new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
    return v
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&(quot|amp|lt|gt|apos);/g, (_, e: string) => ENTITIES[e]);
  };
  for (const m of xml.matchAll(/<testcase [^>]*>/g))
    times.set(`${attr(m[0], 'classname')} ${attr(m[0], 'name')}`, Number(attr(m[0], 'time')));
  return times;
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

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
