// The root hooks' precondition "charger idle" (runner/hooks.ts beforeEach, the vehicle's awaitChargerIdle):
// against a link with no charger every test is broken with "charger did not return to idle after <the
// previous test>" — not failed, not skipped — and the following test still runs and checks again; against
// a charger that answers, the precondition is the test's first step and the tests pass.

import { expect } from 'chai';
import { join } from 'node:path';
import { runSuiteChild } from './child-run.ts';

const here = new URL('.', import.meta.url).pathname;
const SPEC = join(here, 'fixtures', 'idle-precondition.spec.ts');

function run(bench: string) {
  return runSuiteChild({ bench: join(here, 'fixtures', bench), suite: SPEC });
}

describe('Charger idle precondition before each test', function () {
  // Child runs of a few seconds each; no wall-clock limit on the verdicts themselves.
  this.timeout(0);

  it('a charger that never answers makes each test broken, naming the previous test; the next test still runs', async function () {
    const { verdicts, results } = await run('mcs-no-charger.yaml');
    expect(verdicts.map((v) => v.state)).to.deep.equal(['failed', 'failed']);
    expect(verdicts[0].error).to.match(/charger did not return to idle after the start of the run/);
    expect(verdicts[1].error).to.match(/charger did not return to idle after .*first test after the bench opened/);
    expect(results.map((r) => r.status).sort()).to.deep.equal(['broken', 'broken']);
  });

  it('a charger that answers: the precondition is the first step and the tests pass', async function () {
    const { verdicts, results } = await run('mcs-veth-realistic.yaml');
    expect(verdicts.map((v) => v.state)).to.deep.equal(['passed', 'passed']);
    for (const r of results) expect(r.steps[0]?.name, r.name).to.match(/^precondition: charger idle — ev: SDP answered after/);
  });
});
