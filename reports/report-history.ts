// The history a report carries forward (Allure's trend, retries and flaky markers), kept in the reports folder:
// history/ is the state after the newest reported run, history-before/ the state before it. Generating the
// report of that same run again starts from history-before/, so re-running `mcs-hil report` replaces its trend
// point instead of adding a duplicate.

import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ReportHistory {
  /** Where the history this report builds on lies (undefined: the first report here). */
  base?: string;
  /** How many builds the base history holds: this report's trend point is the next. */
  buildOrder: number;
}

const dirs = (reportsDir: string) => ({
  history: join(reportsDir, 'history'),
  before: join(reportsDir, 'history-before'),
  marker: join(reportsDir, 'history-run.txt'),
});

/** The history to build on for runDir, copied into its allure-results (replacing one a previous report left). */
export function prepareHistory(reportsDir: string, runDir: string, resultsDir: string): ReportHistory {
  const d = dirs(reportsDir);
  const again = lastRun(reportsDir) === basename(runDir);
  const base = again ? (existsSync(d.before) ? d.before : undefined) : existsSync(d.history) ? d.history : undefined;
  const target = join(resultsDir, 'history');
  rmSync(target, { recursive: true, force: true });
  if (base) cpSync(base, target, { recursive: true });
  return { base, buildOrder: trendLength(base) + 1 };
}

/** After generating: the report's history becomes history/ (the previous one history-before/, unless regenerated). */
export function keepHistory(reportsDir: string, runDir: string, htmlDir: string): void {
  const d = dirs(reportsDir);
  const generated = join(htmlDir, 'history');
  if (!existsSync(generated)) return;
  if (lastRun(reportsDir) !== basename(runDir)) {
    rmSync(d.before, { recursive: true, force: true });
    if (existsSync(d.history)) renameSync(d.history, d.before);
  }
  rmSync(d.history, { recursive: true, force: true });
  mkdirSync(d.history, { recursive: true });
  cpSync(generated, d.history, { recursive: true });
  writeFileSync(d.marker, basename(runDir) + '\n');
}

function lastRun(reportsDir: string): string | undefined {
  try {
    return readFileSync(dirs(reportsDir).marker, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function trendLength(historyDir: string | undefined): number {
  if (!historyDir) return 0;
  try {
    return (JSON.parse(readFileSync(join(historyDir, 'history-trend.json'), 'utf8')) as unknown[]).length;
  } catch {
    return 0;
  }
}
