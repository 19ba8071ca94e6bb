// The emulated multi-unit bench (benches/lab-emulated-parallel.yaml) end to end, as `mcs-hil run` runs it:
// three emulated battery-emulator units on one DC bus, driven as one battery, carry an MCS current ramp that
// passes, each unit logging its share. (A unit's trip during it — `--fault instrument-ov-trip` — makes that test
// broken naming the protection; test/scpi/trip-verdict.test.ts holds that verdict, cheaper than a second run.)
// The bench is run in virtual time with its links in-process (the ISO 15118 memory link, the units' SCPI over
// memory streams), so the ramp's verdict cannot depend on how busy the machine is; the same bench over veth
// and TCP differs only in the transports, which other tests prove.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcsHil, onlyRunDir, ROOT, tmp } from '../foundation/helpers.ts';

const GREP = 'follows a step up';

interface Summary {
  tests: { title: string; state: string; error?: string }[];
}

/** The bench file, its clock made virtual and its links in-process (every other line as the lab has it). */
function virtualCopy(dir: string): string {
  const original = readFileSync(join(ROOT, 'benches/lab-emulated-parallel.yaml'), 'utf8');
  const text = original
    .replace(/kind: real\n(\s+)rate: 1\n/, 'kind: virtual\n')
    .replace(/^\s*ev-link:.*\n/m, '')
    .replace(/scpiPort: 0,/, 'scpiPort: memory,')
    .replace(/link: ev-link, battery: hp-units/, 'link: memory, battery: hp-units')
    .replace(/link: ev-link, pilot: pilot/, 'memory: charger, pilot: pilot');
  expect(text.match(/ev-link|kind: real|scpiPort: 0/), 'the bench file changed shape: update this test').to.equal(null);
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, text);
  return file;
}

/** One run of the step-up ramp test. */
function run(bench: string): { summary: Summary; timeline: string } {
  const out = tmp('mcs-parallel-');
  const r = mcsHil(['run', '--bench', bench, '--suite', 'mcs', '--grep', GREP, '--out', out]);
  const runDir = onlyRunDir(out);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
  expect(summary.tests, r.stderr).to.have.length(1);
  return { summary, timeline: readFileSync(join(runDir, 'timeline.jsonl'), 'utf8') };
}

describe('emulated multi-unit bench (lab-emulated-parallel.yaml)', function () {
  this.timeout(0); // whole runs of the harness: no wall-clock limit (house rule)
  const bench = virtualCopy(tmp('mcs-parallel-bench-'));

  it('carries a current ramp through three units in parallel, each logging its share', function () {
    const { summary, timeline } = run(bench);
    expect(summary.tests[0].state, summary.tests[0].error).to.equal('passed');
    for (const unit of ['battery#1', 'battery#2', 'battery#3'])
      expect(timeline, unit).to.match(new RegExp(`"source":"${unit}","data":\\{"event":"streaming","on":true`));
  });
});
