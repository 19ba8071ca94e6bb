// `mcs-hil faults --unproven`: the checks a run made that no emulator fault names, read from the run's
// allure-results; nothing printed when every check is proven; a clear message when there is no run.
import { expect } from 'chai';
import { mcsHil, onlyRunDir, tmp } from '../foundation/helpers.ts';

function runFixture(suite: string): string {
  const out = tmp('mcs-unproven-');
  mcsHil(['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', suite, '--out', out]);
  return out;
}

describe('mcs-hil faults --unproven', function () {
  it('lists each check no fault names, with the tests that made it, and exits 1', function () {
    const out = runFixture('test/fixtures/suites/soft-evidence.spec.ts');
    const r = mcsHil(['faults', '--unproven', '--out', out]);
    expect(r.status).to.equal(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.include('first value\tmade by: FIX-SOFT-001');
    expect(lines.find((l) => l.startsWith('response time\t')))
      .to.contain('FIX-SOFT-002')
      .and.contain('FIX-SOFT-006');
    const r2 = mcsHil(['faults', '--unproven', '--json', '--run', onlyRunDir(out)]);
    const json = JSON.parse(r2.stdout) as { check: string; tests: string[] }[];
    expect(json.map((u) => u.check)).to.include.members(['first value', 'third check', 'stop time']);
  });

  it('prints nothing and exits 0 when every check of the run is named by a fault', function () {
    const out = runFixture('test/fixtures/suites/proven-checks.spec.ts');
    const r = mcsHil(['faults', '--unproven', '--run', onlyRunDir(out)]);
    expect(r.stdout).to.equal('');
    expect(r.status).to.equal(0);
  });

  it('says clearly that there is no run to read (usage error)', function () {
    const r = mcsHil(['faults', '--unproven', '--out', tmp('mcs-empty-')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/no run in .*runs: run the suites first/);
    const bad = mcsHil(['faults', '--unproven', '--run', tmp('mcs-notarun-')]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain('not a run folder');
  });
});
