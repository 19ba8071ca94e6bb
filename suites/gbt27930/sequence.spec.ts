// GB/T 27930-2015 charging sequence and message periods, judged from the vehicle BMS's decoded messages
// (timing steps carry the harness's own latency as uncertainty).

import { BenchFault } from '../../drivers/core/errors.ts';
import { check } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { GBT_REQUIREMENTS as R } from './requirements.ts';
import { gbtFixture } from './fixture.ts';
import { measureTiming } from './timing.ts';
import { chargerPeriods, gbtView, periodName, sequenceOrder } from '../support/gbt27930-offline.ts';
import { gbtLimits, messages, until } from './support.ts';

describe('GB/T 27930 charging sequence', function () {
  const gbt = gbtFixture();

  it('runs handshake → recognition → configuration → charging in the standard order', async function () {
    requirement(R.sequence);
    // Reaching charging is this test's verdict (the sequence), not its precondition.
    const t = await gbt.charging({ judged: true });
    const { bench, bms, after } = t;
    // CCS follows the first BCL after CRO(0xAA); give it the standard's CCS timeout to appear.
    await until(bench, () => messages(bench, bms, after, 'rx', 'CCS').length > 0, bms.timing.timeoutMs.CCS_first);
    // The same derivation `mcs-hil verify` and `mcs-hil judge` run offline (suites/support/gbt27930-offline.ts).
    const seq = sequenceOrder(gbtView(bench.timeline.query({ afterSeq: after }), bms.source));
    for (const p of seq.pairs) {
      check(`${p.a} precedes ${p.b}`, p.ok, {
        violation: 'protocol',
        clause: 'GB/T 27930-2015 §10, Fig. A.6',
        verified: false,
        expected: `${p.a} then ${p.b}`,
        actual: p.actual,
      });
    }
    measureTiming(t, 'BRM → CRM(0xAA)', seq.brmToCrmAaMs, gbtLimits.get('reaction.brmToCrmAaMs'), { violation: 'timing' });
    measureTiming(t, 'BRO(0xAA) → CRO(0xAA)', seq.broToCroMs, gbtLimits.get('reaction.broToCroMs'), { violation: 'timing' });
  });

  it('sends every charger message at its period', async function () {
    requirement(R.periods);
    const t = gbt.test();
    const { bench, bms, after } = t;
    // Hold BRO at 0x00 so that CTS/CML run long enough to be judged (the standard allows up to 60 s).
    const holdMs = gbtLimits.num('period.CTS') * (gbtLimits.num('period.minSamples') + 1);
    bms.session.delayBroReady(holdMs);
    await gbt.charging({ settle: true });
    // CHM is judged until recognition starts (the next idle CHM run is another phase); CTS, CML and CCS over
    // every frame seen, whenever the charger sent them — as `verify` and `judge` derive them offline.
    const periods = chargerPeriods(gbtView(bench.timeline.query({ afterSeq: after }), bms.source), bench.clock.now());
    // Too few frames to judge a period is a bench that could not judge, not a charger verdict: the periods
    // that can be judged are, then the test ends broken naming the rest.
    const minSamples = gbtLimits.num('period.minSamples');
    const unjudged: string[] = [];
    for (const p of periods) {
      if (p.intervals < minSamples) {
        unjudged.push(`${p.code} (${p.intervals} intervals, ${minSamples} needed)`);
        continue;
      }
      const note = `longest gap ${p.longestMs.toFixed(1)} ms`;
      measureTiming(t, periodName(p.code, p.intervals), p.meanMs, gbtLimits.get(`period.${p.code}`), {
        violation: 'timing',
        note,
        intervals: p.intervals,
      });
    }
    if (unjudged.length) throw new BenchFault(`too few frames to judge the period of ${unjudged.join(', ')}`, bms.name);
  });
});
