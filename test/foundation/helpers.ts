// Shared helpers for the pipeline tests: run the real `mcs-hil` command and read what it wrote.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'mcs-hil.mjs');

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function mcsHil(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function mcsHilAsync(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function onlyRunDir(reportsDir: string): string {
  const runs = readdirSync(join(reportsDir, 'runs'));
  if (runs.length !== 1) throw new Error(`expected one run in ${reportsDir}, found ${runs.length}`);
  return join(reportsDir, 'runs', runs[0]);
}

/** What a fixture-suite run left: the command's exit status and output, and its run folder. */
export interface FixtureRun {
  status: number | null;
  stdout: string;
  stderr: string;
  runDir: string;
}

/**
 * `mcs-hil run` of a fixture suite on the minimal bench into a fresh output folder (`extra`: more arguments),
 * once before the tests of the describe that calls this; the returned record is filled then.
 */
export function runFixtureSuite(prefix: string, suite: string, extra: string[] = []): FixtureRun {
  const run: FixtureRun = { status: null, stdout: '', stderr: '', runDir: '' };
  before(function () {
    const out = tmp(prefix);
    Object.assign(run, mcsHil(['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', suite, '--out', out, ...extra]));
    run.runDir = onlyRunDir(out);
  });
  return run;
}

export interface AllureResult {
  name: string;
  status: string;
  statusDetails?: { message?: string };
  labels: { name: string; value: string }[];
  testCaseId?: string;
  steps: { name: string; status: string; parameters: { name: string; value: string }[]; attachments: { name: string; source: string }[] }[];
}

export function allureResults(runDir: string): AllureResult[] {
  const dir = join(runDir, 'allure-results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult);
}

export function label(r: AllureResult, name: string): string | undefined {
  return r.labels.find((l) => l.name === name)?.value;
}
