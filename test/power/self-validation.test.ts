// Self-validation of the ramp and safety suites: with no fault every test passes; with each power fault
// switch on, exactly the test cases it names fail, each with its Allure category. One child process per
// run (test/power/run-power-suites.ts on the in-process power bench), a few at a time.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POWER_FAULTS } from '../../benches/emulator/power/faults.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const PARALLEL = 5;

interface Outcome {
  id: string;
  status: string;
  message: string;
}

const SCPI_BENCH = 'scpi-bench';

function runOnce(fault: string | undefined): Promise<{ outcomes: Outcome[]; log: string }> {
  const out = mkdtempSync(join(tmpdir(), 'mcs-power-sv-'));
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', 'test/power/run-power-suites.ts', '--out', out];
    if (fault === SCPI_BENCH) args.push('--bench', 'test/power/fixtures/mcs-power-scpi.yaml');
    else if (fault) args.push('--fault', fault);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    child.on('close', () => {
      const outcomes: Outcome[] = [];
      try {
        const runs = join(out, 'runs');
        for (const run of readdirSync(runs)) {
          const dir = join(runs, run, 'allure-results');
          for (const f of readdirSync(dir).filter((x) => x.endsWith('-result.json'))) {
            const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
            outcomes.push({ id: r.testCaseId, status: r.status, message: r.statusDetails?.message ?? '' });
          }
        }
      } catch {
        /* no results: the log says why */
      }
      rmSync(out, { recursive: true, force: true });
      resolve({ outcomes, log });
    });
  });
}

async function pool<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        out[k] = await fn(items[k]);
      }
    }),
  );
  return out;
}

describe('power fault switches: each makes exactly its ramp/safety tests fail, in its category', function () {
  this.timeout(30 * 60_000);
  const results = new Map<string, { outcomes: Outcome[]; log: string }>();

  before(async function () {
    const runs = [undefined, ...POWER_FAULTS.map((f) => f.name)];
    const done = await pool(runs, PARALLEL, runOnce);
    runs.forEach((f, k) => results.set(f ?? '(none)', done[k]));
    // alone: its SCPI server shares the event loop of a clock scaled x10
    results.set(SCPI_BENCH, await runOnce(SCPI_BENCH));
  });

  it('with no fault every ramp and safety test passes', function () {
    const r = results.get('(none)')!;
    expect(r.outcomes.length, r.log.slice(-2000)).to.equal(12);
    expect(r.outcomes.filter((o) => o.status !== 'passed').map((o) => `${o.id}: ${o.message}`)).to.deep.equal([]);
  });

  it('a bench file with the SCPI battery emulator (the emulated RP7900 on loopback) runs the same tests and passes', function () {
    const r = results.get(SCPI_BENCH)!;
    expect(r.outcomes.length, r.log.slice(-2000)).to.equal(12);
    const notPassed = r.outcomes.filter((o) => o.status !== 'passed').map((o) => `${o.id} ${o.status}`);
    // no insulation fault box behind an SCPI battery emulator: that one test is skipped, with the reason attached
    expect(notPassed, r.log.slice(-3000)).to.deep.equal(['MCS-SAFE-ISO-001 skipped']);
  });

  for (const fault of POWER_FAULTS) {
    it(`${fault.name} → ${fault.catches.join(', ')} (${fault.category})`, function () {
      const r = results.get(fault.name)!;
      expect(r.outcomes.length, r.log.slice(-2000)).to.equal(12);
      const failed = r.outcomes.filter((o) => o.status !== 'passed');
      expect(failed.map((o) => o.id).sort(), failed.map((o) => `${o.id} ${o.status}: ${o.message}`).join('\n')).to.deep.equal([...fault.catches].sort());
      for (const o of failed) {
        expect(o.status, o.message).to.equal('failed');
        expect(o.message.startsWith(`[${fault.category}]`), o.message).to.equal(true);
      }
    });
  }
});
