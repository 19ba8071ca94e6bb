// The BMS and the emulated charger over our socketcand hub: real TCP, real time.

import { expect } from 'chai';
import { RealClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { SocketcandHub } from '../../drivers/can/socketcand-hub.ts';
import { SocketcandCan } from '../../drivers/can/socketcand-client.ts';
import { gbtEvents, openRig } from './rig.ts';

describe('GB/T 27930 session over the socketcand hub', function () {
  it('reaches charging, delivers current and ends with statistics over TCP', async function () {
    const hub = new SocketcandHub({ host: '127.0.0.1', port: 0 });
    const { host, port } = await hub.listen();
    // The rig's clock drives everything; TCP needs real time, so the rig gets a real clock here.
    const clock = new RealClock(1);
    const tl = new Timeline({ clock });
    const vehicle = await SocketcandCan.open({ host, port, bus: 'gbt', clock, timeline: tl, source: 'vehicle-can' });
    const charger = await SocketcandCan.open({ host, port, bus: 'gbt', clock, timeline: tl, source: 'charger-can' });
    const rig = await openRig({ clock, transports: { vehicle, charger }, insulationTestMs: 300 });
    try {
      const start = await rig.bms.startCharging();
      expect(start.ok, start.reason).to.equal(true);
      await clock.sleep(1500);
      expect(rig.bms.lastChargerStatus!.outputCurrentA).to.be.greaterThan(10);
      const stop = await rig.bms.stop();
      expect(stop.ok, stop.reason).to.equal(true);
      expect(gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BRM')).to.have.length(1);
      expect(gbtEvents(rig.timeline, 'bms', 'rx', 'CSD').length).to.be.greaterThan(0);
    } finally {
      await rig.close();
      await hub.close();
    }
  });
});
