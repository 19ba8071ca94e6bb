// Test isolation against a charger that behaves like the mature open-source SECCs (emulated charger in
// 'realistic' mode, no CE/ID pilot to reset it): the whole handshake suite run in one go gives exactly the
// verdicts of its tests run one at a time, each against a fresh charger. Nothing cascades: every test ends
// its session with SessionStop (or says it breaks it) and starts from a charger verified idle.
// Each run is a child process (test/mcs/run-suite.ts) on the in-process link in virtual time, so whether a test
// cascades is judged the same whatever the host load (at x5 real time, host delay could itself break a session).
// The tests that need a network (SDP) skip there; the real-socket tier runs them. TLS runs on the in-process link too.

import { expect } from 'chai';
import { join } from 'node:path';
import { runSuiteChild, type Verdict } from './child-run.ts';

const here = new URL('.', import.meta.url).pathname;
const BENCH = join(here, 'fixtures', 'mcs-realistic-virtual.yaml');
/** The single-test runs go two at a time (each child process has its own in-process charger). */
const LANES = 2;

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
    const lane = async () => {
      for (let i = next++; i < whole.length; i = next++) {
        const single = await runSuite(BENCH, `^${escapeRegExp(whole[i].title)}$`);
        expect(single.length, `exactly one test matched '${whole[i].title}'`).to.equal(1);
        alone[i] = single[0];
      }
    };
    await Promise.all(Array.from({ length: LANES }, () => lane()));
    const verdicts = (vs: Verdict[]) => vs.map((v) => `${v.state}: ${v.title}`);
    expect(verdicts(whole), 'whole run vs one at a time').to.deep.equal(verdicts(alone));
    // Against the emulator in this mode every test that can run here passes: a cascade would show as failures.
    const ran = whole.filter((v) => v.state !== 'skipped');
    expect(ran.length, 'tests that ran').to.be.greaterThan(10);
    expect(ran.filter((v) => v.state !== 'passed').map((v) => `${v.title}: ${v.error}`)).to.deep.equal([]);
  });
});
