// Self-validation: the harness proves its own assertions. With no fault, every suite passes on the
// emulator bench, and every check it makes is named by some fault. Then, for every emulator fault switch,
// the tests that must catch it run with the switch on (selected by title in their spec files), and every
// one of them fails — with the expected Allure category, and with each check the fault names among their
// failed checks (a test skipped only under the fault hides a check: that fails the self-validation too).
//
// Runs are real `mcs-hil run` processes, a few at a time (MCS_HIL_SELFVAL_JOBS virtual lanes, default 2, and one
// real-time lane). They use the virtual-time emulator bench (benches/emulator-virtual.yaml): verdicts there do not
// depend on host load, and a run takes seconds. The tests that bench cannot run (they need a real network: SDP, raw
// TLS handshakes, the CCS2 port's SLAC over raw Ethernet) run, with the faults they catch, on the real-socket
// emulator bench in real time; that baseline also repeats the MCS handshake and the GB/T sequence there, the smoke
// run of the real sockets.
import { expect } from 'chai';
import { join } from 'node:path';
import { faultCatalogue } from '../../emulator/faults.ts';
import { checkNameMatches, faultsNaming, type FaultSwitch } from '../../emulator/fault-catalogue.ts';
import { VIOLATION_TAG } from '../../reports/evidence.ts';
import { checkNames, type TestChecks } from '../../reports/run-checks.ts';
import { mcsHil, tmp } from '../foundation/helpers.ts';
import {
  grepForTitles,
  idOf,
  notPassed,
  realBenchForWorker,
  removeVethPairs,
  runSuite,
  skipped,
  specFileOf,
  VIRTUAL_BENCH,
} from './selfval-runs.ts';
import type { RunOutcome, SelfValBench } from './selfval-runs.ts';

const JOBS = Math.max(1, Number(process.env.MCS_HIL_SELFVAL_JOBS ?? 2));
/** Where the baseline runs go (scripts/test.sh reports on them): BASELINE_OUT/virtual and BASELINE_OUT/real. */
const BASELINE_OUT = process.env.MCS_HIL_SELFVAL_OUT;
/** `MCS_HIL_SELFVAL_ONLY=ramp-too-slow,overshoot` checks a few switches while developing. */
const ONLY = process.env.MCS_HIL_SELFVAL_ONLY?.split(',').filter(Boolean);
/** The real-socket smoke: these tests run in real time on the veth/hub bench too (besides those the virtual bench skips). */
const REAL_SMOKE = [
  'runs the whole DC/MCS sequence with OK answers, each request answered by its response',
  'runs handshake → recognition → configuration → charging in the standard order',
  // The CCS2 vehicle over the PLC veth pair: SLAC, SDP, IPv6 TCP, the -2 DC flow (response codes only: no timing judged).
  'ISO 15118-2: answers each request of the DC flow with OK, a new session with OK_NewSessionEstablished',
];

const CATEGORY_TAG: Record<FaultSwitch['category'], string | undefined> = {
  'protocol violation': VIOLATION_TAG.protocol,
  'timing violation': VIOLATION_TAG.timing,
  'current-control violation': VIOLATION_TAG['current-control'],
  'safety violation': VIOLATION_TAG.safety,
  'bench fault': undefined,
};

/** A small pool of workers: each takes the next job when it is free. */
async function inParallel<T>(jobs: (() => Promise<T>)[], workers: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, jobs.length) }, async () => {
      for (let i = next++; i < jobs.length; i = next++) out[i] = await jobs[i]();
    }),
  );
  return out;
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
  const outcomes = new Map<string, RunOutcome & { files: string[]; onRealBench: boolean }>();
  /** Every test on the virtual bench; the tests it cannot run (and the smoke) on the real-socket bench. */
  let virtualBaseline: RunOutcome;
  let realBaseline: RunOutcome;
  const fileOfTest = new Map<string, string>();
  const titleOfTest = new Map<string, string>();
  const realBenches: SelfValBench[] = [];
  /** The tests the real-socket baseline must run: those the virtual bench skipped, and the smoke of the suites chosen. */
  let realTitles: string[] = [];

  before(async function () {
    this.timeout(0);
    const dir = tmp('mcs-sv-benches-');
    const realBench = () => realBenches[realBenches.push(realBenchForWorker(realBenches.length + 1, dir)) - 1];
    const suites = [...new Set(catalogue.map((f) => f.suite))].join(',');
    virtualBaseline = await runSuite(VIRTUAL_BENCH, suites, [], BASELINE_OUT ? join(BASELINE_OUT, 'virtual') : undefined);
    for (const r of virtualBaseline.results) fileOfTest.set(idOf(r), specFileOf(r));
    for (const r of virtualBaseline.results) titleOfTest.set(idOf(r), r.name);
    const needsNetwork = new Set(skipped(virtualBaseline.results));
    const smoke = REAL_SMOKE.filter((title) => virtualBaseline.results.some((r) => r.name === title));
    realTitles = [...new Set([...[...needsNetwork].map((id) => titleOfTest.get(id)!), ...smoke])];
    const realFiles = [...new Set(virtualBaseline.results.filter((r) => realTitles.includes(r.name)).map(specFileOf))].join(',');
    const baselineJob = () =>
      runSuite(realBench(), realFiles, [], BASELINE_OUT ? join(BASELINE_OUT, 'real') : undefined, grepForTitles(realTitles));

    const onRealBench = (f: FaultSwitch) => f.catches.some((id) => needsNetwork.has(id));
    const job = (f: FaultSwitch) => async () => {
      const files = [...new Set(f.catches.map((id) => fileOfTest.get(id) ?? `(no test ${id})`))].sort();
      const onReal = onRealBench(f);
      if (files.some((x) => x.startsWith('(no test'))) {
        outcomes.set(f.name, {
          results: [],
          checks: [],
          stdout: `catching test(s) missing from the suites: ${files.join(', ')}`,
          files,
          onRealBench: onReal,
        });
        return;
      }
      // Only the catching tests run under the fault (their spec files, their titles): every other test of
      // those files passed in the baseline, and CI time is spent where the proof is.
      const grep = grepForTitles(f.catches.map((id) => titleOfTest.get(id)!));
      const bench = onReal ? realBench() : VIRTUAL_BENCH;
      outcomes.set(f.name, { ...(await runSuite(bench, files.join(','), [f.name], undefined, grep)), files, onRealBench: onReal });
    };
    // The real-time runs mostly wait on the wall clock: they take a lane of their own beside the CPU-bound virtual
    // lanes, instead of holding one of those idle (about 80 s of a quiet CI run).
    const realLane = inParallel<RunOutcome | void>([baselineJob, ...catalogue.filter(onRealBench).map(job)], 1);
    const virtualLanes = inParallel(catalogue.filter((f) => !onRealBench(f)).map(job), JOBS);
    const [[real]] = await Promise.all([realLane, virtualLanes]);
    realBaseline = real as RunOutcome;
  });

  after(function () {
    for (const b of realBenches) removeVethPairs(b);
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

  it('with no fault switched on, every suite passes on the virtual bench, and on the real-socket bench what needs it', function () {
    expect(virtualBaseline.results.length, virtualBaseline.stdout.slice(-3000)).to.be.greaterThan(0);
    expect(notPassed(virtualBaseline.results), virtualBaseline.stdout.slice(-3000)).to.deep.equal([]);
    expect(realBaseline.results.length, realBaseline.stdout.slice(-3000)).to.be.at.least(Math.max(1, realTitles.length));
    expect(notPassed(realBaseline.results), realBaseline.stdout.slice(-3000)).to.deep.equal([]);
    // Skipped on the virtual bench for want of a network: they must run (not skip) on the real one.
    expect(skipped(realBaseline.results), 'tests neither bench runs').to.deep.equal([]);
  });

  it('every check the baselines made is named by a fault', function () {
    const names = checkNames([...virtualBaseline.checks, ...realBaseline.checks]);
    expect(names.length, virtualBaseline.stdout.slice(-3000)).to.be.greaterThan(0);
    const unnamed = names.filter((n) => faultsNaming(faultCatalogue(), n).length === 0);
    expect(unnamed, 'checks no fault proves (mcs-hil faults --unproven)').to.deep.equal([]);
  });

  for (const fault of catalogue) {
    it(`${fault.name}: fails exactly ${fault.catches.join(', ')} as ${fault.category}`, function () {
      const o = outcomes.get(fault.name)!;
      expect(o.results.length, o.stdout.slice(-3000)).to.be.greaterThan(0);
      expect(notPassed(o.results), `spec files ${o.files.join(', ')}\n${o.stdout.slice(-3000)}`).to.deep.equal([...fault.catches].sort());
      const skippedBefore = new Set(skipped((o.onRealBench ? realBaseline : virtualBaseline).results));
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
