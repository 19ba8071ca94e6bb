// The evidence pipeline end to end: a real `mcs-hil run` of a fixture suite, then the allure-results
// JSON, JUnit XML, summary line and exit code inspected.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withinLimit, validatorText } from '../../reports/evidence.ts';
import { allureResults, label, mcsHil, onlyRunDir, tmp } from './helpers.ts';

describe('evidence pipeline', function () {
  let out: string;
  let run: ReturnType<typeof mcsHil>;
  let runDir: string;

  before(function () {
    out = tmp('mcs-ev-');
    run = mcsHil(['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/evidence.spec.ts', '--out', out]);
    runDir = onlyRunDir(out);
  });

  it('ends with the plain summary line and exit code 1 when a test failed (broken counts as failed)', function () {
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal('1 passed, 2 failed');
    expect(run.status).to.equal(1);
  });

  it('a passing measurement is a passed step with value, limit, clause and verified flag', function () {
    const r = allureResults(runDir).find((x) => x.name === 'passes a measurement')!;
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
    const r = allureResults(runDir).find((x) => x.name === 'fails a measurement')!;
    expect(r.status).to.equal('failed');
    expect(r.statusDetails?.message).to.match(/^\[current-control violation\] settle time = 2\.5 s, required x <= 2 s \(TEST 1\.2\.3, limit unverified\)/);
    expect(r.steps.find((s) => s.name.startsWith('settle time = 2.5 s'))!.status).to.equal('failed');
  });

  it('a bench fault is broken, not failed', function () {
    const r = allureResults(runDir).find((x) => x.name === 'meets a bench fault')!;
    expect(r.status).to.equal('broken');
    expect(r.statusDetails?.message).to.contain('battery emulator did not answer');
  });

  it('writes the measurements attachment, categories, environment and JUnit XML', function () {
    const dir = join(runDir, 'allure-results');
    const cats = JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8')) as { name: string }[];
    expect(cats.map((c) => c.name)).to.include.members(['Protocol violation', 'Timing violation', 'Current-control violation', 'Safety violation', 'Bench fault']);
    const env = readFileSync(join(dir, 'environment.properties'), 'utf8');
    for (const key of ['bench.name=minimal', 'limits.sha256=', 'harness.commit=', 'harness.version=', 'node=']) expect(env).to.contain(key);
    const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
    expect(junit).to.match(/tests="3"/);
    // mocha's xunit counts a thrown AssertionError-named error as an error too; what matters: none passed silently
    expect(junit).to.match(/tests="3" failures="\d" errors="\d"/);
    expect(junit.match(/<failure>/g)?.length).to.equal(2);
    expect(existsSync(join(runDir, 'timeline.jsonl'))).to.equal(true);
    const containers = readFileSync(join(runDir, 'summary.json'), 'utf8');
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
