// Console progress: a line as each test starts and ends ([n/N], verdict, duration), a periodic line while a long
// test runs, --quiet for CI; a stopped run counts the tests it never started as "not run" on the console, in
// summary.json and in the report.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliAsync, TempDirs } from './cli.ts';

const EVIDENCE = ['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/evidence.spec.ts'];

describe('mcs-hil run: console progress', function () {
  const tmp = new TempDirs();
  after(() => tmp.removeAll());

  it('prints [n/N] as each test starts and ends, with its verdict and duration, then the totals', function () {
    const out = tmp.make('mcs-cli-progress-');
    const r = cli([...EVIDENCE, '--out', out]);
    expect(r.status).to.equal(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.include('[1/3] Evidence fixture passes a measurement …');
    expect(r.stdout).to.match(/^\[1\/3\] passed {2}Evidence fixture passes a measurement \(\d+\.\d s\)$/m);
    expect(r.stdout).to.match(
      /^\[2\/3\] FAILED {2}Evidence fixture fails a measurement \(\d+\.\d s\): \[current-control violation\] settle time/m,
    );
    expect(r.stdout).to.match(/^\[3\/3\] BROKEN {2}Evidence fixture meets a bench fault \(\d+\.\d s\): battery emulator did not answer$/m);
    expect(lines.at(-1)).to.equal('1 passed, 2 failed');
    const runs = readdirSync(join(out, 'runs'));
    expect(JSON.parse(readFileSync(join(out, 'runs', runs[0], 'summary.json'), 'utf8')).exitCode).to.equal(r.status);
  });

  it('--quiet prints only the tests that did not pass, and the totals', function () {
    const r = cli([...EVIDENCE, '--out', tmp.make('mcs-cli-quiet-'), '--quiet']);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.not.contain('passes a measurement');
    expect(r.stdout).to.not.contain('…');
    expect(r.stdout)
      .to.match(/^\[2\/3\] FAILED /m)
      .and.match(/^\[3\/3\] BROKEN /m);
    expect(r.stdout.trim().split('\n').at(-1)).to.equal('1 passed, 2 failed');
  });

  describe('a long test, then Ctrl-C', function () {
    let out: string;
    let stdout = '';
    let code: number | null;

    before(async function () {
      out = tmp.make('mcs-cli-long-');
      const marker = join(out, 'started');
      const args = ['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/interruptible.spec.ts'];
      const child = cliAsync([...args, '--out', out, '--progress-every', '0.2'], { env: { MCS_HIL_TEST_MARKER: marker } });
      // Interrupt once the periodic line has been printed (the fixture test waits two minutes of bench time).
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (/^\[1\/2\] {3}… [\d.]+ s: /m.test(stdout)) resolve();
        });
      });
      child.kill('SIGINT');
      code = await new Promise((r) => child.on('exit', (c) => r(c)));
      child.stdout.removeAllListeners('data');
    });

    it('says every interval that the test is still running, and for how long', function () {
      expect(stdout).to.match(/^\[1\/2\] Interruptible fixture runs until interrupted …$/m);
      expect(stdout).to.match(/^\[1\/2\] {3}… \d+\.\d s: no bench activity recorded yet$/m);
    });

    it('counts the test it never started as not run: console, summary.json, report', function () {
      expect(code).to.equal(130);
      expect(stdout.trim().split('\n').at(-1)).to.equal('0 passed, 1 failed, 1 not run');
      const runDir = join(out, 'runs', readdirSync(join(out, 'runs'))[0]);
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
      expect(summary).to.include({ exitCode: 130, total: 2, notRun: 1 });
      const results = readdirSync(join(runDir, 'allure-results'))
        .filter((f) => f.endsWith('-result.json'))
        .map((f) => JSON.parse(readFileSync(join(runDir, 'allure-results', f), 'utf8')));
      const notRun = results.find((r) => r.name === 'never starts after the interruption');
      expect(notRun.status).to.equal('skipped');
      expect(notRun.statusDetails.message).to.equal('not run: 1 of 2 tests did not run (interrupted by SIGINT)');
      expect(notRun.testCaseId).to.equal('FIX-AFTER-001');
    });
  });
});
