// Test isolation against a charger that behaves like the mature open-source SECCs (emulated charger in
// 'realistic' mode, no CE/ID pilot to reset it): the whole handshake suite run in one go gives exactly the
// verdicts of its tests run one at a time, each against a fresh charger. Nothing cascades: every test ends
// its session with SessionStop (or says it breaks it) and starts from a charger verified idle.
// Each run is a child process (test/mcs/run-suite.ts) on a veth pair of its own lane; clock at 5x.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSuiteChild, type Verdict } from './child-run.ts';

const here = new URL('.', import.meta.url).pathname;
const BENCH = join(here, 'fixtures', 'mcs-veth-realistic.yaml');
/** The single-test runs go two at a time, each pair of runs on its own veth pair (and so its own charger). */
const LANES = 2;

/** The bench file for one lane: the fixture with that lane's veth pair. */
function laneBench(lane: number): string {
  if (lane === 0) return BENCH;
  const text = readFileSync(BENCH, 'utf8')
    .replace('mcs-t4ev2', `mcs-t4ev${2 + lane}`)
    .replace('mcs-t4se2', `mcs-t4se${2 + lane}`);
  const file = join(mkdtempSync(join(tmpdir(), 'mcs-realistic-bench-')), `lane-${lane}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function runSuite(bench: string, grep?: string): Promise<Verdict[]> {
  return (await runSuiteChild({ bench, grep })).verdicts;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('MCS handshake suite against a realistic charger: whole run = one test at a time', function () {
  // Sixteen child runs of a few seconds each, two at a time; no wall-clock limit on the verdicts themselves.
  this.timeout(0);

  it('gives every test the same verdict in one run as alone against a fresh charger', async function () {
    const whole = await runSuite(BENCH);
    expect(whole.length, 'tests in the whole run').to.be.greaterThan(10);
    const alone: Verdict[] = new Array(whole.length);
    let next = 0;
    const lane = async (n: number) => {
      const bench = laneBench(n);
      for (let i = next++; i < whole.length; i = next++) {
        const single = await runSuite(bench, `^${escapeRegExp(whole[i].title)}$`);
        expect(single.length, `exactly one test matched '${whole[i].title}'`).to.equal(1);
        alone[i] = single[0];
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)));
    const verdicts = (vs: Verdict[]) => vs.map((v) => `${v.state}: ${v.title}`);
    expect(verdicts(whole), 'whole run vs one at a time').to.deep.equal(verdicts(alone));
    // Against the emulator in this mode every test passes: a cascade would show as failures here.
    expect(whole.filter((v) => v.state !== 'passed').map((v) => `${v.title}: ${v.error}`)).to.deep.equal([]);
  });
});
