// GB/T 27930-2015 charging sequence and message periods, judged from the vehicle BMS's decoded messages
// (timing steps carry the harness's own latency as uncertainty).

import { BenchFault } from '../../drivers/core/errors.ts';
import { check, requirement } from '../../reports/evidence.ts';
import { GBT_TEST_IDS } from './test-ids.ts';
import { gbtFixture } from './fixture.ts';
import { measureTiming } from './timing.ts';
import { READY, RECOGNISED, NOT_RECOGNISED } from '../../drivers/gbt27930/messages.ts';
import type { GbtCode } from '../../drivers/gbt27930/messages.ts';
import { EPIC, first, gbtLimits, intervalsMs, mean, messages, msBetween, until, value, type GbtEvent } from './support.ts';

describe('GB/T 27930 charging sequence', function () {
  const gbt = gbtFixture();

  it('runs handshake → recognition → configuration → charging in the standard order', async function () {
    requirement(GBT_TEST_IDS.sequence, { epic: EPIC, feature: 'Charging sequence', story: 'CHM, CRM(0x00), BRM, CRM(0xAA), BCP, CML, BRO, CRO, CCS', clause: 'GB/T 27930-2015 §10, Fig. A.6', severity: 'blocker' });
    const t = await gbt.charging();
    const { bench, bms, after } = t;
    // CCS follows the first BCL after CRO(0xAA); give it the standard's CCS timeout to appear.
    await until(bench, () => messages(bench, bms, after, 'rx', 'CCS').length > 0, bms.timing.timeoutMs.CCS_first);
    const rx = messages(bench, bms, after, 'rx');
    const tx = messages(bench, bms, after, 'tx');
    const chm = first(rx, (e) => e.data.code === 'CHM');
    const crm00 = first(rx, (e) => e.data.code === 'CRM' && value(e, 'recognition') === NOT_RECOGNISED);
    const crmAa = first(rx, (e) => e.data.code === 'CRM' && value(e, 'recognition') === RECOGNISED);
    const brm = first(tx, (e) => e.data.code === 'BRM');
    const bcp = first(tx, (e) => e.data.code === 'BCP');
    const cml = first(rx, (e) => e.data.code === 'CML');
    const broAa = first(tx, (e) => e.data.code === 'BRO' && value(e, 'ready') === READY);
    const croAa = first(rx, (e) => e.data.code === 'CRO' && value(e, 'ready') === READY);
    const ccs = first(rx, (e) => e.data.code === 'CCS');
    const order: [string, GbtEvent | undefined, string, GbtEvent | undefined][] = [
      ['CHM', chm, 'CRM(0x00)', crm00],
      ['CRM(0x00)', crm00, 'CRM(0xAA)', crmAa],
      ['BRM', brm, 'CRM(0xAA)', crmAa],
      ['BCP', bcp, 'CML', cml],
      ['BRO(0xAA)', broAa, 'CRO(0xAA)', croAa],
      ['CRO(0xAA)', croAa, 'CCS', ccs],
    ];
    for (const [a, ea, b, eb] of order) {
      check(`${a} precedes ${b}`, !!ea && !!eb && ea.t <= eb.t, {
        violation: 'protocol', clause: 'GB/T 27930-2015 §10, Fig. A.6', verified: false,
        expected: `${a} then ${b}`, actual: `${a} at ${ea ? (ea.t / 1e6).toFixed(1) + ' ms' : 'never'}, ${b} at ${eb ? (eb.t / 1e6).toFixed(1) + ' ms' : 'never'}`,
      });
    }
    measureTiming(t, 'BRM → CRM(0xAA)', msBetween(brm?.t, crmAa?.t), gbtLimits.get('reaction.brmToCrmAaMs'), { violation: 'timing' });
    measureTiming(t, 'BRO(0xAA) → CRO(0xAA)', msBetween(broAa?.t, croAa?.t), gbtLimits.get('reaction.broToCroMs'), { violation: 'timing' });
  });

  it('sends every charger message at its period', async function () {
    requirement(GBT_TEST_IDS.periods, { epic: EPIC, feature: 'Message periods', story: 'CHM, CTS, CML, CCS', clause: 'GB/T 27930-2015 Tables 3–5', severity: 'normal' });
    const t = gbt.test();
    const { bench, bms, after } = t;
    // Hold BRO at 0x00 so that CTS/CML run long enough to be judged (the standard allows up to 60 s).
    const holdMs = gbtLimits.num('period.CTS') * (gbtLimits.num('period.minSamples') + 1);
    bms.session.delayBroReady(holdMs);
    await gbt.charging({ settle: true });
    const rx = messages(bench, bms, after, 'rx');
    const firstOf = (code: GbtCode) => first(rx, (e) => e.data.code === code)?.t ?? Number.POSITIVE_INFINITY;
    // CHM is judged until recognition starts (the next idle CHM run is another phase); CTS, CML and CCS over
    // every frame seen, whenever the charger sent them.
    const now = bench.clock.now();
    const windows: [GbtCode, number][] = [['CHM', firstOf('CRM')], ['CTS', now], ['CML', now], ['CCS', now]];
    // Too few frames to judge a period is a bench that could not judge, not a charger verdict: the periods
    // that can be judged are, then the test ends broken naming the rest.
    const minSamples = gbtLimits.num('period.minSamples');
    const unjudged: string[] = [];
    for (const [code, endNs] of windows) {
      const frames = rx.filter((e) => e.data.code === code && e.t <= endNs);
      const gaps = intervalsMs(frames);
      if (gaps.length < minSamples) {
        unjudged.push(`${code} (${gaps.length} intervals, ${minSamples} needed)`);
        continue;
      }
      const note = `longest gap ${Math.max(...gaps).toFixed(1)} ms`;
      measureTiming(t, `${code} period (mean of ${gaps.length})`, mean(gaps), gbtLimits.get(`period.${code}`), { violation: 'timing', note, intervals: gaps.length });
    }
    if (unjudged.length) throw new BenchFault(`too few frames to judge the period of ${unjudged.join(', ')}`, bms.name);
  });
});
