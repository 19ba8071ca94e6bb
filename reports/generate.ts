// `mcs-hil report`: render a run's allure-results into the HTML report and a single-file HTML with Allure 2
// (allure-commandline, Java), carrying the history of the previous report in the same reports folder so
// nightly trends build up.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchFault, UsageError } from '../drivers/core/errors.ts';
import { DEFAULT_OUT_DIR, latestRunDir } from './run-folders.ts';

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
  singleFile: string;
  stats: ReportStats;
}

/** Java is what allure-commandline needs; say clearly when it is missing. */
export function javaVersion(): string | undefined {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stderr || r.stdout).split('\n')[0].trim();
}

export async function generateReport(opts: { runDir?: string; reportsDir?: string }): Promise<GeneratedReport> {
  const reportsDir = resolve(opts.reportsDir ?? DEFAULT_OUT_DIR);
  const runDir = opts.runDir ? resolve(opts.runDir) : latestRunDir(reportsDir);
  if (!runDir) throw new UsageError(`no run found under ${reportsDir}/runs (run \`mcs-hil run\` first)`);
  const results = join(runDir, 'allure-results');
  if (!existsSync(results)) throw new UsageError(`${runDir} has no allure-results folder: is it a run folder?`);
  if (!javaVersion()) throw new BenchFault('Java is not installed, and Allure 2 report generation needs it: apt-get install -y default-jre-headless (or any Java ≥ 8)');
  if (!existsSync(ALLURE_BIN)) throw new BenchFault(`allure-commandline is missing (${ALLURE_BIN}): run npm ci`);

  // History of the previous report goes into this run's results so the trend widgets carry on.
  const historyDir = join(reportsDir, 'history');
  if (existsSync(historyDir)) cpSync(historyDir, join(results, 'history'), { recursive: true });

  const name = basename(runDir);
  const htmlDir = join(reportsDir, 'html', name);
  const singleDir = join(reportsDir, 'html', `${name}-single`);
  allure(['generate', results, '-o', htmlDir, '--clean']);
  allure(['generate', results, '-o', singleDir, '--clean', '--single-file']);
  const singleFile = join(reportsDir, 'html', `${name}.html`);
  renameSync(join(singleDir, 'index.html'), singleFile);
  rmSync(singleDir, { recursive: true, force: true });

  // The new report's history becomes the base for the next one.
  if (existsSync(join(htmlDir, 'history'))) {
    rmSync(historyDir, { recursive: true, force: true });
    mkdirSync(historyDir, { recursive: true });
    cpSync(join(htmlDir, 'history'), historyDir, { recursive: true });
  }
  const latest = join(reportsDir, 'latest');
  try {
    unlinkSync(latest);
  } catch {
    /* first report */
  }
  symlinkSync(relative(reportsDir, htmlDir), latest); // relative: the folder can move
  return { runDir, htmlDir, singleFile, stats: readStats(htmlDir) };
}

function allure(args: string[]): void {
  try {
    execFileSync(ALLURE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ALLURE_NO_ANALYTICS: 'true' } });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new BenchFault(`allure ${args[0]} failed: ${(err.stderr?.toString() || err.stdout?.toString() || err.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

export function readStats(htmlDir: string): ReportStats {
  const summary = JSON.parse(readFileSync(join(htmlDir, 'widgets', 'summary.json'), 'utf8')) as { statistic: Partial<ReportStats> };
  const s = summary.statistic;
  return { passed: s.passed ?? 0, failed: s.failed ?? 0, broken: s.broken ?? 0, skipped: s.skipped ?? 0, total: s.total ?? 0 };
}
