// `mcs-hil report --merge RUN…`: one Allure report over the runs of several benches (a lab's nightly: each bench's
// CI job runs `mcs-hil run` on its own bench file and uploads its run folder; a final job merges them). The merged
// results go to <reports>/merged/<key>/, the report to <reports>/html/<key>/ with the history of the previous merged
// report in the same reports folder; the key is stable for the same runs, so merging them again replaces its trend
// point instead of adding one. A merged reports folder is its own: its history is per bench and test.

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderReport, type GeneratedReport } from './generate.ts';
import { chargerOf, writeMergedResults } from './merge-results.ts';
import { countedTests, findRuns, isNotRun, type CountedTest, type MergedRun } from './merge-runs.ts';
import { writeEnvironment } from './report-identity.ts';
import { defaultOutDir } from './run-folders.ts';

export interface BenchTotals {
  bench: string;
  charger: string;
  /** The bench's runs in start order (folder names). */
  runs: string[];
  passed: number;
  failed: number;
  broken: number;
  skipped: number;
  notRun: number;
  total: number;
  /** Tests this bench ran more than once: their latest verdict counts. */
  reRun: number;
}

export interface MergedReport extends GeneratedReport {
  benches: BenchTotals[];
}

/** Where merged reports go unless --out says: beside the runs' default folder, apart from single-run reports. */
export function defaultMergeDir(): string {
  return join(defaultOutDir(), 'merged');
}

export async function mergeReport(opts: { runs: string[]; reportsDir?: string }): Promise<MergedReport> {
  const runs = findRuns(opts.runs);
  const tests = countedTests(runs);
  const reportsDir = resolve(opts.reportsDir ?? defaultMergeDir());
  const mergedDir = join(reportsDir, 'merged', mergeKey(runs));
  const results = join(mergedDir, 'allure-results');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });

  writeMergedResults(results, runs, tests);
  const benches = benchTotals(runs, tests);
  writeEnvironment(results, mergedEnvironment(runs, benches));
  writeFileSync(join(mergedDir, 'merge.json'), JSON.stringify({ runs: runs.map((r) => r.runDir), benches }, null, 2) + '\n');

  const title = `nightly: ${benches.length} bench${benches.length === 1 ? '' : 'es'} (${benches.map((b) => b.bench).join(', ')})`;
  return { ...renderReport({ runDir: mergedDir, reportsDir, title }), benches };
}

/** Newest run's stamp (reads well in html/) and a hash of every merged run (the same runs: the same key). */
function mergeKey(runs: MergedRun[]): string {
  const newest = [...runs].sort((a, b) => a.startedMs - b.startedMs).at(-1)!;
  const hash = createHash('sha256')
    .update(runs.map((r) => `${r.bench}/${r.id}`).join('\n'))
    .digest('hex')
    .slice(0, 10);
  return `${newest.id}-merge-${hash}`;
}

function benchTotals(runs: MergedRun[], tests: CountedTest[]): BenchTotals[] {
  const benches = [...new Set(runs.map((r) => r.bench))];
  return benches.map((bench) => {
    const own = tests.filter((t) => t.bench === bench);
    const status = (s: string) => own.filter((t) => t.counted.result.status === s).length;
    const notRun = own.filter((t) => isNotRun(t.counted.result)).length;
    const benchRuns = runs.filter((r) => r.bench === bench);
    return {
      bench,
      charger: chargerOf(benchRuns.at(-1)!),
      runs: benchRuns.map((r) => r.id),
      passed: status('passed'),
      failed: status('failed'),
      broken: status('broken'),
      skipped: status('skipped') - notRun,
      notRun,
      total: own.length,
      reRun: own.filter((t) => t.superseded.length > 0).length,
    };
  });
}

/** What a bench's run says about itself that a reviewer of the merged report needs, per bench. */
const PER_BENCH = /^(bench\.(file|clock|interlock)|charger\.(ratings|protocols)|limits\.(profile|sha256)|emulator\.|tls |deviation\.)/;
/** The harness that ran: one line when every run agrees, else one per bench. */
const SHARED = ['harness.version', 'harness.commit', 'node', 'platform'];

function mergedEnvironment(runs: MergedRun[], benches: BenchTotals[]): Record<string, string> {
  const env: Record<string, string> = { benches: benches.map((b) => b.bench).join(', ') };
  for (const b of benches) {
    const latest = runs.filter((r) => r.bench === b.bench).at(-1)!;
    env[`${b.bench}: charger`] = b.charger;
    env[`${b.bench}: runs`] =
      b.runs.join(', ') + (b.runs.length > 1 ? ` (re-run: the latest verdict per test counts; ${b.reRun} tests ran again)` : '');
    for (const [k, v] of Object.entries(latest.env)) if (PER_BENCH.test(k)) env[`${b.bench}: ${k}`] = v;
  }
  for (const k of SHARED) {
    const values = new Set(runs.map((r) => r.env[k] ?? 'unknown'));
    if (values.size === 1) env[k] = [...values][0];
    else for (const r of runs) env[`${r.bench}: ${k} (run ${r.id})`] = r.env[k] ?? 'unknown';
  }
  return env;
}
