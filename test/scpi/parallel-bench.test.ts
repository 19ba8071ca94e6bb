// The emulated multi-unit bench (benches/lab-emulated-parallel.yaml) end to end, as `mcs-hil run` runs it:
// three emulated battery-emulator units on one DC bus, driven as one battery, carry an MCS current ramp that
// passes, each unit logging its share. (A unit's trip during it — `--fault instrument-ov-trip` — makes that test
// broken naming the protection; test/scpi/trip-verdict.test.ts holds that verdict, cheaper than a second run.)
// The bench's veth pair is renamed for this test alone (a run on the shared pair elsewhere must not collide
// with it) and removed at the end.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcsHil, onlyRunDir, ROOT, tmp } from '../foundation/helpers.ts';

const EV = 'mcs-pu0e';
const EVSE = 'mcs-pu0c';
const GREP = 'follows a step up';

interface Summary {
  tests: { title: string; state: string; error?: string }[];
}

function benchCopy(dir: string): string {
  const text = readFileSync(join(ROOT, 'benches/lab-emulated-parallel.yaml'), 'utf8')
    .replaceAll(/(?<![\w-])mcs-ev0(?![\w-])/g, EV)
    .replaceAll(/(?<![\w-])mcs-evse0(?![\w-])/g, EVSE);
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, text);
  return file;
}

/** One run of the step-up ramp test; the clock rate is as fast as its verdicts stay independent of host load. */
function run(bench: string, faults: string[], clockRate: number): { summary: Summary; timeline: string } {
  const out = tmp('mcs-parallel-');
  const args = ['run', '--bench', bench, '--suite', 'mcs', '--grep', GREP, '--clock-rate', String(clockRate), '--out', out];
  if (faults.length) args.push('--fault', faults.join(','));
  const r = mcsHil(args, { MCS_EV_LL: 'fe80::75:2', MCS_EVSE_LL: 'fe80::75:1' });
  const runDir = onlyRunDir(out);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
  expect(summary.tests, r.stderr).to.have.length(1);
  return { summary, timeline: readFileSync(join(runDir, 'timeline.jsonl'), 'utf8') };
}

describe('emulated multi-unit bench (lab-emulated-parallel.yaml)', function () {
  this.timeout(0); // whole runs of the harness: no wall-clock limit (house rule)
  const bench = benchCopy(tmp('mcs-parallel-bench-'));
  after(() => void spawnSync('bash', [join(ROOT, 'scripts/veth-link.sh'), 'down', EV, EVSE], { stdio: 'ignore' }));

  it('carries a current ramp through three units in parallel, each logging its share', function () {
    const { summary, timeline } = run(bench, [], 2);
    expect(summary.tests[0].state, summary.tests[0].error).to.equal('passed');
    for (const unit of ['battery#1', 'battery#2', 'battery#3'])
      expect(timeline, unit).to.match(new RegExp(`"source":"${unit}","data":\\{"event":"streaming","on":true`));
  });
});
