// The virtual clock jumps only when the process has nothing left to do: work still travelling through the
// event loop (promise chains that hop over setImmediate, fs requests in the thread pool) finishes at the
// virtual instant it began, whatever the host's speed; host timers (mocha's own) do not hold it.
import { expect } from 'chai';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { hostIdle, VirtualClock } from '../../drivers/core/clock.ts';
import { tmp } from './helpers.ts';

describe('virtual clock: idle detection', function () {
  it('a chain hopping across many setImmediate turns ends before time moves on', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    let endedAtMs: number | undefined;
    clock.setTimer(0, () => {
      const hop = (n: number) => (n === 0 ? (endedAtMs = clock.nowMs()) : setImmediate(() => hop(n - 1)));
      hop(50);
    });
    await clock.sleep(10);
    expect(endedAtMs).to.equal(0);
    clock.stopAutoAdvance();
  });

  it('a file write in the thread pool holds the jump until it completes', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    const file = join(tmp('mcs-vclock-'), 'x.bin');
    let doneAtMs: number | undefined;
    clock.setTimer(0, () => {
      void fsp.writeFile(file, new Uint8Array(4 << 20)).then(() => (doneAtMs = clock.nowMs()));
    });
    await clock.sleep(1);
    expect(doneAtMs).to.equal(0);
    clock.stopAutoAdvance();
  });

  it('host timers do not hold it, and a held clock stands still', async function () {
    const host = setTimeout(() => undefined, 60_000);
    try {
      expect(hostIdle()).to.equal(true);
      const clock = new VirtualClock({ autoAdvance: true });
      const release = clock.hold();
      let fired = false;
      clock.setTimer(5, () => (fired = true));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(fired).to.equal(false);
      release();
      await clock.sleep(5);
      expect(fired).to.equal(true);
      clock.stopAutoAdvance();
    } finally {
      clearTimeout(host);
    }
  });

  it('two auto-advancing clocks in one process do not wait on each other', async function () {
    const a = new VirtualClock({ autoAdvance: true });
    const b = new VirtualClock({ autoAdvance: true });
    await Promise.all([a.sleep(1000), b.sleep(2000)]);
    expect([a.nowMs(), b.nowMs()]).to.deep.equal([1000, 2000]);
    a.stopAutoAdvance();
    b.stopAutoAdvance();
  });
});
