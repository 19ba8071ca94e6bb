// The runs the self-validation makes: real `mcs-hil run` processes, on the virtual-time emulator bench for
// everything it can judge, and on the real-socket emulator bench (veth pair, socketcand hub, real time)
// for the tests that need a real network (SDP over UDP multicast, raw TLS handshakes, SLAC's raw Ethernet
// frames on the CCS2 port), each such worker on its own veth pairs so parallel runs never meet.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksOfRun, type TestChecks } from '../../reports/run-checks.ts';
import { allureResults, CLI, label, onlyRunDir, ROOT, tmp, type AllureResult } from '../foundation/helpers.ts';

export interface RunOutcome {
  results: AllureResult[];
  /** Each test's recorded checks (measurements) and their outcomes. */
  checks: TestChecks[];
  stdout: string;
}

/** A bench file a run uses, with the environment it needs. */
export interface SelfValBench {
  file: string;
  env: Record<string, string>;
  /** The veth pairs this bench owns (real-socket benches only: the MCS link, the CCS2 PLC link): removed at the end. */
  vethPairs?: [string, string][];
}

export const VIRTUAL_BENCH: SelfValBench = {
  file: join(ROOT, process.env.MCS_HIL_SELFVAL_BENCH ?? 'benches/emulator-virtual.yaml'),
  env: {},
};
const REAL_BENCH = join(ROOT, process.env.MCS_HIL_SELFVAL_REAL_BENCH ?? 'benches/emulator.yaml');

/** A copy of the real-socket bench whose veth pairs and link-local addresses belong to worker k alone. */
export function realBenchForWorker(k: number, dir: string): SelfValBench {
  // The bench's pairs (MCS 10BASE-T1S link, CCS2 PLC link), each renamed for this worker.
  const renames: [string, string][][] = [
    [
      ['mcs-ev0', `mcs-sv${k}e`],
      ['mcs-evse0', `mcs-sv${k}c`],
    ],
    [
      ['plc-ev0', `plc-sv${k}e`],
      ['plc-evse0', `plc-sv${k}c`],
    ],
  ];
  let text = readFileSync(REAL_BENCH, 'utf8');
  for (const [from, to] of renames.flat()) text = text.replaceAll(new RegExp(`(?<![\\w-])${from}(?![\\w-])`, 'g'), to);
  const file = join(dir, `bench-worker-${k}.yaml`);
  writeFileSync(file, text);
  const vethPairs = renames.map(([[, ev], [, evse]]) => [ev, evse] as [string, string]);
  return { file, env: { MCS_EV_LL: `fe80::${k}:2`, MCS_EVSE_LL: `fe80::${k}:1` }, vethPairs };
}

export function removeVethPairs(bench: SelfValBench): void {
  for (const pair of bench.vethPairs ?? []) spawnSync('bash', [join(ROOT, 'scripts/veth-link.sh'), 'down', ...pair], { stdio: 'ignore' });
}

/** With MCS_HIL_SELFVAL_TIMES set, one line per run (wall seconds, bench, faults, tests): where its minutes go. */
function logRunTime(ms: number, bench: SelfValBench, suite: string, faults: string[], tests: number): void {
  const file = process.env.MCS_HIL_SELFVAL_TIMES;
  if (!file) return;
  const benchName = bench === VIRTUAL_BENCH ? 'virtual' : 'real';
  appendFileSync(file, `${(ms / 1000).toFixed(1)}\t${benchName}\t${faults.join(',') || 'baseline'}\t${tests} tests\t${suite}\n`);
}

/** One `mcs-hil run` (in its own process); resolves with its results even when it died early. */
export function runSuite(bench: SelfValBench, suite: string, faults: string[], out = tmp('mcs-sv-'), grep?: string): Promise<RunOutcome> {
  const args = [CLI, 'run', '--bench', bench.file, '--suite', suite, '--out', out];
  if (faults.length) args.push('--fault', faults.join(','));
  if (grep) args.push('--grep', grep);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...bench.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('exit', () => {
      let results: AllureResult[] = [];
      let checks: TestChecks[] = [];
      try {
        results = allureResults(onlyRunDir(out));
        checks = checksOfRun(onlyRunDir(out));
      } catch {
        /* the run died before writing results: the comparison shows it */
      }
      logRunTime(performance.now() - t0, bench, suite, faults, results.length);
      resolve({ results, checks, stdout });
    });
  });
}

export function idOf(r: AllureResult): string {
  return label(r, 'requirement') ?? r.testCaseId ?? r.name;
}

export function specFileOf(r: AllureResult): string {
  return /^mcs-hil:(\S+\.spec\.ts):/.exec((r as unknown as { fullName: string }).fullName)?.[1] ?? '?';
}

/** A grep that selects exactly these test titles. */
export function grepForTitles(titles: string[]): string {
  return `(?:${titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}

export function notPassed(results: AllureResult[]): string[] {
  return results
    .filter((r) => r.status !== 'passed' && r.status !== 'skipped')
    .map(idOf)
    .sort();
}

export function skipped(results: AllureResult[]): string[] {
  return results
    .filter((r) => r.status === 'skipped')
    .map(idOf)
    .sort();
}
