// One test's leftovers must not decide the next test's verdict: a body mocha timed out keeps running, so the
// tear-down waits for it (what it still records stays in its own test) and stops the run when it does not end.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTimelineFile } from '../../drivers/core/timeline.ts';
import { allureResults, mcsHil, onlyRunDir, tmp } from './helpers.ts';

const suite = 'test/foundation/fixtures/abandoned-body.spec.ts';
const bench = 'test/foundation/fixtures/short-safe-state.yaml';

function run(env: Record<string, string> = {}) {
  const out = tmp('mcs-abandoned-');
  const r = mcsHil(['run', '--bench', bench, '--suite', suite, '--out', out], env);
  return { ...r, runDir: onlyRunDir(out) };
}

type Step = { name: string };
type Result = { uuid: string; name: string; status: string; statusDetails?: { message?: string }; steps: Step[] };
type Container = { children?: string[]; afters?: { steps?: Step[] }[] };

/** Each test's own steps and those of its tear-down (a step recorded while the after-each hook runs lands there). */
function stepsByTest(runDir: string): Map<string, string[]> {
  const dir = join(runDir, 'allure-results');
  const read = (suffix: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(suffix))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  const results = read('-result.json') as Result[];
  const containers = read('-container.json') as Container[];
  return new Map(
    results.map((r) => {
      const teardown = containers.filter((c) => c.children?.includes(r.uuid)).flatMap((c) => c.afters ?? []);
      return [r.name, [...r.steps, ...teardown.flatMap((a) => a.steps ?? [])].map((st) => st.name)];
    }),
  );
}

describe('a test body abandoned by its timeout', function () {
  it('records into its own test, never into the next one, which still runs and passes', function () {
    const r = run();
    const results = allureResults(r.runDir);
    const first = results.find((x) => x.name === 'is given up on while its body goes on');
    expect(first?.status, r.stdout + r.stderr).to.equal('broken');
    expect(first?.statusDetails?.message).to.match(/Timeout of 200ms exceeded/);
    const steps = stepsByTest(r.runDir);
    expect(steps.get('is given up on while its body goes on')).to.include('recorded by the body after its timeout');
    const next = steps.get('runs after it with nothing of it');
    expect(next).to.include('recorded by the next test');
    expect(next).not.to.include('recorded by the body after its timeout');
    expect(results.find((x) => x.name === 'runs after it with nothing of it')?.status).to.equal('passed');
    const waited = readTimelineFile(join(r.runDir, 'timeline.jsonl')).filter((e) => e.data.event === 'abandoned-body');
    expect(waited.map((e) => e.data.ended)).to.deep.equal([true]);
  });

  it('stops the run when the body does not end within the safe-state bound: the next test does not start', function () {
    const r = run({ MCS_HIL_FIXTURE_STUCK: '1' });
    expect(r.status, r.stdout + r.stderr).to.equal(3);
    expect(r.stdout).to.match(/resource 'runner', step 'the test body abandoned by its timeout ends'/);
    expect(r.stdout).to.contain('1 of 2 tests did not run (run aborted)');
  });
});
