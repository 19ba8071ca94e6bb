import { expect } from 'chai';
import { RealClock, VirtualClock, waitFor } from '../../drivers/core/clock.ts';

describe('clock', function () {
  it('virtual time moves only when advanced, and fires timers in due order', async function () {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`b@${clock.nowMs()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.nowMs()}`));
    clock.setTimer(30, () => fired.push(`c@${clock.nowMs()}`));
    expect(clock.nowMs()).to.equal(0);
    await clock.advance(20);
    expect(fired).to.deep.equal(['a@10']);
    expect(clock.nowMs()).to.equal(20);
    await clock.advance(100);
    expect(fired).to.deep.equal(['a@10', 'b@30', 'c@30']);
    expect(clock.nowMs()).to.equal(120);
  });

  it('cancelled timers never fire', async function () {
    const clock = new VirtualClock();
    let n = 0;
    const h = clock.setTimer(5, () => n++);
    h.cancel();
    await clock.advance(10);
    expect(n).to.equal(0);
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('sleep chains run on virtual time: a 10 s procedure takes no real time', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    const wall0 = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) await clock.sleep(100);
    expect(clock.nowMs()).to.equal(10_000);
    // Not a timing limit: 10 s of virtual time must not have waited 10 s of wall time.
    expect(Number(process.hrtime.bigint() - wall0) / 1e6).to.be.below(10_000);
    clock.stopAutoAdvance();
  });

  it('sleep rejects with the abort reason', async function () {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    let err: unknown;
    try {
      await p;
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.equal('stop');
  });

  it('waitFor polls on the clock and reports a timeout', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    let flag = false;
    clock.setTimer(50, () => (flag = true));
    expect(await waitFor(clock, () => flag, 100)).to.equal(true);
    expect(await waitFor(clock, () => false, 30)).to.equal(false);
    clock.stopAutoAdvance();
  });

  it('a scaled real clock runs faster than the wall clock and is monotonic', async function () {
    const clock = new RealClock(4);
    const t0 = clock.now();
    await new Promise((r) => setTimeout(r, 50));
    const dt = clock.now() - t0;
    expect(dt).to.be.above(4 * 40e6); // ≥ 4 × (most of) 50 ms: only a lower bound, never an upper one
    expect(() => new RealClock(0)).to.throw(RangeError);
  });
});
