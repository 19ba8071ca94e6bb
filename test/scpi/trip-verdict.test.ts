// The root hooks' trip verdict (runner/instrument-trip-verdict.ts) on a real timeline: a protection trip the
// driver records while a test body runs makes that test broken naming the protection — whether the body then
// passes, fails, or hangs on a battery that was cut off — and a body without a trip keeps its own outcome.
import { expect } from 'chai';
import { AssertionError } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { brokenOnInstrumentTrip } from '../../runner/instrument-trip-verdict.ts';

type Body = (this: unknown) => Promise<unknown>;

function trip(timeline: Timeline): void {
  timeline.record('instrument', 'battery', { event: 'protection-trip', protections: ['over-voltage protection (OVP)'], questionable: 1 });
}

async function outcome(timeline: Timeline, body: Body): Promise<unknown> {
  const fn = brokenOnInstrumentTrip(body as never, timeline) as unknown as Body;
  return fn.call({}).then(
    () => 'passed',
    (e: unknown) => e,
  );
}

describe('an instrument trip during a test (root hooks)', function () {
  const timeline = new Timeline({ clock: new VirtualClock() });

  it('breaks a body that passes or fails after the trip, naming the protection', async function () {
    for (const end of [() => undefined, () => expect(1).to.equal(2)]) {
      const e = await outcome(timeline, async () => {
        trip(timeline);
        end();
      });
      expect(e).to.be.instanceOf(BenchFault);
      expect((e as BenchFault).message).to.include('battery: over-voltage protection (OVP) tripped during this test');
      expect((e as BenchFault).resource).to.equal('battery');
    }
  });

  it("ends a body left hanging once the trip's safe state has ended", async function () {
    const e = await outcome(timeline, async () => {
      trip(timeline);
      timeline.record('safe-state', 'bench', { event: 'end', reason: 'instrument trip: battery: …', ok: true });
      await new Promise(() => undefined); // waits for current that never comes
    });
    expect(e).to.be.instanceOf(BenchFault);
  });

  it('keeps the outcome of a body without a trip (a safe state for another reason is no trip)', async function () {
    expect(await outcome(timeline, async () => undefined)).to.equal('passed');
    const failed = await outcome(timeline, async () => {
      timeline.record('safe-state', 'bench', { event: 'end', reason: 'after test: x', ok: true });
      expect(1).to.equal(2);
    });
    expect(failed).to.be.instanceOf(AssertionError);
  });
});
