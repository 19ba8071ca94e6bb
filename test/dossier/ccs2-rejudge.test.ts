// `mcs-hil verify` re-derives the CCS2 checks whose values follow from the raw data (suites/support/ccs2-offline.ts):
// a short CCS2 run on the virtual-time emulator bench with the slow-stop fault (the current suite's DIN stop fails;
// the CurrentDemandRes and DIN message performance times, the handshake stop) is re-judged equal from its timeline, and a
// measurement edited in the timeline is caught as differing from what the samples and messages give.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejudgeRun } from '../../reports/bundle-verify.ts';
import '../../suites/support/ccs2-offline.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const GREP = 'DIN SPEC 70121: (stops after|answers every request)|within the SECC performance time|below the stop current in time';

/** One run of the CCS2 tests above in a child process (virtual time); its run folder. */
function ccs2Run(out: string, fault?: string): string {
  const args = ['bin/mcs-hil.mjs', 'run', '--bench', 'benches/emulator-virtual.yaml', '--suite', 'ccs2', '--quiet'];
  const r = spawnSync(process.execPath, [...args, '--grep', GREP, '--out', out, ...(fault ? ['--fault', fault] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`the CCS2 run ended ${r.status}: ${r.stderr || r.stdout}`);
  const runs = join(out, 'runs');
  return join(runs, readdirSync(runs)[0]);
}

/** Rewrite the first measurement whose name starts with `name` in the run's timeline (as an editor of the evidence would). */
function editMeasurement(runDir: string, name: string, value: number, outcome?: string): { was: string } {
  const file = join(runDir, 'timeline.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('"kind":"measurement"') && l.includes(`"name":${JSON.stringify(name).slice(0, -1)}`));
  expect(i, `a measurement '${name}' on the timeline`).to.be.at.least(0);
  const e = JSON.parse(lines[i]) as { data: { measured_value: number; outcome: string } };
  const was = e.data.outcome;
  Object.assign(e.data, { measured_value: value, outcome: outcome ?? was });
  lines[i] = JSON.stringify(e);
  writeFileSync(file, lines.join('\n'));
  return { was };
}

describe('verify re-derives the CCS2 measurements from the raw data', function () {
  this.timeout(0); // a child run on the virtual-time bench: its length is the harness's, not the host's
  let dir = '';
  let run = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ccs2-rejudge-'));
    run = ccs2Run(dir, 'ccs-slow-stop');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('re-derives the stop and performance-time values equal, a failed stop as failed', () => {
    const r = rejudgeRun(run);
    expect(r.map((x) => [x.testCaseId, x.basis])).to.deep.equal([
      ['CCS2-DIN-RAMP-STOP-001', 'offline re-derivation'],
      ['CCS2-PERFORMANCE-001', 'offline re-derivation'],
      ['CCS2-STOP-001', 'offline re-derivation'],
      ['CCS2-DIN-MSG-PERFORMANCE-001', 'offline re-derivation'],
    ]);
    expect(r.map((x) => x.derived)).to.deep.equal(r.map((x) => x.recorded));
    expect(r[0].recorded, 'the slow stop failed the current suite').to.equal('failed');
    expect(r[1].recorded).to.equal('passed');
    expect(r.flatMap((x) => x.differences)).to.deep.equal([]);
  });

  it('catches response times edited in the timeline, and a failed stop edited into a pass', () => {
    editMeasurement(run, 'CurrentDemandRes response time (worst)', 3);
    editMeasurement(run, 'PreChargeRes response time (worst)', 7);
    const stop = editMeasurement(run, 'vehicle stop: time to <', 0.2, 'PASS');
    expect(stop.was, 'the edited stop had failed').to.equal('FAIL');
    const r = Object.fromEntries(rejudgeRun(run).map((x) => [x.testCaseId, x]));
    expect(r['CCS2-PERFORMANCE-001'].differences.join('\n')).to.match(
      /CurrentDemandRes response time \(worst\): recorded 3, re-derived \d+/,
    );
    expect(r['CCS2-DIN-RAMP-STOP-001'].derived).to.equal('failed');
    expect(r['CCS2-DIN-RAMP-STOP-001'].differences.join('\n')).to.match(
      /vehicle stop: time to < 5 A from \d+ A: recorded 0\.2, re-derived [\d.]+/,
    );
    expect(r['CCS2-DIN-MSG-PERFORMANCE-001'].differences.join('\n')).to.match(
      /PreChargeRes response time \(worst\): recorded 7, re-derived \d+/,
    );
    expect(r['CCS2-STOP-001'].differences).to.deep.equal([]);
  });
});
