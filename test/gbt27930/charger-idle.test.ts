// Before each GB/T test the BMS goes silent and waits, bounded, until the charger sends only its idle
// handshake (CHM) again; a charger that keeps a dropped session makes the wait end in a BenchFault that
// names the previous test.

import { expect } from 'chai';
import { BenchFault } from '../../drivers/core/errors.ts';
import { awaitGbtChargerIdle, type ChargerIdleOptions } from '../../drivers/gbt27930/charger-idle.ts';
import { openRig, type Rig } from './rig.ts';
import { openPerTest } from '../support/per-test.ts';

function idleOptions(r: Rig, boundMs = 35000): ChargerIdleOptions {
  return {
    link: r.bms.opts.link,
    clock: r.clock,
    resource: 'bms',
    boundMs,
    periodMs: 250,
    goSilent: () => r.bms.state !== 'idle' && r.bms.unplug('test: silent'),
  };
}

describe('GB/T charger idle before a test', function () {
  const open = openPerTest(openRig);

  it('sees an idle charger at once (CHM only) and says so', async function () {
    const rig = await open();
    const text = await awaitGbtChargerIdle(idleOptions(rig), 'the start of the run');
    expect(text).to.match(/^charger idle: 3 handshake messages in a row \(vehicle silent, waited \d+ ms\)$/);
  });

  it('after a session the charger ended with CEM (BCL timeout), waits until it sends CHM again', async function () {
    const rig = await open();
    const r = await rig.bms.startCharging();
    expect(r.ok, r.reason).to.equal(true);
    rig.bms.stopSending('BCL');
    await rig.clock.sleep(1500);
    expect(rig.charger.state).to.equal('error');
    const text = await awaitGbtChargerIdle(idleOptions(rig), 'the BCL timeout test');
    expect(text).to.match(/after its last (CEM|CST)/);
    expect(rig.charger.state).to.equal('idle');
    // And the next session starts cleanly.
    const again = await rig.bms.startCharging();
    expect(again.ok, again.reason).to.equal(true);
  });

  it('a charger that keeps its dropped session past the bound is a BenchFault naming the previous test', async function () {
    const rig = await open();
    const r = await rig.bms.startCharging();
    expect(r.ok, r.reason).to.equal(true);
    // Stand-in for a charger stuck in its session: CCS keeps coming whatever the vehicle does.
    const chargerLink = rig.charger.opts.link;
    let on = true;
    const tick = async () => {
      while (on) {
        await chargerLink.send('CCS', { outputVoltageV: 600, outputCurrentA: 0, chargingTimeMin: 1, chargingPermitted: 1 });
        await rig.clock.sleep(50);
      }
    };
    void tick();
    try {
      const err = await awaitGbtChargerIdle(idleOptions(rig, 3000), 'the BST stop test').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(BenchFault);
      expect((err as Error).message).to.match(
        /^charger did not return to idle after the BST stop test: the charger still sends CCS, not only CHM within 3000 ms/,
      );
    } finally {
      on = false;
    }
  });
});
