// Which runs a nightly merge reads, which bench each came from, and which result counts for each test on each
// bench: a bench that ran a test more than once (a re-run) counts its latest verdict. "Latest" is the run's
// start on the wall clock (its folder's time stamp), not the results' own stamps: a virtual-clock run's
// stamps can lie ahead of a later run's.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../drivers/core/errors.ts';
import { readEnvironment } from './report-identity.ts';

export interface MergedRun {
  runDir: string;
  /** The run folder's name (its time stamp): how the report names the run. */
  id: string;
  bench: string;
  env: Record<string, string>;
  /** Wall-clock start (ms): orders re-runs of one bench. */
  startedMs: number;
}

export interface AllureResultFile {
  uuid: string;
  name?: string;
  fullName?: string;
  historyId?: string;
  testCaseId?: string;
  status?: string;
  statusDetails?: { message?: string };
  description?: string;
  descriptionHtml?: string;
  labels?: { name: string; value: string }[];
  start?: number;
  [more: string]: unknown;
}

export interface ResultOfRun {
  run: MergedRun;
  file: string;
  result: AllureResultFile;
}

/** One test on one bench: the result that counts, and the earlier ones it supersedes (oldest first). */
export interface CountedTest {
  bench: string;
  key: string;
  counted: ResultOfRun;
  superseded: ResultOfRun[];
}

/** Each argument is a run folder, or a folder holding run folders (a reports root, a CI artifacts folder). */
export function findRuns(paths: string[]): MergedRun[] {
  if (!paths.length) throw new UsageError('report --merge needs at least one run folder');
  const seen = new Set<string>();
  const runs: MergedRun[] = [];
  for (const p of paths) {
    const dir = resolve(p);
    if (!existsSync(dir)) throw new UsageError(`${p}: no such run folder`);
    const found = runFoldersUnder(dir, 3);
    if (!found.length) throw new UsageError(`${p}: neither a run folder (allure-results) nor a folder holding run folders`);
    for (const r of found) {
      const real = realpathSync(r);
      if (seen.has(real)) continue;
      seen.add(real);
      runs.push(describeRun(r));
    }
  }
  return runs.sort((a, b) => a.bench.localeCompare(b.bench) || a.startedMs - b.startedMs || a.id.localeCompare(b.id));
}

function runFoldersUnder(dir: string, depth: number): string[] {
  if (existsSync(join(dir, 'allure-results'))) return [dir];
  if (depth === 0 || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'html' && d.name !== 'history')
    .flatMap((d) => runFoldersUnder(join(dir, d.name), depth - 1));
}

/** A run folder's name is its start (runner/run-folders: ISO time with ':' and '.' as '-', maybe '-2'). */
const STAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/;

function describeRun(runDir: string): MergedRun {
  const results = join(runDir, 'allure-results');
  const env = readEnvironment(results);
  const bench = env['bench.name'];
  // A result without its bench cannot be put on the right bench: refuse rather than guess.
  if (!bench) throw new UsageError(`${runDir}: its allure-results have no environment.properties naming the bench (bench.name)`);
  const id = basename(runDir);
  const m = STAMP.exec(id);
  const startedMs = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : statSync(results).mtimeMs;
  return { runDir, id, bench, env, startedMs };
}

export function readResults(run: MergedRun): ResultOfRun[] {
  const dir = join(run.runDir, 'allure-results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .sort()
    .map((f) => {
      try {
        return { run, file: f, result: JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResultFile };
      } catch (e) {
        throw new UsageError(`${join(dir, f)}: not a readable Allure result (${(e as Error).message})`);
      }
    });
}

/** "not run" results (a stopped run's never-started tests) are no verdict: an earlier verdict still counts. */
export function isNotRun(r: AllureResultFile): boolean {
  return r.status === 'skipped' && (r.statusDetails?.message ?? '').startsWith('not run');
}

/** Per bench and test (Allure's historyId), the result that counts: the latest run's, unless that one is "not run". */
export function countedTests(runs: MergedRun[]): CountedTest[] {
  const byTest = new Map<string, ResultOfRun[]>();
  for (const run of runs)
    for (const r of readResults(run)) {
      const key = r.result.historyId ?? r.result.testCaseId ?? r.result.fullName ?? r.result.uuid;
      const k = `${run.bench}\u0000${key}`;
      byTest.set(k, [...(byTest.get(k) ?? []), r]);
    }
  const counted: CountedTest[] = [];
  for (const [k, all] of byTest) {
    // runs are in start order per bench; within one run, by the result's own start
    const ordered = [...all].sort((a, b) => a.run.startedMs - b.run.startedMs || (a.result.start ?? 0) - (b.result.start ?? 0));
    const verdicts = ordered.filter((r) => !isNotRun(r.result));
    const chosen = (verdicts.length ? verdicts : ordered).at(-1)!;
    const [bench, key] = k.split('\u0000');
    counted.push({ bench, key, counted: chosen, superseded: ordered.filter((r) => r !== chosen) });
  }
  return counted;
}
