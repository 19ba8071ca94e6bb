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
