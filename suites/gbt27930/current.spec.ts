// GB/T 27930-2015 current control: the charger follows the BMS's BCL demand (as it reports in CCS) and
// never exceeds the BMS's BCP maximum.

import { measure } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { PowerTrace, assertRampUp, assertSettle } from '../support/power-assertions.ts';
import { regulationTolerance, smoothedMax } from '../support/trace-analysis.ts';
import { GBT_REQUIREMENTS as R } from './requirements.ts';
import { gbtFixture } from './fixture.ts';
import { analyser, ccsSeries, currentSeries, derivedLimit, gbtLimits, mean, settleAt, waitCurrentNear } from './support.ts';

/** GB/T 18487.1 / 34657.1 current-control limits of the shared power assertions. */
const powerLimits = Limits.load('gbt');

function tolerance(demandA: number): number {
  return regulationTolerance(demandA, {
    tolA: gbtLimits.get('current.toleranceA').hi!,
    pct: gbtLimits.get('current.tolerancePct').hi!,
    thresholdA: gbtLimits.num('current.regulationThresholdA'),
  });
}

describe('GB/T 27930 current control', function () {
  const gbt = gbtFixture();

  it('follows the BCL current demand (CCS-reported output current)', async function () {
    requirement(R.followsBcl);
    const { bench, bms, after } = await gbt.charging();
    let previousA = 0;
    // Two demands well above the 30 A threshold, inside the 400 A a 2015 BMS can ask for.
    for (const demandA of [150, 250]) {
      const { settledNs } = await settleAt(bench, bms, demandA, previousA);
      previousA = demandA;
      const observeNs = gbtLimits.num('current.observeMs') * 1e6;
      const ccs = ccsSeries(bench, bms, after, settledNs - observeNs, settledNs);
      const tol = tolerance(demandA);
      measure(
        `CCS output current at a ${demandA} A demand (mean of ${ccs.y.length})`,
        mean(ccs.y),
        derivedLimit(
          gbtLimits.get('current.tolerancePct'),
          { lo: demandA - tol, hi: demandA + tol },
          gbtLimits.get('current.toleranceA'),
          `demand ${demandA} A ± ${tol.toFixed(2)} A`,
        ),
        { violation: 'current-control', unit: 'A' },
      );
    }
  });

  it('never delivers more than the BCP maximum charging current, even when BCL asks for more', async function () {
    requirement(R.bcpCap);
    const { bench, bms, after } = gbt.test();
    const bcpMaxA = 80;
    bms.session.override('BCP', { maxChargeCurrentA: bcpMaxA });
    await gbt.charging();
    const demandA = 2 * bcpMaxA; // the misbehaving BMS asks for twice what it declared
    const { stepNs, settledNs } = await settleAt(bench, bms, demandA, bms.session.demandA);
    const { series, source } = await currentSeries(bench, bms, after, stepNs, settledNs);
    const peak = smoothedMax(series).max;
    const excess = peak - (bcpMaxA + tolerance(bcpMaxA));
    measure(`peak output current above BCP maximum ${bcpMaxA} A + tolerance (${source})`, excess, gbtLimits.get('current.bcpMaxExcessA'), {
      violation: 'current-control',
      note: `peak ${peak.toFixed(1)} A`,
    });
  });

  it('ramps to a higher BCL demand at the minimum slope and settles (measured samples)', async function () {
    requirement(R.rampOnAnalyser);
    const { bench, bms } = gbt.test();
    const meter = analyser(bench, bms);
    if (!meter)
      throw new BenchFault(
        `the ramp test needs a power analyser: give the BMS resource '${bms.name}' a 'battery' (battery-emulator resource streaming samples)`,
      );
    const t = await gbt.charging();
    const fromA = bms.session.demandA;
    await settleAt(bench, bms, fromA);
    // The step is judged from a settled start level: a charger slower than the minimum slope still gets
    // there (within 3× the time that slope needs), and its slowness shows on the step, not as "no start".
    await waitCurrentNear(t, fromA, tolerance(fromA), 3 * (fromA / gbtLimits.num('current.minRampAps')) * 1000);
    const toA = fromA + 100;
    const { stepNs } = await settleAt(bench, bms, toA, fromA);
    await bench.clock.sleep(powerLimits.num('ramp.observeExtraS') * 1000);
    await meter.flush();
    const step = { stepS: stepNs / 1e9, fromA, toA };
    const trace = PowerTrace.fromTimeline(bench.timeline, {
      source: meter.source,
      fromNs: stepNs - 500e6,
      toNs: bench.clock.now(),
      title: `BCL step ${fromA} → ${toA} A`,
      requests: [
        { tS: stepNs / 1e9 - 0.5, currentA: fromA },
        { tS: stepNs / 1e9, currentA: toA },
      ],
      limits: powerLimits,
    });
    try {
      assertRampUp(trace, step);
      assertSettle(trace, step);
    } finally {
      await trace.attachEvidence();
    }
  });
});
