// The bench checks itself before any charger test is trusted: every resource is open and answers, the
// clock keeps its rate, the timeline is on disk and monotonic, the safe state is reachable.

import { readTimelineFile } from '../../drivers/core/timeline.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { check, measure } from '../../reports/evidence.ts';
import type { Interlock } from '../../drivers/core/resource.ts';
import { benchLimits, benchRequirement } from './support.ts';

describe('Bench self-check', function () {
  it('every resource is open and answers', async function () {
    benchRequirement('BENCH-RESOURCES-001', 'Resources', 'blocker');
    const { bench } = this;
    // A bench only opens with every resource open: a missing one is a broken harness, not a verdict.
    const missing = Object.keys(bench.config.resources).filter((n) => !bench.resources.has(n));
    if (missing.length) throw new BenchFault(`resources not open: ${missing.join(', ')}`);
    for (const il of bench.resourcesOfKind<Interlock>('emulated-interlock')) await il.readBack();
  });

  it('the clock keeps its configured rate', async function () {
    benchRequirement('BENCH-CLOCK-001', 'Clock', 'critical');
    const { bench } = this;
    const rate = bench.config.clock.rate ?? 1;
    const windowMs = benchLimits.num('bench.clockObserveMs');
    if (bench.config.clock.kind === 'virtual') {
      // Virtual time keeps no pace with the wall: its reading must move exactly as far as its own timers wait.
      const v0 = bench.clock.now();
      await bench.clock.sleep(windowMs);
      const virtualErrorPct = Math.abs((bench.clock.now() - v0) / (windowMs * 1e6) - 1) * 100;
      measure('clock rate error', virtualErrorPct, benchLimits.get('bench.clockRateErrorPct'), { violation: 'timing' });
      return;
    }
    const wall0 = process.hrtime.bigint();
    const t0 = bench.clock.now();
    await new Promise((r) => setTimeout(r, windowMs)); // wall time on purpose: this test judges the bench clock against it
    const wallNs = Number(process.hrtime.bigint() - wall0);
    const benchNs = bench.clock.now() - t0;
    const errorPct = (Math.abs(benchNs / wallNs - rate) / rate) * 100;
    measure('clock rate error', errorPct, benchLimits.get('bench.clockRateErrorPct'), { violation: 'timing' });
  });

  // Before the timeline test, which arms the interlock: with a welded relay the safe state after that test
  // fails and aborts the run, so this check must already have judged it.
  it('the safe state is reachable', async function () {
    benchRequirement('BENCH-SAFE-STATE-001', 'Safe state', 'blocker');
    const { bench } = this;
    const interlocks = bench.resourcesOfKind<Interlock>('emulated-interlock');
    for (const il of interlocks) await il.arm();
    const outcome = await bench.safeState('bench self-check');
    const bound = benchLimits.get('bench.safeStateMs');
    const f = outcome.failure;
    // Every step confirmed within its own bound (fixtures/limits/bench.yaml), and the whole within the total.
    check('safe state reached, every step within its bound', outcome.ok && outcome.ms <= bound.hi!, {
      violation: 'safety',
      clause: bound.clause,
      verified: bound.verified,
      expected: `every step confirmed, total ≤ ${bound.hi} ms`,
      actual: f ? `${f.resource}: ${f.title}: ${f.error}` : `${Math.round(outcome.ms)} ms`,
    });
    for (const il of interlocks) {
      const seen = await il.readBack();
      check(`interlock '${il.name}' open after safe state`, seen === 'open', {
        violation: 'safety',
        clause: benchLimits.get('bench.safeStateMs').clause,
        verified: false,
        expected: 'open',
        actual: seen,
      });
    }
  });

  it('the timeline is on disk, complete and monotonic', async function () {
    benchRequirement('BENCH-TIMELINE-001', 'Timeline', 'critical');
    const { bench } = this;
    // A state change and its readback: the readback must not be stamped before the change it reads.
    for (const il of bench.resourcesOfKind<Interlock>('emulated-interlock')) {
      await il.arm();
      await il.readBack();
    }
    bench.timeline.flush();
    const onDisk = readTimelineFile(bench.timeline.file!);
    const opened = new Set(onDisk.filter((e) => e.data.event === 'resource-open').map((e) => e.source));
    check(
      'every resource-open is on disk',
      Object.keys(bench.config.resources).every((n) => opened.has(n)),
      {
        violation: 'protocol',
        clause: 'DESIGN.md timeline',
        verified: true,
        expected: Object.keys(bench.config.resources),
        actual: [...opened],
      },
    );
    // Each source's own record must run forward in time (a source may stamp an event with when it
    // happened, e.g. a sample block's first sample, so different sources interleave).
    let backward = 0;
    const lastBySource = new Map<string, number>();
    for (let i = 0; i < onDisk.length; i++) {
      const e = onDisk[i];
      if (i > 0 && e.seq <= onDisk[i - 1].seq) backward++;
      const key = `${e.source}/${e.kind}`;
      if (e.t < (lastBySource.get(key) ?? -Infinity)) backward++;
      lastBySource.set(key, e.t);
    }
    measure('timeline steps backwards', backward, benchLimits.get('bench.timelineBackwardSteps'), { violation: 'timing', unit: 'events' });
  });
});
