// The harness measures its own latency in clock units: receive-to-stamp from the bus's own stamp, and the
// lateness of its timers; a timing verdict gets the p99s as uncertainty (a mean over n gaps gets 1/n).

import { expect } from 'chai';
import { RealClock, VirtualClock } from '../../drivers/core/clock.ts';
import { HarnessLatency } from '../../drivers/core/harness-latency.ts';
import { PeriodicTask, Watchdog } from '../../drivers/gbt27930/periodic.ts';
import { openRig } from './rig.ts';

describe('harness latency (GB/T timing uncertainty)', function () {
  it('gives percentiles per kind and window, and an uncertainty that shrinks over a mean of n intervals', function () {
    const h = new HarnessLatency();
    for (let i = 1; i <= 100; i++) h.record('schedule', i * 1e6, i * 1e9); // 1 … 100 ms late, at t = 1 … 100 s
    h.record('receive', 2e6, 50e9);
    h.record('receive', 5e6, 60e9);
    const all = h.stats();
    expect(all.schedule).to.include({ count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    // A remote hub's constant offset is not latency: only the spread above the smallest delay counts.
    expect(all.receive).to.include({ count: 2, p50Ms: 0, maxMs: 3 });
    expect(h.stats(10e9, 19e9).schedule).to.include({ count: 10, maxMs: 19 });
    expect(h.stats(200e9).receive.count).to.equal(0);
    const u = h.uncertainty(0, 1e12);
    expect(u.valueMs).to.be.closeTo(Math.hypot(3, 99), 1e-9);
    expect(u.source).to.match(/receive p50 0\.00 .*schedule p50 50\.00 \/ p99 99\.00/);
    expect(h.uncertainty(0, 1e12, 10).valueMs).to.be.closeTo(Math.hypot(3, 99) / 10, 1e-9);
    expect(new HarnessLatency().uncertainty(0, 1).valueMs).to.equal(0);
  });

  it("judges stamps taken on a wire engine with that path's figures only, naming the main-thread lateness it leaves out", function () {
    const h = new HarnessLatency();
    h.record('schedule', 130e6, 1e9); // a main-thread stall of 130 ms (a watchdog fired late)
    h.record('schedule', 0.4e6, 1e9, 'wire');
    h.record('receive', 0.1e6, 1e9, 'wire');
    h.record('receive', 0.3e6, 2e9, 'wire');
    expect(h.stampPath).to.equal('main');
    expect(h.uncertainty(0, 1e12).valueMs).to.be.closeTo(Math.hypot(0.2, 130), 1e-9);
    h.stampedOnWire('native real-time helper');
    expect(h.stampPath).to.equal('wire');
    const u = h.uncertainty(0, 1e12);
    expect(u.valueMs).to.be.closeTo(Math.hypot(0.2, 0.4), 1e-9);
    expect(u.source).to.match(
      /off the main thread by the native real-time helper; main-thread timer lateness, p99 130\.00 ms, does not enter them; p99s/,
    );
    // The run's figures still show both paths.
    expect(h.stats().schedule).to.include({ count: 2, maxMs: 130 });
    expect(h.stats(0, 1e12, 'wire').schedule).to.include({ count: 1, maxMs: 0.4 });
    expect(h.judgedStats().schedule).to.include({ count: 1, maxMs: 0.4 });
    expect(h.wireEngine).to.equal('native real-time helper');
  });

  it('reports timer lateness in clock units: none on virtual time, rate × wall lateness on a scaled clock', async function () {
    const v = new VirtualClock();
    const late: number[] = [];
    const task = new PeriodicTask(
      v,
      50,
      () => undefined,
      (ns) => late.push(ns),
    );
    task.start();
    new Watchdog(
      v,
      'CCS',
      () => undefined,
      (ns) => late.push(ns),
    ).kick(120);
    await v.advance(200);
    task.stop();
    expect(late).to.have.length(5); // four periodic firings after the first, one watchdog
    expect(late.every((ns) => ns === 0)).to.equal(true);

    // On a clock running 5× wall time, a 20 ms wall stall of the event loop makes a timer due at 10 clock ms
    // fire at least 5 × 20 − 10 = 90 clock ms late: that is what the stamps being judged suffer.
    const scaled = new RealClock(5);
    const seen: number[] = [];
    const fired = new Promise<void>((resolve) =>
      new Watchdog(
        scaled,
        'x',
        () => resolve(),
        (ns) => seen.push(ns),
      ).kick(10),
    );
    const until = process.hrtime.bigint() + 20_000_000n;
    while (process.hrtime.bigint() < until); // the stall
    await fired;
    expect(seen[0] / 1e6).to.be.at.least(90);
  });

  it("restarts a timeout from a received message's stamp: the time taken to get to the message is not added", async function () {
    const v = new VirtualClock();
    await v.advance(100);
    let firedAt = -1;
    const w = new Watchdog(v, 'BCL', () => (firedAt = v.nowMs()));
    w.kick(1000, v.now() - 30e6); // the message arrived 30 ms before the node got to it
    await v.advance(969);
    expect(firedAt).to.equal(-1);
    await v.advance(1);
    expect(firedAt).to.equal(1070);
    w.kick(50, v.now() + 10e6); // a stamp 'after now' never lengthens a timeout
    await v.advance(50);
    expect(firedAt).to.equal(1120);
  });

  it("records the BMS node's receive-to-stamp latency and timer lateness while a session runs (virtual bus)", async function () {
    const latency = new HarnessLatency();
    const rig = await openRig({ latency });
    try {
      const r = await rig.bms.startCharging();
      expect(r.ok, r.reason).to.equal(true);
      await rig.clock.sleep(500);
      const s = latency.stats();
      expect(s.receive.count).to.be.greaterThan(10);
      expect(s.schedule.count).to.be.greaterThan(10);
      // On virtual time nothing is late: the measurement itself adds nothing.
      expect(s.receive.maxMs).to.equal(0);
      expect(s.schedule.maxMs).to.equal(0);
    } finally {
      await rig.close();
    }
  });
});
