// The merged allure-results folder of a nightly: every counted result with its bench and charger as labels, the
// bench first in the Suites tree and as the Timeline's host, and a historyId that includes the bench (two benches
// running the same test are two tests with their own history, not retries of one). A re-run's counted result
// says on its page which verdicts it supersedes. Containers and attachments are copied as they are.

import { copyFileSync, constants, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../drivers/core/errors.ts';
import type { AllureResultFile, CountedTest, MergedRun, ResultOfRun } from './merge-runs.ts';
import { chargerName } from './report-identity.ts';

/** Written fresh for the merged report (not copied from a run). */
const OWN_FILES = new Set(['environment.properties', 'executor.json', 'categories.json']);
const SUITE_LABELS = ['parentSuite', 'suite', 'subSuite'];
export const RERUN_TAG = 're-run: latest verdict counts';

export function chargerOf(run: MergedRun): string {
  return chargerName(run.env) || `charger on bench ${run.bench}`;
}

export function writeMergedResults(resultsDir: string, runs: MergedRun[], tests: CountedTest[]): void {
  const kept = new Set<string>();
  for (const t of tests) {
    const r = benchResult(t);
    kept.add(r.uuid);
    writeFileSync(join(resultsDir, `${r.uuid}-result.json`), JSON.stringify(r));
  }
  for (const run of runs) {
    const dir = join(run.runDir, 'allure-results');
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      if (!f.isFile() || OWN_FILES.has(f.name) || f.name.endsWith('-result.json')) continue;
      if (f.name.endsWith('-container.json')) copyContainer(join(dir, f.name), join(resultsDir, f.name), kept);
      else copyOnce(join(dir, f.name), join(resultsDir, f.name));
    }
  }
  const categories = runs.map((r) => join(r.runDir, 'allure-results', 'categories.json')).find((f) => existsSync(f));
  if (categories) copyFileSync(categories, join(resultsDir, 'categories.json'));
}

/** Attachments are named by UUID: the same name twice means the same run was given twice under two paths. */
function copyOnce(from: string, to: string): void {
  try {
    copyFileSync(from, to, constants.COPYFILE_EXCL);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${from}: the same result file is in two of the merged runs`);
    throw e;
  }
}

/** A set-up / tear-down container keeps only the counted results as children; one for superseded results only is left out. */
function copyContainer(from: string, to: string, kept: Set<string>): void {
  const c = JSON.parse(readFileSync(from, 'utf8')) as { children?: string[] };
  const children = (c.children ?? []).filter((u) => kept.has(u));
  if (!children.length) return;
  writeFileSync(to, JSON.stringify({ ...c, children }));
}

function benchResult(t: CountedTest): AllureResultFile {
  const { run, result } = t.counted;
  const labels = result.labels ?? [];
  const suites = SUITE_LABELS.map((n) => labels.find((l) => l.name === n)?.value).filter((v): v is string => !!v);
  const charger = chargerOf(run);
  const rest = labels.filter((l) => !SUITE_LABELS.includes(l.name) && !['host', 'bench', 'charger'].includes(l.name));
  const merged: AllureResultFile = {
    ...result,
    historyId: `${t.bench}:${result.historyId ?? t.key}`,
    // Allure 2 tells tests apart by testCaseId and parameters (not historyId alone): the bench is the parameter
    // that makes one requirement on two benches two tests, each with its own history. Stable per bench.
    parameters: [
      ...((result.parameters as { name: string }[] | undefined) ?? []).filter((p) => p.name !== 'bench'),
      { name: 'bench', value: t.bench },
    ],
    labels: [
      ...rest,
      { name: 'parentSuite', value: `bench ${t.bench}` },
      ...(suites[0] ? [{ name: 'suite', value: suites[0] }] : []),
      ...(suites.length > 1 ? [{ name: 'subSuite', value: suites.slice(1).join(' › ') }] : []),
      { name: 'host', value: t.bench },
      { name: 'bench', value: t.bench },
      { name: 'charger', value: charger },
      { name: 'tag', value: `bench ${t.bench}` },
      { name: 'tag', value: `charger ${charger}` },
      ...(t.superseded.length ? [{ name: 'tag', value: RERUN_TAG }] : []),
    ],
  };
  if (!t.superseded.length) return merged;
  const note = rerunNote(t);
  merged.description = `${result.description ?? ''}\n\n${note}`.trim();
  if (result.descriptionHtml) merged.descriptionHtml = `${result.descriptionHtml}<p>${escapeHtml(note)}</p>`;
  return merged;
}

function verdictOf(r: ResultOfRun): string {
  return `run ${r.run.id}: ${r.result.status ?? 'unknown'}`;
}

/** What the test page says about a re-run: every verdict in run order, and which one counts. */
export function rerunNote(t: CountedTest): string {
  const all = [...t.superseded, t.counted].sort((a, b) => a.run.startedMs - b.run.startedMs);
  return (
    `Re-run on bench ${t.bench}: this test ran ${all.length} times in the merged runs (${all.map(verdictOf).join('; ')}). ` +
    `The latest verdict counts (run ${t.counted.run.id}); the earlier results stay in their own run folders.`
  );
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
