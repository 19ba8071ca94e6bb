// The evidence pipeline end to end: a real `mcs-hil run` of a fixture suite, then the allure-results
// JSON, JUnit XML, summary line and exit code inspected.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InconclusiveError, measure, ViolationError, withinLimit, withUncertainty, validatorText } from '../../reports/evidence.ts';
import { judge } from '../../reports/uncertainty.ts';
import { type AllureResult, allureResults, label, runFixtureSuite } from './helpers.ts';

describe('evidence pipeline', function () {
  const run = runFixtureSuite('mcs-ev-', 'test/fixtures/suites/evidence.spec.ts');

  it('ends with the plain summary line and exit code 1 when a test failed (broken counts as failed)', function () {
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal('1 passed, 2 failed');
    expect(run.status).to.equal(1);
  });

  it('a passing measurement is a passed step with value, limit, clause and verified flag', function () {
    const r = allureResults(run.runDir).find((x) => x.name === 'passes a measurement')!;
    expect(r.status).to.equal('passed');
    expect(r.testCaseId).to.equal('FIX-PASS-001');
    expect(label(r, 'epic')).to.equal('Fixture standard');
    expect(label(r, 'feature')).to.equal('Measurements');
    expect(label(r, 'severity')).to.equal('critical');
    const step = r.steps.find((s) => s.name.startsWith('settle time = 1.5 s'))!;
    expect(step.status).to.equal('passed');
    const params = Object.fromEntries(step.parameters.map((p) => [p.name, p.value]));
    expect(params).to.include({ value: '1.5', unit: 's', limit: 'x <= 2 s', clause: 'TEST 1.2.3', verified: 'false' });
    const kinds = r.steps.flatMap((s) => s.attachments.map((a) => a.name));
    expect(kinds).to.include.members(['samples.csv', 'plot.svg']);
  });

  it('a failing measurement is failed, tagged with its violation category, with the step failed', function () {
    const r = allureResults(run.runDir).find((x) => x.name === 'fails a measurement')!;
    expect(r.status).to.equal('failed');
    expect(r.statusDetails?.message).to.match(
      /^\[current-control violation\] settle time = 2\.5 s, required x <= 2 s \(TEST 1\.2\.3, limit unverified\)/,
    );
    expect(r.steps.find((s) => s.name.startsWith('settle time = 2.5 s'))!.status).to.equal('failed');
  });

  it('a bench fault is broken, not failed', function () {
    const r = allureResults(run.runDir).find((x) => x.name === 'meets a bench fault')!;
    expect(r.status).to.equal('broken');
    expect(r.statusDetails?.message).to.contain('battery emulator did not answer');
  });

  it('writes the measurements attachment, categories, environment and JUnit XML', function () {
    const dir = join(run.runDir, 'allure-results');
    const cats = JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8')) as { name: string }[];
    expect(cats.map((c) => c.name)).to.include.members([
      'Protocol violation',
      'Timing violation',
      'Current-control violation',
      'Safety violation',
      'Bench fault',
    ]);
    const env = readFileSync(join(dir, 'environment.properties'), 'utf8');
    for (const key of ['bench.name=minimal', 'limits.sha256=', 'harness.commit=', 'harness.version=', 'node=']) expect(env).to.contain(key);
    const junit = readFileSync(join(run.runDir, 'junit.xml'), 'utf8');
    expect(junit).to.match(/tests="3"/);
    // mocha's xunit counts a thrown AssertionError-named error as an error too; what matters: none passed silently
    expect(junit).to.match(/tests="3" failures="\d" errors="\d"/);
    expect(junit.match(/<failure>/g)?.length).to.equal(2);
    expect(existsSync(join(run.runDir, 'timeline.jsonl'))).to.equal(true);
    const containers = readFileSync(join(run.runDir, 'summary.json'), 'utf8');
    expect(JSON.parse(containers)).to.include({ passed: 1, failed: 2 });
  });

  it('limits: ranges, minimums, maximums and equality; NaN never passes', function () {
    expect(withinLimit(5, { lo: 1, hi: 5 })).to.equal(true);
    expect(withinLimit(5.0001, { lo: 1, hi: 5 })).to.equal(false);
    expect(withinLimit(0.9, { lo: 1 })).to.equal(false);
    expect(withinLimit(3, { value: 3 })).to.equal(true);
    expect(withinLimit(Number.NaN, { hi: 5 })).to.equal(false);
    expect(validatorText({ lo: 1, hi: 5 }, 'A')).to.equal('1 <= x <= 5 A');
  });
});

describe('soft assertions and inconclusive verdicts', function () {
  const run = runFixtureSuite('mcs-soft-', 'test/fixtures/suites/soft-evidence.spec.ts');
  let results: AllureResult[];
  const byId = (id: string) => results.find((r) => r.testCaseId === id)!;
  const stepsOf = (id: string) => byId(id).steps.map((s) => [s.name.replace(/ {2}\[.*$/, ''), s.status]);
  /** The test failed, its message opening with its first violation and naming `also` after it. */
  const expectFailed = (id: string, first: RegExp, also: string) => {
    expect(byId(id).status, id).to.equal('failed');
    expect(byId(id).statusDetails?.message).to.match(first).and.contain(also);
  };

  before(function () {
    results = allureResults(run.runDir);
  });

  it('a test records every measurement, then fails with the first violation and lists the others', function () {
    const r = byId('FIX-SOFT-001');
    expect(r.status).to.equal('failed');
    expect(stepsOf('FIX-SOFT-001')).to.deep.equal([
      ['first value = 1 s', 'passed'],
      ['second value = 3 s', 'failed'],
      ['third check: closed', 'failed'],
      ['fourth value = 1.5 s', 'passed'],
    ]);
    const [first, ...rest] = (r.statusDetails?.message ?? '').split('\n');
    expect(first).to.match(/^\[timing violation\] second value = 3 s, required x <= 2 s/);
    expect(rest.join('\n')).to.contain('and 1 more:').and.contain('[safety violation] third check: expected open, got closed');
  });

  it('a value beyond the limit by more than the uncertainty fails, the uncertainty shown on the step', function () {
    const r = byId('FIX-SOFT-002');
    expect(r.status).to.equal('failed');
    expect(r.statusDetails?.message).to.match(/^\[timing violation\] response time = 2\.5 s/);
    const step = r.steps[0];
    expect(step.name).to.match(/^response time = 2\.5 ± 0\.2 s {2}\[x <= 2 s\] {2}FAIL — TEST 4\.5\.6, verified$/);
    const params = Object.fromEntries(step.parameters.map((p) => [p.name, p.value]));
    expect(params.uncertainty).to.equal('± 0.2 s (harness receive-to-stamp latency p99, measured this run)');
  });

  it('a value within the uncertainty of its bound is inconclusive: broken, on either side of the bound', function () {
    for (const id of ['FIX-SOFT-003', 'FIX-SOFT-004']) {
      const r = byId(id);
      expect(r.status, id).to.equal('broken');
      expect(r.statusDetails?.message, id).to.match(/^harness latency too high to judge: response time = \d\.\d s, required x <= 2 s/);
      expect(r.steps[0].status, id).to.equal('broken');
      expect(r.steps[0].name, id).to.contain('INCONCLUSIVE');
    }
    // The report groups them apart from other bench faults (first match wins, so it comes before them).
    const catsFile = join(run.runDir, 'allure-results', 'categories.json');
    const cats = JSON.parse(readFileSync(catsFile, 'utf8')) as { name: string; messageRegex?: string }[];
    const k = cats.findIndex((c) => c.name.startsWith('Inconclusive'));
    expect(k)
      .to.be.greaterThan(-1)
      .and.lessThan(cats.findIndex((c) => c.name === 'Bench fault'));
    expect(cats[k].messageRegex).to.contain('harness latency too high to judge');
  });

  it('a value clear of its bound by more than the uncertainty passes', function () {
    expect(byId('FIX-SOFT-005').status).to.equal('passed');
  });

  it('a violation outranks an inconclusive value in the same test', function () {
    expectFailed('FIX-SOFT-006', /^\[safety violation\] stop time = 9 s/, 'harness latency too high to judge');
  });

  it('a bench fault still stops the test at once (broken); a violation found before a later error stands', function () {
    expect(byId('FIX-SOFT-007').status).to.equal('broken');
    expect(byId('FIX-SOFT-007').statusDetails?.message).to.contain('power analyser did not answer');
    expectFailed('FIX-SOFT-008', /^\[protocol violation\] precondition value = 5 s/, 'nothing to judge after the session broke');
  });

  it('a failed check marked stop ends the test at once, after the violations found before it', function () {
    expect(stepsOf('FIX-SOFT-009').map(([name]) => name)).to.deep.equal(['earlier value = 3 s', 'session reached charging: idle']);
    expectFailed(
      'FIX-SOFT-009',
      /^\[timing violation\] earlier value = 3 s/,
      '[protocol violation] session reached charging: expected charging, got idle',
    );
  });

  it("withUncertainty() gives measurements inside it (a chai plugin's) an uncertainty; outside a test they throw at once", function () {
    const limit = { hi: 2, unit: 's', clause: 'TEST 1', source: 'test', verified: true };
    const u = { value: 0.2, source: 'test' };
    const inBand = () => withUncertainty(u, () => measure('t', 2.1, limit, { violation: 'timing' }));
    expect(inBand).to.throw(InconclusiveError, /^harness latency too high to judge: t = 2\.1 s/);
    expect(() => measure('t', 2.1, limit, { violation: 'timing' })).to.throw(ViolationError, /^\[timing violation\] t = 2\.1 s/);
    expect(withUncertainty(u, () => measure('t', 1, limit, { violation: 'timing' })).uncertainty).to.equal(0.2);
  });

  it('judge(): PASS only when the whole band passes, FAIL only when it all fails, else INCONCLUSIVE', function () {
    const u = { value: 1, source: 'test' };
    expect(judge(5, { hi: 10 }, u)).to.equal('PASS');
    expect(judge(9.5, { hi: 10 }, u)).to.equal('INCONCLUSIVE');
    expect(judge(10.5, { hi: 10 }, u)).to.equal('INCONCLUSIVE');
    expect(judge(11.5, { hi: 10 }, u)).to.equal('FAIL');
    expect(judge(20.5, { lo: 20 }, u)).to.equal('INCONCLUSIVE');
    expect(judge(18, { lo: 20 }, u)).to.equal('FAIL');
    expect(judge(3, { value: 3 }, u)).to.equal('PASS');
    expect(judge(3.5, { value: 3 }, u)).to.equal('INCONCLUSIVE');
    expect(judge(Number.POSITIVE_INFINITY, { hi: 10 }, u)).to.equal('FAIL');
    expect(judge(10.5, { hi: 10 })).to.equal('FAIL');
    expect(() => judge(1, { hi: 10 }, { value: -1, source: 'x' })).to.throw(RangeError);
  });
});
