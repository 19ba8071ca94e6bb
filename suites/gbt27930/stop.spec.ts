// GB/T 27930-2015 stops: BMS-initiated (BST), pause (BSM), BMS error (BEM), statistics (BSD/CSD), and the
// output-current stop rate of GB/T 34657.1, judged on measured samples when the bench has a power analyser.
// Times between stamped messages carry the harness's own latency as uncertainty.

import { requirement } from '../support/requirements.ts';
import { STATUS } from '../../drivers/gbt27930/messages.ts';
import { timeToFallBelow } from '../support/trace-analysis.ts';
import { GBT_REQUIREMENTS as R } from './requirements.ts';
import { gbtFixture } from './fixture.ts';
import { awaitFirst, awaitSent, currentSeries, gbtLimits, judgeStopRate, msBetween, value, waitCurrentBelow } from './support.ts';
import { measureTiming } from './timing.ts';

describe('GB/T 27930 stop and statistics', function () {
  const gbt = gbtFixture();

  it('stops the output after BST (BMS-initiated stop) at the required rate', async function () {
    requirement(R.stopAfterBst);
    const t = await gbt.charging({ settle: true });
    const { bench, bms, after } = t;
    bms.session.beginStop();
    const bst = await awaitSent(t, 'BST', 1000);
    const cst = await awaitFirst(t, 'rx', 'CST', gbtLimits.get('reaction.bstToCstMs').hi! + 500, (e) => e.t >= bst.t);
    measureTiming(t, 'BST → CST', msBetween(bst.t, cst?.t), gbtLimits.get('reaction.bstToCstMs'), { violation: 'protocol' });
    const ok = await waitCurrentBelow(bench, bms, after, bst.t, gbtLimits.get('stop.currentBelowA').hi!, gbtLimits.num('stop.afterBstMs'));
    const { series } = await currentSeries(bench, bms, after, bst.t, bench.clock.now());
    const belowS = ok ? timeToFallBelow(series, 0, gbtLimits.get('stop.currentBelowA').hi!) : undefined;
    measureTiming(
      t,
      'BST → output current < 5 A',
      belowS === undefined ? Number.POSITIVE_INFINITY : belowS * 1000,
      gbtLimits.get('stop.afterBstMs'),
      { violation: 'safety' },
    );
    await judgeStopRate(t, bst.t, 'BST stop');
  });

  it('sends its statistics (CSD) after the stop', async function () {
    requirement(R.statistics);
    const t = await gbt.charging();
    const { bench, bms } = t;
    await bench.clock.sleep(gbtLimits.num('current.observeMs'));
    bms.session.beginStop();
    const limit = gbtLimits.get('reaction.stopToStatisticsMs');
    const bst = await awaitSent(t, 'BST', 1000);
    const bstNs = bst.t;
    // Only this session's CSD counts: the previous session's charger may still be sending its own.
    const csd = await awaitFirst(t, 'rx', 'CSD', limit.hi! + 500, (e) => e.t >= bstNs);
    measureTiming(t, 'stop (BST) → CSD', msBetween(bst.t, csd?.t), limit, { violation: 'protocol' });
  });

  it('pauses the output when BSM withdraws the charging permission', async function () {
    requirement(R.pause);
    const t = await gbt.charging({ settle: true });
    const { bms } = t;
    bms.session.setChargingPermitted(false);
    const bsm = await awaitSent(t, 'BSM', 1000, (e) => value(e, 'chargingPermitted') === STATUS.normal);
    await judgeStopRate(t, bsm.t, 'BSM pause', 'current-control');
    bms.session.setChargingPermitted(true);
  });

  it('stops the output when the BMS reports an error (BEM)', async function () {
    requirement(R.stopOnBem);
    const t = await gbt.charging({ settle: true });
    const { bms } = t;
    bms.session.sendBem({ other: 1 });
    const bem = await awaitSent(t, 'BEM', 1000);
    await judgeStopRate(t, bem.t, 'BEM error stop');
  });
});
