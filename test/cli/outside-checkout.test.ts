// mcs-hil used as a linked command outside the checkout: a bundled bench is found, the output defaults to
// ./mcs-hil-reports where it is started; inside the checkout run outputs stay git-ignored; and
// `npx mocha FILE` runs that file alone and leaves no temporary folder behind.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT, TempDirs } from './cli.ts';

describe('mcs-hil outside the checkout', function () {
  const tmp = new TempDirs();
  after(() => tmp.removeAll());

  it('runs a bundled bench from another folder and writes into ./mcs-hil-reports there', function () {
    const cwd = tmp.make('mcs-cli-linked-');
    const args = [
      'run',
      '--bench',
      'test/fixtures/benches/minimal.yaml',
      '--suite',
      'test/fixtures/suites/evidence.spec.ts',
      '--id',
      'FIX-PASS-001',
    ];
    const r = cli(args, { cwd });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('using the bundled');
    const runs = readdirSync(join(cwd, 'mcs-hil-reports', 'runs'));
    expect(runs).to.have.length(1);
    expect(JSON.parse(readFileSync(join(cwd, 'mcs-hil-reports', 'runs', runs[0], 'summary.json'), 'utf8')).exitCode).to.equal(0);
  });

  it('run outputs in the checkout are git-ignored and none is tracked (out/latest included)', function () {
    const git = (...a: string[]) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' });
    if (git('rev-parse', '--git-dir').status !== 0) this.skip(); // an unpacked package has no git
    for (const p of ['out/latest', 'out/runs/x/summary.json', 'out/html/x/index.html'])
      expect(git('check-ignore', '-q', p).status, p).to.equal(0);
    expect(git('ls-files', 'out', 'reports/latest').stdout.trim()).to.equal('');
    expect(existsSync(join(ROOT, 'reports', 'latest'))).to.equal(false);
  });

  it('`npx mocha FILE` runs only that file, and the temporary folders its tests made are gone after it', function () {
    const mocha = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const note = join(tmp.make('mcs-cli-note-'), 'tmp-dir.txt');
    // A fresh mocha: its own temp root, not this process's (which is removed only when this mocha exits).
    const env = { ...process.env, MCS_HIL_TMP_NOTE: note, MCS_HIL_TEST_TMPDIR: '', TMPDIR: tmpdir() };
    const r = spawnSync(process.execPath, [mocha, '--reporter', 'json', 'test/cli/fixtures/alone.fixture.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env,
    });
    expect(r.status, r.stderr).to.equal(0);
    const made = readFileSync(note, 'utf8');
    expect(made).to.match(/mcs-hil-tests-.*mcs-alone-/);
    expect(existsSync(made), made).to.equal(false);
    const report = JSON.parse(r.stdout) as { stats: { tests: number }; tests: { fullTitle: string; file: string }[] };
    expect(report.stats.tests).to.equal(1);
    expect(report.tests[0].fullTitle).to.equal('the one named file runs alone');
  });
});
