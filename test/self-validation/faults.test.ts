// Self-validation: the harness proves its own assertions. With no fault, every suite passes on the
// emulator bench, and every check it makes is named by some fault. Then, for every emulator fault switch,
// the tests that must catch it run with the switch on (selected by title in their spec files), and every
// one of them fails — with the expected Allure category, and with each check the fault names among their
// failed checks (a test skipped only under the fault hides a check: that fails the self-validation too).
//
// Runs are real `mcs-hil run` processes on the real emulator bench, time-scaled (MCS_HIL_SELFVAL_RATE,
// default 5; per suite MCS_HIL_SELFVAL_RATES, default gbt27930=1) and a few at a time
// (MCS_HIL_SELFVAL_JOBS, default 3), each on its own veth pair so their ISO 15118 links never meet. The
// GB/T suite runs in real time: its 100 ms reaction allowance is small against host latency multiplied by the
// clock rate, and a timing step inside the harness's own uncertainty is inconclusive (broken), not judged.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultCatalogue } from '../../emulator/faults.ts';
import { checkNameMatches, faultsNaming, type FaultSwitch } from '../../emulator/fault-catalogue.ts';
import { VIOLATION_TAG } from '../../reports/evidence.ts';
import { checkNames, checksOfRun, type TestChecks } from '../../reports/run-checks.ts';
import { allureResults, CLI, label, mcsHil, onlyRunDir, ROOT, tmp, type AllureResult } from '../foundation/helpers.ts';

const BENCH = join(ROOT, process.env.MCS_HIL_SELFVAL_BENCH ?? 'benches/emulator.yaml');
const RATE = process.env.MCS_HIL_SELFVAL_RATE ?? '5';
const RATES = new Map(
  (process.env.MCS_HIL_SELFVAL_RATES ?? 'gbt27930=1')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
/** The clock rate a suite runs at in the self-validation. */
const rateOf = (suite: string): string => RATES.get(suite) ?? RATE;
const JOBS = Number(process.env.MCS_HIL_SELFVAL_JOBS ?? 3);
/** Where the baseline run goes (scripts/test.sh reports on it); a temporary folder otherwise. */
const BASELINE_OUT = process.env.MCS_HIL_SELFVAL_OUT;
/** `MCS_HIL_SELFVAL_ONLY=ramp-too-slow,overshoot` checks a few switches while developing. */
const ONLY = process.env.MCS_HIL_SELFVAL_ONLY?.split(',').filter(Boolean);

const CATEGORY_TAG: Record<FaultSwitch['category'], string | undefined> = {
  'protocol violation': VIOLATION_TAG.protocol,
  'timing violation': VIOLATION_TAG.timing,
  'current-control violation': VIOLATION_TAG['current-control'],
  'safety violation': VIOLATION_TAG.safety,
  'bench fault': undefined,
};

interface RunOutcome {
  results: AllureResult[];
  /** Each test's recorded checks (measurements) and their outcomes. */
  checks: TestChecks[];
  stdout: string;
}

/** A copy of the bench whose veth pair and link-local addresses belong to worker k alone. */
function benchForWorker(k: number, dir: string): { file: string; env: Record<string, string>; ifaces: [string, string] } {
  const ifaces: [string, string] = [`mcs-sv${k}e`, `mcs-sv${k}c`];
  const text = readFileSync(BENCH, 'utf8').replaceAll('mcs-ev0', ifaces[0]).replaceAll('mcs-evse0', ifaces[1]);
  const file = join(dir, `bench-worker-${k}.yaml`);
  writeFileSync(file, text);
  return { file, env: { MCS_EV_LL: `fe80::${k}:2`, MCS_EVSE_LL: `fe80::${k}:1` }, ifaces };
}

function runSuite(
  bench: { file: string; env: Record<string, string> },
  suite: string,
  faults: string[],
  rate: string,
  out = tmp('mcs-sv-'),
  grep?: string,
): Promise<RunOutcome> {
  const args = [
    CLI,
    'run',
    '--bench',
    bench.file,
    '--suite',
    suite,
    '--clock-rate',
    rate,
    '--out',
    out,
    ...(faults.length ? ['--fault', faults.join(',')] : []),
    ...(grep ? ['--grep', grep] : []),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...bench.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('exit', () => {
      let results: AllureResult[] = [];
      let checks: TestChecks[] = [];
      try {
        results = allureResults(onlyRunDir(out));
        checks = checksOfRun(onlyRunDir(out));
      } catch {
        /* the run died before writing results: the comparison below shows it */
      }
      resolve({ results, checks, stdout });
    });
  });
}

function idOf(r: AllureResult): string {
  return label(r, 'requirement') ?? r.testCaseId ?? r.name;
}

function specFileOf(r: AllureResult): string {
  return /^mcs-hil:(\S+\.spec\.ts):/.exec((r as unknown as { fullName: string }).fullName)?.[1] ?? '?';
}

function notPassed(results: AllureResult[]): string[] {
  return results
    .filter((r) => r.status !== 'passed' && r.status !== 'skipped')
    .map(idOf)
    .sort();
}

function skipped(results: AllureResult[]): string[] {
  return results
    .filter((r) => r.status === 'skipped')
    .map(idOf)
    .sort();
}

/** The fault's check patterns that match no failed check of its catching tests. */
function unprovenChecks(fault: FaultSwitch, tests: TestChecks[]): string[] {
  const failed = tests
    .filter((t) => fault.catches.includes(t.id))
    .flatMap((t) => t.checks.filter((c) => c.outcome === 'FAIL').map((c) => c.name));
  return fault.checks.filter((p) => !failed.some((name) => checkNameMatches(p, name)));
}

/** Catching tests none of whose failed checks the fault names (caught, but not by a check it claims). */
function caughtByOtherChecks(fault: FaultSwitch, tests: TestChecks[]): string[] {
  return tests
    .filter((t) => fault.catches.includes(t.id) && categoryOf(fault, t.id) !== 'bench fault')
    .filter((t) => !t.checks.some((c) => c.outcome === 'FAIL' && fault.checks.some((p) => checkNameMatches(p, c.name))))
    .map(
      (t) =>
        `${t.id} (failed checks: ${
          t.checks
            .filter((c) => c.outcome === 'FAIL')
            .map((c) => c.name)
            .join('; ') || 'none'
        })`,
    );
}

describe('self-validation: every fault switch is caught by exactly its tests', function () {
  const catalogue = faultCatalogue().filter((f) => !ONLY || ONLY.includes(f.name));
  const outcomes = new Map<string, RunOutcome & { files: string[] }>();
  let baseline: RunOutcome;
  const fileOfTest = new Map<string, string>();
  const titleOfTest = new Map<string, string>();
  const workers: ReturnType<typeof benchForWorker>[] = [];

  before(async function () {
    this.timeout(0);
    const dir = tmp('mcs-sv-benches-');
    for (let k = 0; k < Math.max(1, JOBS); k++) workers.push(benchForWorker(k + 1, dir));
    // The baseline: one run per clock rate, side by side on their own workers (their folders under
    // BASELINE_OUT are what scripts/test.sh reports on).
    const groups = new Map<string, string[]>();
    for (const suite of faultSuites(catalogue)) groups.set(rateOf(suite), [...(groups.get(rateOf(suite)) ?? []), suite]);
    const runs = await Promise.all(
      [...groups].map(([rate, suites], k) =>
        runSuite(workers[k % workers.length], suites.join(','), [], rate, BASELINE_OUT ? join(BASELINE_OUT, `rate-${rate}`) : undefined),
      ),
    );
    baseline = { results: runs.flatMap((r) => r.results), checks: runs.flatMap((r) => r.checks), stdout: runs.map((r) => r.stdout).join('\n') };
    for (const r of baseline.results) fileOfTest.set(idOf(r), specFileOf(r));
    for (const r of baseline.results) titleOfTest.set(idOf(r), r.name);

    const queue = catalogue.map((f) => ({ f, files: [...new Set(f.catches.map((id) => fileOfTest.get(id) ?? `(no test ${id})`))].sort() }));
    await Promise.all(
      workers.map(async (bench) => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          if (job.files.some((f) => f.startsWith('(no test'))) {
            const stdout = `catching test(s) missing from the suites: ${job.files.join(', ')}`;
            outcomes.set(job.f.name, { results: [], checks: [], stdout, files: job.files });
            continue;
          }
          // Only the catching tests run under the fault (their spec files, their titles): every other test of
          // those files passed in the baseline, and CI time is spent where the proof is.
          const titles = job.f.catches.map((id) => titleOfTest.get(id)!).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
          const grep = `(?:${titles.join('|')})$`;
          const o = await runSuite(bench, job.files.join(','), [job.f.name], rateOf(job.f.suite), undefined, grep);
          outcomes.set(job.f.name, { ...o, files: job.files });
        }
      }),
    );
  });

  after(function () {
    for (const w of workers) spawnSync('bash', [join(ROOT, 'scripts/veth-link.sh'), 'down', ...w.ifaces], { stdio: 'ignore' });
  });

  it('the catalogue is consistent: kebab-case names, a suite, at least one catching test, the checks it must fail', function () {
    for (const f of faultCatalogue()) {
      expect(f.name, f.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.catches.length, `${f.name} catches nothing`).to.be.greaterThan(0);
      expect(f.suite, f.name).to.be.a('string').and.not.empty;
      // A bench fault breaks its tests before any verdict; every other fault is proven by named checks.
      if (f.category !== 'bench fault') expect(f.checks.length, `${f.name} names no check`).to.be.greaterThan(0);
      for (const p of f.checks) expect(p.trim(), `${f.name}: empty check name`).to.not.equal('');
    }
  });

  it('`mcs-hil faults` lists every switch after a header line, with the tests and checks that catch it; --json too', function () {
    const r = mcsHil(['faults']);
    expect(r.status).to.equal(0);
    const [header, ...lines] = r.stdout.trim().split('\n');
    expect(header).to.match(/^fault\t/);
    expect(lines.length).to.equal(faultCatalogue().length);
    for (const f of faultCatalogue()) {
      const line = lines.find((l) => l.startsWith(`${f.name}\t`));
      expect(line, f.name).to.contain(f.catches[0]);
      if (f.checks.length) expect(line, f.name).to.contain(f.checks[0]);
    }
    const json = JSON.parse(mcsHil(['faults', '--json']).stdout) as FaultSwitch[];
    expect(json.map((f) => f.name)).to.deep.equal(faultCatalogue().map((f) => f.name));
  });

  it('with no fault switched on, every suite passes on the emulator bench', function () {
    expect(baseline.results.length, baseline.stdout.slice(-3000)).to.be.greaterThan(0);
    expect(notPassed(baseline.results), baseline.stdout.slice(-3000)).to.deep.equal([]);
  });

  it('every check the baseline made is named by a fault', function () {
    const names = checkNames(baseline.checks);
    expect(names.length, baseline.stdout.slice(-3000)).to.be.greaterThan(0);
    const unnamed = names.filter((n) => faultsNaming(faultCatalogue(), n).length === 0);
    expect(unnamed, 'checks no fault proves (mcs-hil faults --unproven)').to.deep.equal([]);
  });

  for (const fault of catalogue) {
    it(`${fault.name}: fails exactly ${fault.catches.join(', ')} as ${fault.category}`, function () {
      const o = outcomes.get(fault.name)!;
      expect(o.results.length, o.stdout.slice(-3000)).to.be.greaterThan(0);
      expect(notPassed(o.results), `spec files ${o.files.join(', ')}\n${o.stdout.slice(-3000)}`).to.deep.equal([...fault.catches].sort());
      const skippedBefore = new Set(skipped(baseline.results));
      const newlySkipped = skipped(o.results).filter((id) => !skippedBefore.has(id));
      expect(newlySkipped, 'tests skipped only under the fault (their checks went unseen)').to.deep.equal([]);
      expect(unprovenChecks(fault, o.checks), 'named checks that did not fail').to.deep.equal([]);
      expect(caughtByOtherChecks(fault, o.checks), 'tests failed by checks the fault does not name').to.deep.equal([]);
      for (const id of fault.catches) {
        const r = o.results.find((x) => idOf(x) === id)!;
        const tag = CATEGORY_TAG[categoryOf(fault, id)];
        if (tag === undefined) expect(r.status, `${id} should be broken`).to.equal('broken');
        else {
          expect(r.status, `${id} should be failed, not broken: ${r.statusDetails?.message}`).to.equal('failed');
          expect(r.statusDetails?.message ?? '', id).to.satisfy((m: string) => m.startsWith(tag));
        }
      }
    });
  }
});

/** The category one catching test must end in: its own entry in `outcomes`, else the fault's. */
function categoryOf(fault: FaultSwitch, id: string): FaultSwitch['category'] {
  return fault.outcomes?.[id] ?? fault.category;
}

/** The suites the catalogue's faults belong to, for the baseline run. */
function faultSuites(faults: FaultSwitch[]): string[] {
  return [...new Set(faults.map((f) => f.suite))];
}
