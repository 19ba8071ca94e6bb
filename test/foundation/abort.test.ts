// Ctrl-C during a run: the in-flight test is broken, no further test starts, the bench goes through its
// safe state, the timeline is complete on disk, and the report still renders.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTimelineFile } from '../../drivers/core/timeline.ts';
import { allureResults, mcsHilAsync, onlyRunDir, tmp } from './helpers.ts';

describe('abort (SIGINT) during a run', function () {
  let out: string;
  let code: number | null;
  let stdout = '';

  before(async function () {
    out = tmp('mcs-abort-');
    const marker = join(out, 'started');
    const child = mcsHilAsync(
      ['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/interruptible.spec.ts', '--out', out],
      { MCS_HIL_TEST_MARKER: marker },
    );
    child.stdout.on('data', (d) => (stdout += d));
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    code = await new Promise((r) => child.on('exit', (c) => r(c)));
  });

  it('exits with the interrupted code (130), says how many tests did not run, summary line last', function () {
    expect(code).to.equal(130);
    expect(stdout).to.contain('1 of 2 tests did not run (interrupted by SIGINT)');
    expect(stdout.trim().split('\n').at(-1)).to.match(/^0 passed, \d+ failed/);
    const summary = JSON.parse(readFileSync(join(onlyRunDir(out), 'summary.json'), 'utf8'));
    expect(summary).to.include({ exitCode: 130, interrupted: 'SIGINT', total: 2, notRun: 1 });
  });

  it('reports the interrupted test broken and starts no other', function () {
    const results = allureResults(onlyRunDir(out));
    const interrupted = results.find((r) => r.name === 'runs until interrupted')!;
    expect(interrupted.status).to.equal('broken');
    expect(interrupted.statusDetails?.message).to.match(/interrupted by SIGINT/);
    const after = results.find((r) => r.name === 'never starts after the interruption');
    expect(after?.status ?? 'not run').to.not.equal('passed');
  });

  it('leaves a complete timeline: signal, safe state, bench closed, run end', function () {
    const events = readTimelineFile(join(onlyRunDir(out), 'timeline.jsonl'));
    const find = (pred: (e: (typeof events)[number]) => boolean) => events.findIndex(pred);
    const signal = find((e) => e.data.event === 'signal');
    const safe = events.findIndex((e, i) => i > signal && e.kind === 'safe-state' && e.data.event === 'end');
    const closed = find((e) => e.data.event === 'bench-closed');
    const end = find((e) => e.kind === 'run' && e.data.event === 'end' && e.source === 'runner');
    expect(signal).to.be.greaterThan(-1);
    expect(find((e) => e.data.phase === 'waiting for the signal')).to.be.lessThan(signal);
    expect(safe).to.be.greaterThan(signal);
    expect(closed).to.be.greaterThan(safe);
    expect(end).to.be.greaterThan(closed);
    expect(events.some((e) => e.source === 'interlock' && e.data.interlock === undefined && e.data.readback === 'open')).to.equal(true);
  });
});
