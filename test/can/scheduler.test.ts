import { expect } from 'chai';
import { RealClock, VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { canFrame, type CanFrame } from '../../drivers/can/frame.ts';
import { openVirtualCan } from '../../drivers/can/virtual-bus.ts';
import { percentile, periodStats, PeriodicScheduler } from '../../drivers/can/scheduler.ts';
import { HarnessLatency } from '../../drivers/core/harness-latency.ts';
import { expectFrame, FrameTimeoutError, waitForFrame } from '../../drivers/can/expect-frame.ts';

describe('periodic scheduler and receive timeouts', function () {
  it('sends each message at start + phase + k·period on the clock, with updated payloads', async function () {
    const clock = new VirtualClock();
    const tx = openVirtualCan('sch1', { clock });
    const rx = openVirtualCan('sch1', { clock });
    const seen: { t: number; id: number; d: number }[] = [];
    rx.onFrame((f) => seen.push({ t: clock.nowMs(), id: f.id, d: f.data[0] }));
    const sched = new PeriodicScheduler({ transport: tx, clock });
    const bcl = sched.start({ name: 'BCL', periodMs: 50, frame: canFrame(0x181056f4, [0]) });
    sched.start({ name: 'BSM', periodMs: 250, phaseMs: 20, frame: (k) => canFrame(0x181356f4, [k]) });
    await clock.advance(120);
    bcl.updateData([7]);
    await clock.advance(400);
    sched.stopAll();
    await clock.advance(500);
    const bclTimes = seen.filter((s) => s.id === 0x181056f4).map((s) => s.t);
    expect(bclTimes).to.deep.equal([0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    expect(seen.filter((s) => s.id === 0x181056f4).map((s) => s.d)).to.deep.equal([0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7]);
    expect(seen.filter((s) => s.id === 0x181356f4).map((s) => [s.t, s.d])).to.deep.equal([
      [20, 0],
      [270, 1],
      [520, 2],
    ]);
    const st = bcl.stats();
    expect(st).to.include({ count: 11, meanPeriodMs: 50, jitterP99Ms: 0, jitterMaxMs: 0 });
    expect(bcl.lateness()).to.include({ count: 11, p50Ms: 0, p99Ms: 0, maxMs: 0 });
    expect(bcl.running).to.equal(false);
    await tx.close();
    await rx.close();
  });

  it('stops after count sends, and stops (recording why) when the transport fails', async function () {
    const clock = new VirtualClock();
    const timeline = new Timeline({ clock });
    const tx = openVirtualCan('sch2', { clock });
    const sched = new PeriodicScheduler({ transport: tx, clock, timeline });
    const three = sched.start({ name: 'three', periodMs: 10, count: 3, frame: canFrame(0x1, [1]) });
    await clock.advance(100);
    expect(three.sent).to.equal(3);
    const dying = sched.start({ name: 'dying', periodMs: 10, frame: canFrame(0x2, [1]) });
    await clock.advance(15);
    await tx.close();
    await clock.advance(50);
    expect(dying.running).to.equal(false);
    expect(dying.error?.name).to.equal('BenchFault');
    expect(timeline.query({ kind: 'session' }).some((e) => e.data.event === 'periodic-error')).to.equal(true);
  });

  it('computes period and jitter statistics', function () {
    const times = [0, 50, 101, 150, 199, 250].map((ms) => ms * 1e6);
    const s = periodStats(times, 50);
    expect(s.count).to.equal(6);
    expect(s.minPeriodMs).to.equal(49);
    expect(s.maxPeriodMs).to.equal(51);
    expect(s.jitterMaxMs).to.equal(1);
    expect(percentile([5, 1, 3, 2, 4], 50)).to.equal(3);
    expect(percentile([...Array(100).keys()], 99)).to.equal(98);
    expect(Number.isNaN(periodStats([1], 50).meanPeriodMs)).to.equal(true);
  });

  it('expectFrame resolves on the first match and times out on the clock', async function () {
    const clock = new VirtualClock();
    const a = openVirtualCan('sch3', { clock });
    const b = openVirtualCan('sch3', { clock });
    const p = expectFrame(b, { id: 0x1812f456 }, 1000, clock);
    await a.send(canFrame(0x181056f4, [1]));
    await a.send(canFrame(0x1812f456, [2]));
    await clock.advance(1);
    expect(((await p) as CanFrame).data[0]).to.equal(2);
    const late = expectFrame(b, (f) => f.id === 0x1812f456, 1000, clock);
    let err: unknown;
    late.catch((e) => (err = e));
    await clock.advance(999);
    expect(err).to.equal(undefined);
    await clock.advance(1);
    expect(err).to.be.instanceOf(FrameTimeoutError).and.include({ waitedMs: 1000 });
    expect((err as Error).message).to.not.match(/assert/i);
    const none = waitForFrame(b, { id: 0x100, mask: 0x700 }, 10, clock);
    await a.send(canFrame(0x1ff, []));
    await clock.advance(1);
    expect((await none)?.id).to.equal(0x1ff);
    await a.close();
    await b.close();
  });

  it('records how late each send went out, in clock ms, also into the harness latency record', async function () {
    const clock = new RealClock();
    const tx = openVirtualCan('sch-late', { clock });
    const latency = new HarnessLatency();
    const sched = new PeriodicScheduler({ transport: tx, clock, latency });
    const task = sched.start({ name: 'BCL', periodMs: 10, count: 3, frame: canFrame(0x181056f4, [0]) });
    // Stall the event loop for 30 ms: the send due at 10 ms goes out at least 20 ms late.
    const until = process.hrtime.bigint() + 30_000_000n;
    while (process.hrtime.bigint() < until);
    while (task.running) await clock.sleep(5);
    const late = task.lateness();
    expect(late.count).to.equal(task.sent);
    expect(late.maxMs).to.be.at.least(20);
    expect(latency.stats().schedule).to.include({ count: task.sent });
    expect(latency.stats().schedule.maxMs).to.equal(late.maxMs);
    await tx.close();
  });
});
