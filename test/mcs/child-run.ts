// One run of a suite in a child process (test/mcs/run-suite.ts) on a bench file, for the tests that compare
// whole runs: its verdicts (title, state, error) from the RESULT line, and the Allure results it wrote.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

export interface Verdict {
  title: string;
  state: string;
  error?: string;
}

export interface AllureResult {
  name: string;
  status: string;
  steps: Array<{ name: string }>;
}

export async function runSuiteChild(o: {
  bench: string;
  suite?: string;
  grep?: string;
}): Promise<{ verdicts: Verdict[]; results: AllureResult[] }> {
  const out = mkdtempSync(join(tmpdir(), 'mcs-child-run-'));
  const args = ['--import', 'tsx', join(here, 'run-suite.ts'), '--bench', o.bench, '--out', out];
  if (o.suite) args.push('--suite', o.suite);
  if (o.grep) args.push('--grep', o.grep);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`run-suite printed no RESULT (exit ${status}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  const runs = join(out, 'runs');
  const allure = join(runs, readdirSync(runs)[0], 'allure-results');
  const results = readdirSync(allure)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(allure, f), 'utf8')) as AllureResult);
  return { verdicts: JSON.parse(line.slice('RESULT '.length)) as Verdict[], results };
}
