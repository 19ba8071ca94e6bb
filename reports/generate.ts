// `mcs-hil report`: render a run's allure-results into the HTML report and a single-file HTML with Allure 2
// (allure-commandline, Java), carrying the history of the previous report in the same reports folder so
// nightly trends build up.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchFault, UsageError } from '../drivers/core/errors.ts';
import { keepHistory, prepareHistory } from './report-history.ts';
import { readEnvironment, reportName, writeExecutor } from './report-identity.ts';
import { defaultOutDir, latestRunDir, newestRunIfRoot } from './run-folders.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ALLURE_BIN = join(ROOT, 'node_modules', 'allure-commandline', 'dist', 'bin', 'allure');

export interface ReportStats {
  passed: number;
  failed: number;
  broken: number;
  skipped: number;
  total: number;
}

export interface GeneratedReport {
  runDir: string;
  htmlDir: string;
  /** The report's title: the charger and the bench. */
  name: string;
  singleFile: string;
  stats: ReportStats;
}

/** Java is what allure-commandline needs; say clearly when it is missing. */
export function javaVersion(): string | undefined {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stderr || r.stdout).split('\n')[0].trim();
}

/**
 * runDir: a run folder, or a reports root (its newest run); default: the newest run under reportsDir.
 * reportsDir: where html/ and history/ go; default: the reports root the run lies in, else the default output folder.
 */
export async function generateReport(opts: { runDir?: string; reportsDir?: string }): Promise<GeneratedReport> {
  const { runDir, reportsDir } = whichRun(opts);
  if (!runDir) throw new UsageError(`no run found under ${reportsDir}/runs (run \`mcs-hil run\` first)`);
  const results = join(runDir, 'allure-results');
  if (!existsSync(results)) throw new UsageError(`${runDir} has no allure-results folder: is it a run folder?`);
  return renderReport({ runDir, reportsDir, title: reportName(readEnvironment(results)) });
}

/** Render runDir/allure-results into reportsDir/html/<run> (+ a single file), carrying reportsDir's history on. */
export function renderReport({ runDir, reportsDir, title }: { runDir: string; reportsDir: string; title: string }): GeneratedReport {
  const results = join(runDir, 'allure-results');
  if (!javaVersion())
    throw new BenchFault(
      'Java is not installed, and Allure 2 report generation needs it: apt-get install -y default-jre-headless (or any Java ≥ 8)',
    );
  if (!existsSync(ALLURE_BIN)) throw new BenchFault(`allure-commandline is missing (${ALLURE_BIN}): run npm ci`);

  // History of the previous report goes into this run's results so the trend widgets carry on.
  const history = prepareHistory(reportsDir, runDir, results);
  writeExecutor(results, { runDir, name: title, buildOrder: history.buildOrder });

  const name = basename(runDir);
  const htmlDir = join(reportsDir, 'html', name);
  const singleDir = join(reportsDir, 'html', `${name}-single`);
  allure(['generate', results, '-o', htmlDir, '--clean', '--report-name', title]);
  allure(['generate', results, '-o', singleDir, '--clean', '--single-file', '--report-name', title]);
  const singleFile = join(reportsDir, 'html', `${name}.html`);
  renameSync(join(singleDir, 'index.html'), singleFile);
  rmSync(singleDir, { recursive: true, force: true });

  // The new report's history becomes the base for the next one.
  keepHistory(reportsDir, runDir, htmlDir);
  const latest = join(reportsDir, 'latest');
  try {
    unlinkSync(latest);
  } catch {
    /* first report */
  }
  symlinkSync(relative(reportsDir, htmlDir), latest); // relative: the folder can move
  return { runDir, htmlDir, name: title, singleFile, stats: readStats(htmlDir) };
}

function whichRun(opts: { runDir?: string; reportsDir?: string }): { runDir?: string; reportsDir: string } {
  const out = opts.reportsDir ? resolve(opts.reportsDir) : undefined;
  if (!opts.runDir) {
    const reportsDir = out ?? defaultOutDir();
    return { runDir: latestRunDir(reportsDir), reportsDir };
  }
  const given = resolve(opts.runDir);
  const newest = newestRunIfRoot(given);
  if (newest) return { runDir: newest, reportsDir: out ?? given };
  // A run folder inside a reports root (ROOT/runs/<run>): its report goes into that root.
  const inRoot = basename(dirname(given)) === 'runs' ? dirname(dirname(given)) : undefined;
  return { runDir: given, reportsDir: out ?? inRoot ?? defaultOutDir() };
}

function allure(args: string[]): void {
  try {
    execFileSync(ALLURE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ALLURE_NO_ANALYTICS: 'true' } });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new BenchFault(
      `allure ${args[0]} failed: ${(err.stderr?.toString() || err.stdout?.toString() || err.message).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

export function readStats(htmlDir: string): ReportStats {
  const summary = JSON.parse(readFileSync(join(htmlDir, 'widgets', 'summary.json'), 'utf8')) as { statistic: Partial<ReportStats> };
  const s = summary.statistic;
  return { passed: s.passed ?? 0, failed: s.failed ?? 0, broken: s.broken ?? 0, skipped: s.skipped ?? 0, total: s.total ?? 0 };
}
