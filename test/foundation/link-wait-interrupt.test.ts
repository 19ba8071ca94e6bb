// Ctrl-C while the run waits for a veth pair another process holds: the run says what it waits for, and
// SIGINT ends it at once with exit code 130 and the interrupt on the timeline. The time from the signal to
// the process's exit is printed, not asserted (a busy machine must not fail the test).
import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTimelineFile } from '../../drivers/core/timeline.ts';
import { LINK_LOCK_DIR } from '../../drivers/iso15118/link-lock.ts';
import { mcsHilAsync, onlyRunDir, tmp } from './helpers.ts';

const IFACES = ['hil-lw-ev0', 'hil-lw-evse0']; // test/foundation/fixtures/link-wait.yaml

describe('Ctrl-C during a wait for a held link', function () {
  let out: string;
  let code: number | null;
  let stdout = '';
  let exitMs = 0;
  const locks = IFACES.map((i) => join(LINK_LOCK_DIR, `${i}.lock`));

  before(async function () {
    out = tmp('mcs-link-wait-');
    // This test process holds the pair: a live pid, so the run has to wait.
    mkdirSync(LINK_LOCK_DIR, { recursive: true });
    for (const f of locks) writeFileSync(f, JSON.stringify({ pid: process.pid, since: new Date().toISOString(), what: 'link-wait test' }));
    const child = mcsHilAsync(['run', '--bench', 'test/foundation/fixtures/link-wait.yaml', '--suite', 'bench', '--out', out]);
    let waiting!: () => void;
    const seen = new Promise<void>((r) => (waiting = r));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (/waiting for veth pair/.test(stdout)) waiting();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await seen;
    const t0 = process.hrtime.bigint();
    child.kill('SIGINT');
    code = await exited;
    exitMs = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`      SIGINT → exit: ${exitMs.toFixed(0)} ms`);
  });

  after(function () {
    for (const f of locks) rmSync(f, { force: true });
  });

  it('says what it waits for: the pair and the pid holding it', function () {
    expect(stdout).to.match(new RegExp(`waiting for veth pair ${IFACES.join('/')} held by pid ${process.pid} \\(link-wait test`));
  });

  it('exits with the interrupted code (130) and says no test ran', function () {
    expect(code, stdout).to.equal(130);
    expect(stdout).to.contain('interrupted by SIGINT while the bench was opening');
    expect(stdout.trim().split('\n').at(-1)).to.match(/^0 passed, 0 failed, \d+ not run$/);
  });

  it('records the wait, the signal and the aborted wait on the timeline, and leaves our lock alone', function () {
    const events = readTimelineFile(join(onlyRunDir(out), 'timeline.jsonl'));
    const at = (pred: (e: (typeof events)[number]) => boolean) => events.findIndex(pred);
    const waitStart = at((e) => e.data.event === 'waiting-for-link');
    const signal = at((e) => e.data.event === 'signal' && e.data.signal === 'SIGINT');
    const aborted = at((e) => e.data.event === 'link-wait-aborted');
    const end = at((e) => e.kind === 'run' && e.source === 'runner' && e.data.event === 'end');
    expect(waitStart).to.be.greaterThan(-1);
    expect(signal).to.be.greaterThan(waitStart);
    expect(aborted).to.be.greaterThan(signal);
    expect(end).to.be.greaterThan(aborted);
    expect(events[end].data).to.include({ interrupted: 'SIGINT', exitCode: 130 });
    for (const f of locks) expect(JSON.parse(readFileSync(f, 'utf8')).pid, f).to.equal(process.pid);
  });
});
