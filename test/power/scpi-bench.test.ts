// Issue 5's physical-bench check: a bench whose vehicle battery is a SCPI battery emulator (our SCPI
// battery-emulator driver, here talking in-process and in virtual time to an emulated high-power unit) runs the same
// ramp and safety tests and passes. Fault switches are proven on the default bench by test/self-validation.
import { expect } from 'chai';
import { allureResults, label, mcsHil, onlyRunDir, tmp } from '../foundation/helpers.ts';

describe('ramp and safety suites on a SCPI battery-emulator bench', function () {
  it('run the same tests and pass (insulation skipped: no fault box behind a battery emulator)', function () {
    const out = tmp('mcs-scpi-bench-');
    const run = mcsHil([
      'run',
      '--bench',
      'test/power/fixtures/mcs-power-scpi.yaml',
      '--suite',
      'suites/mcs/current-ramp.spec.ts,suites/mcs/safety.spec.ts',
      '--out',
      out,
    ]);
    const results = allureResults(onlyRunDir(out));
    expect(results.length, run.stdout.slice(-3000)).to.equal(12);
    const notPassed = results.filter((r) => r.status !== 'passed').map((r) => `${label(r, 'requirement')} ${r.status}`);
    expect(notPassed, run.stdout.slice(-3000)).to.deep.equal(['MCS-SAFE-ISO-001 skipped']);
  });
});
