// `mcs-hil run` chooses its tests before the bench opens: --grep and --id (requirement id) select, a selection
// that matches nothing is a usage error (exit 2, no run folder), and summary.json carries the exit code the
// process really ended with.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startsWithRequirement } from '../../reports/requirement-probe.ts';
import { cli, TempDirs } from './cli.ts';

const BASE = ['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/evidence.spec.ts'];

function summaryOf(out: string): Record<string, unknown> & { tests: unknown[] } {
  const runs = readdirSync(join(out, 'runs'));
  expect(runs).to.have.length(1);
  return JSON.parse(readFileSync(join(out, 'runs', runs[0], 'summary.json'), 'utf8'));
}

describe('mcs-hil run: test selection and exit codes', function () {
  const tmp = new TempDirs();
  after(() => tmp.removeAll());

  it('--grep that matches no test exits 2 with a clear message and writes no run folder', function () {
    const out = tmp.make('mcs-cli-grep-');
    const r = cli([...BASE, '--out', out, '--grep', 'no such test']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain("no test matches --grep 'no such test'");
    expect(existsSync(join(out, 'runs'))).to.equal(false);
  });

  it('--id selects tests by requirement id (an unknown one is named); a passing run exits 0 and summary.json says 0', function () {
    const out = tmp.make('mcs-cli-id-');
    const r = cli([...BASE, '--out', out, '--id', 'FIX-PASS-001,NOPE-2']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("no test in the chosen suites declares 'NOPE-2'");
    const s = summaryOf(out);
    expect(s).to.include({ exitCode: 0, total: 1, passed: 1, failed: 0, notRun: 0 });
    expect(s.tests).to.deep.equal([{ title: 'Evidence fixture passes a measurement', testCaseId: 'FIX-PASS-001', state: 'passed' }]);
  });

  it('--id that no test declares exits 2 and lists the ids the suites have', function () {
    const r = cli([...BASE, '--out', tmp.make('mcs-cli-noid-'), '--id', 'NOPE-1']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain("no test declares 'NOPE-1' (ids here: FIX-BROKEN-001, FIX-FAIL-001, FIX-PASS-001)");
  });

  it('reads a requirement id only from a body that declares it before doing anything', function () {
    expect(startsWithRequirement('async function(){(0,import_evidence.requirement)("X-1",{epic:"e"});await go()}')).to.equal(true);
    expect(
      startsWithRequirement('function () {\n  // why\n  const limit = L.get("a.b");\n  requirement(T.x, { clause: limit.clause });'),
    ).to.equal(true);
    expect(startsWithRequirement('async function () { const rig = await powerRig(this); requirement(T.x, {}); }')).to.equal(false);
    expect(startsWithRequirement('function () { this.bench.vehicle.start(); requirement(T.x, {}); }')).to.equal(false);
    expect(startsWithRequirement('function () { measure("x", 1, limit, {}); }')).to.equal(false);
  });
});
