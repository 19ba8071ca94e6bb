import { expect } from 'chai';
import { gbtEvents, openRig } from './rig.ts';
import { openPerTest } from '../support/per-test.ts';

describe('GB/T 27930 BMS session vs emulated charger (virtual bus)', function () {
  const open = openPerTest(openRig);

  it('runs the full sequence to charging, follows BCL, and ends with statistics', async function () {
    const rig = await open();
    const start = await rig.bms.startCharging();
    expect(start.ok, start.reason).to.equal(true);
    await rig.clock.sleep(5000);
    const ccs = rig.bms.lastChargerStatus!;
    expect(ccs.outputCurrentA).to.be.closeTo(100, 3);
    rig.bms.requestCurrent(80);
    await rig.clock.sleep(3000);
    expect(rig.bms.lastChargerStatus!.outputCurrentA).to.be.closeTo(80, 3);
    const stop = await rig.bms.stop();
    expect(stop.ok).to.equal(true);
    const order = rig.timeline.query({ kind: 'gbt', source: 'bms' }).map((e) => e.data.code as string);
    const first = (c: string) => order.indexOf(c);
    for (const [a, b] of [
      ['CHM', 'BHM'],
      ['BHM', 'CRM'],
      ['CRM', 'BRM'],
      ['BRM', 'BCP'],
      ['BCP', 'CML'],
      ['CML', 'BRO'],
      ['BRO', 'CRO'],
      ['CRO', 'BCL'],
      ['BCL', 'CCS'],
      ['CCS', 'BST'],
      ['BST', 'CST'],
      ['CST', 'BSD'],
      ['BSD', 'CSD'],
    ])
      expect(first(a), `${a} before ${b}`).to.be.lessThan(first(b));
    expect(gbtEvents(rig.timeline, 'bms', 'rx', 'BRM')).to.have.length(0);
    expect(gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BRM').length).to.be.greaterThan(0);
    expect(gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BCS').length).to.be.greaterThan(5);
  });
});
