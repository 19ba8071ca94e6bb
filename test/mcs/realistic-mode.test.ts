// The emulated charger's 'realistic' behaviour (like the mature open-source SECCs) and the vehicle's
// answer to it: a session dropped without SessionStop is held until the sequence timeout, the connection
// closes 5 s after FAILED [V2G20-1633], and a vehicle that ends its sessions properly leaves the charger
// idle at once. In-process, virtual clock.

import { expect } from 'chai';
import { SECC_CLOSE_WAIT_MS } from '../../emulator/mcs/secc-server.ts';
import { memoryRig, sessionSetUp, prematureStart } from './helpers.ts';
import { openPerTest } from '../support/per-test.ts';

describe('MCS charger, realistic behaviour (in-process)', function () {
  const open = openPerTest(memoryRig);

  it('holds a session dropped without SessionStop until its sequence timeout (busy meanwhile)', async function () {
    const rig = await open({ charger: { behaviour: 'realistic' } });
    const s = await sessionSetUp(rig);
    const t0 = rig.clock.nowMs();
    await s.link.close(); // no SessionStop
    await rig.clock.sleep(10);
    expect(rig.charger.busyReason(), 'busy right after the drop').to.be.a('string');
    await rig.charger.settled();
    expect(rig.clock.nowMs() - t0).to.be.at.least(rig.charger.timers.V2G_SECC_Sequence_Timeout - 20);
    expect(rig.charger.busyReason()).to.equal(undefined);
  });

  it('an unplug (CE to A) ends a held session at once', async function () {
    const rig = await open({ charger: { behaviour: 'realistic' } });
    const s = await sessionSetUp(rig);
    await s.link.close();
    await rig.clock.sleep(10); // the charger has seen the drop and holds the session
    const t0 = rig.clock.nowMs();
    rig.charger.vehicleUnplugged();
    await rig.charger.settled();
    expect(rig.clock.nowMs() - t0).to.be.below(100);
  });

  it('ends its sessions with SessionStop: the charger is idle at once', async function () {
    const rig = await open({ charger: { behaviour: 'realistic' } });
    const s = await rig.vehicle.openSession();
    await s.runUntil('ServiceDiscovery');
    const did = await rig.vehicle.endSessions('test end');
    expect(did).to.deep.equal(['SessionStop(Terminate) → OK']);
    await rig.charger.settled();
    expect(rig.charger.results.at(-1)?.reason).to.equal('session-stopped');
    expect(rig.charger.busyReason()).to.equal(undefined);
  });

  it('closes 5 s after a FAILED answer and processes nothing meanwhile', async function () {
    const rig = await open({ charger: { behaviour: 'realistic' } });
    const s = await sessionSetUp(rig);
    const failed = await prematureStart(s);
    expect(failed.responseCode).to.equal('FAILED_SequenceError');
    const after = await s.exchange('AuthorizationSetup', {});
    expect(after.outcome).to.equal('timeout');
    await s.waitForClose(2 * SECC_CLOSE_WAIT_MS);
    const closedAfterMs = (s.link.closedAtNs! - failed.receivedAtNs!) / 1e6;
    expect(closedAfterMs).to.be.within(SECC_CLOSE_WAIT_MS, SECC_CLOSE_WAIT_MS + 50);
  });

  it('fault answers-after-failed: one more request is answered after FAILED, then the connection closes', async function () {
    const rig = await open({ faults: ['answers-after-failed'] });
    const s = await sessionSetUp(rig);
    const failed = await prematureStart(s);
    expect(failed.responseCode).to.equal('FAILED_SequenceError');
    const after = await s.exchange('AuthorizationSetup', {});
    expect(after.outcome).to.equal('response');
    expect((await s.waitForClose(1000)).closed).to.equal(true);
  });
});
