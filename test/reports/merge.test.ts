// `mcs-hil report --merge`: three short GB/T runs on the virtual emulator bench — bench A, bench B (a variant of
// the bench file with its own name and charger), and a re-run on bench A with a fault that fails one test — merged
// into one report, read back from the files and in headless Chromium. Plus the merge's choices on hand-made
// result folders (no Allure, no runs): a "not run" is no verdict, bad input is a clear usage error.
import { expect } from 'chai';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkMergedReport, type MergedReportView } from '../../reports/merge-check.ts';
import { countedTests, findRuns } from '../../reports/merge-runs.ts';
import { mcsHil, mcsHilAsync, ROOT, tmp } from '../foundation/helpers.ts';

const SPEC = 'suites/gbt27930/sequence.spec.ts';

function runAsync(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const p = mcsHilAsync(args);
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdout.resume();
  return new Promise((res) => p.on('close', (status) => res({ status, stderr })));
}

/** Bench B: the emulator-virtual bench file under another name, with another charger identity. */
function benchVariant(dir: string): string {
  const text = readFileSync(join(ROOT, 'benches/emulator-virtual.yaml'), 'utf8')
    .replace(/^# yaml-language-server.*\n/m, '')
    .replace(/^name: emulator-virtual$/m, 'name: emulator-virtual-b')
    .replace('model: emulated MCS charger', 'model: emulated charger B')
    .replace('serial: EMU-0001', 'serial: EMU-0002');
  const file = join(dir, 'bench-b.yaml');
  writeFileSync(file, text);
  return file;
}

interface ResultFile {
  status: string;
  labels: { name: string; value: string }[];
  parameters: { name: string; value: string }[];
}

describe('report --merge: several benches, one report', function () {
  let dir: string;
  let stdout: string;
  let htmlDir: string;
  let view: MergedReportView;
  let runsA: string[];

  before(async function () {
    this.timeout(0); // three emulator runs, one merge (Allure twice) and Chromium: as long as the machine needs
    dir = tmp('mcs-merge-');
    const [a, b] = await Promise.all([
      runAsync(['run', '--bench', 'benches/emulator-virtual.yaml', '--suite', SPEC, '--out', join(dir, 'a'), '--quiet']),
      runAsync(['run', '--bench', benchVariant(dir), '--suite', SPEC, '--out', join(dir, 'b'), '--quiet']),
    ]);
    expect(a.status, a.stderr).to.equal(0);
    expect(b.status, b.stderr).to.equal(0);
    // The re-run on bench A, later: its one test fails, and the latest verdict is the one that counts.
    const again = ['run', '--bench', 'benches/emulator-virtual.yaml', '--suite', SPEC, '--grep', 'period', '--fault', 'chm-period-wrong'];
    const rerun = mcsHil([...again, '--out', join(dir, 'a'), '--quiet']);
    expect(rerun.status, rerun.stderr).to.equal(1);
    runsA = readdirSync(join(dir, 'a', 'runs')).sort();

    const r = mcsHil(['report', '--merge', join(dir, 'a'), join(dir, 'b', 'runs'), '--out', join(dir, 'nightly')]);
    expect(r.status, r.stderr).to.equal(0);
    stdout = r.stdout;
    htmlDir = /report: (.*)\/index\.html/.exec(stdout)![1];
    view = await checkMergedReport(htmlDir);
  });

  it('prints each bench with its charger and totals, the re-run, and the merged totals', function () {
    expect(stdout).to.contain('title: nightly: 2 benches (emulator-virtual, emulator-virtual-b)');
    expect(stdout).to.contain(
      'bench emulator-virtual (mcs-hil emulated MCS charger #EMU-0001): 1 passed, 1 failed' +
        ' — 2 runs, latest verdict counts for 1 re-run tests',
    );
    expect(stdout).to.contain('bench emulator-virtual-b (mcs-hil emulated charger B #EMU-0002): 2 passed, 0 failed\n');
    expect(stdout).to.contain('all benches: 4 tests, 3 passed, 1 failed');
  });

  it('each merged result carries its bench and charger as labels, and the bench as its parameter (own history)', function () {
    const results = join(htmlDir, '..', '..', 'merged', htmlDir.split('/').at(-1)!, 'allure-results');
    const files = readdirSync(results).filter((f) => f.endsWith('-result.json'));
    const all = files.map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')) as ResultFile);
    const label = (r: ResultFile, n: string) => r.labels.find((l) => l.name === n)?.value;
    expect(
      all.map((r) => `${label(r, 'bench')} | ${label(r, 'charger')} | ${r.parameters.find((p) => p.name === 'bench')?.value}`).sort(),
    ).to.deep.equal([
      'emulator-virtual | mcs-hil emulated MCS charger #EMU-0001 | emulator-virtual',
      'emulator-virtual | mcs-hil emulated MCS charger #EMU-0001 | emulator-virtual',
      'emulator-virtual-b | mcs-hil emulated charger B #EMU-0002 | emulator-virtual-b',
      'emulator-virtual-b | mcs-hil emulated charger B #EMU-0002 | emulator-virtual-b',
    ]);
    // The report's history: one entry per bench and test, so each bench's trend is its own.
    const history = JSON.parse(readFileSync(join(dir, 'nightly', 'history', 'history.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(history)).to.have.length(4);
  });

  it('shows the merged total, each bench as a group with its own counts, and both benches in the environment (Chromium)', function () {
    expect(view.totalShown).to.equal(4);
    expect(view.benchGroups).to.deep.equal([
      { name: 'bench emulator-virtual', counts: { failed: 1, passed: 1 } },
      { name: 'bench emulator-virtual-b', counts: { passed: 2 } },
    ]);
    expect(view.overviewText).to.contain('nightly: 2 benches (emulator-virtual, emulator-virtual-b)');
    expect(view.overviewText).to.contain('emulator-virtual: charger').and.contain('mcs-hil emulated MCS charger #EMU-0001');
    expect(view.overviewText).to.contain(`${runsA.join(', ')} (re-run: the latest verdict per test counts; 1 tests ran again)`);
  });

  it("the re-run test's page says which verdicts it supersedes and that the latest counts (Chromium)", function () {
    const text = view.rerunPageText;
    expect(text).to.contain(
      `Re-run on bench emulator-virtual: this test ran 2 times in the merged runs (run ${runsA[0]}: passed; run ${runsA[1]}: failed)`,
    );
    expect(text).to.contain(`The latest verdict counts (run ${runsA[1]})`);
    expect(text).to.contain('bench emulator-virtual').and.contain('charger mcs-hil emulated MCS charger #EMU-0001');
    expect(text).to.contain('bench: emulator-virtual');
  });
});

describe('report --merge: which result counts, and bad input', function () {
  /** A run folder by hand: its environment and one result per [historyId, status, message?]. */
  function fakeRun(root: string, stamp: string, bench: string, results: [string, string, string?][]): string {
    const runDir = join(root, 'runs', stamp);
    const res = join(runDir, 'allure-results');
    mkdirSync(res, { recursive: true });
    writeFileSync(join(res, 'environment.properties'), `bench.name=${bench}\n`);
    results.forEach(([historyId, status, message], i) => {
      const r = { uuid: `${stamp}-${i}`, historyId, status, statusDetails: message ? { message } : {}, labels: [] };
      writeFileSync(join(res, `${stamp}-${i}-result.json`), JSON.stringify(r));
    });
    return runDir;
  }

  it('a later "not run" is no verdict: the earlier verdict counts; a later verdict replaces an earlier one', function () {
    const root = tmp('mcs-merge-fake-');
    fakeRun(root, '2026-01-01T01-00-00-000Z', 'x', [
      ['T1', 'failed'],
      ['T2', 'passed'],
    ]);
    fakeRun(root, '2026-01-01T02-00-00-000Z', 'x', [
      ['T1', 'skipped', 'not run: the run was interrupted'],
      ['T2', 'broken'],
    ]);
    const counted = countedTests(findRuns([root]));
    const status = (k: string) => counted.find((t) => t.key === k)!.counted.result.status;
    expect(status('T1')).to.equal('failed');
    expect(status('T2')).to.equal('broken');
    expect(counted.every((t) => t.superseded.length === 1)).to.equal(true);
  });

  it('a missing folder, a folder without runs and a run without its bench are usage errors (exit 2)', function () {
    const root = tmp('mcs-merge-bad-');
    const noBench = join(root, 'nobench', 'allure-results');
    mkdirSync(noBench, { recursive: true });
    expect(() => findRuns([join(root, 'missing')])).to.throw(/no such run folder/);
    expect(() => findRuns([join(root, 'nobench', 'allure-results')])).to.throw(/neither a run folder/);
    expect(() => findRuns([join(root, 'nobench')])).to.throw(/no environment.properties naming the bench/);
    const r = mcsHil(['report', '--merge', join(root, 'missing')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/no such run folder/);
  });
});
