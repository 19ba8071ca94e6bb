// The one fixture every GB/T 27930 spec uses: per test, the bench, its BMS, the timeline mark and clock time
// the test started at, the harness-latency record of the test on the timeline when it ends, and the
// preamble most tests share (plug in and run the sequence to charging, optionally settle at the demand).

import type { Bench } from '../../benches/bench.ts';
import type { GbtBmsResource } from '../../benches/kinds/gbt27930-bms.ts';
import { describeStats } from '../../drivers/core/harness-latency.ts';
import { bmsOf, settleAt, startCharging } from './support.ts';

export interface GbtTest {
  bench: Bench;
  bms: GbtBmsResource;
  /** Timeline mark at the start of the test: this test's evidence comes after it. */
  after: number;
  /** Clock ns at the start of the test (the window of its harness-latency statistics). */
  startNs: number;
}

export interface GbtFixture {
  /** The running test's context (the BMS is looked up here, so a bench without one makes the test broken). */
  test(): GbtTest;
  /**
   * The common preamble: plug in and reach charging. A charger that does not makes the test broken (its precondition),
   * or, where reaching charging is what the test judges (`judged`), fails it (protocol).
   */
  charging(opts?: { settle?: boolean; judged?: boolean }): Promise<GbtTest>;
}

export function gbtFixture(): GbtFixture {
  let bench: Bench | undefined;
  let after = 0;
  let startNs = 0;
  beforeEach(function () {
    bench = this.bench;
    after = bench.timeline.mark();
    startNs = bench.clock.now();
  });
  // The harness's own latency over this test, next to its evidence (the timing steps carry it as uncertainty).
  afterEach(function () {
    const b = this.bench;
    const bms = b?.find<GbtBmsResource>('gbt27930-bms');
    if (!bms?.latency) return;
    const stats = bms.latency.judgedStats(startNs, b.clock.now());
    b.timeline.record('latency', bms.source, {
      test: this.currentTest?.fullTitle(),
      unit: 'clock ms',
      ...stats,
      text: describeStats(stats),
    });
  });
  const test = (): GbtTest => {
    if (!bench) throw new Error('gbtFixture().test() is only valid inside a test');
    return { bench, bms: bmsOf(bench), after, startNs };
  };
  return {
    test,
    async charging(opts = {}) {
      const t = test();
      await startCharging(t.bench, t.bms, opts.judged);
      if (opts.settle) await settleAt(t.bench, t.bms, t.bms.session.demandA);
      return t;
    },
  };
}
