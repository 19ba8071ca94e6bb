// The vehicle BMS's own timers and tolerance, against a scripted charger node on the virtual bus.

import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { openVirtualCan } from '../../drivers/can/virtual-bus.ts';
import { BmsSession } from '../../drivers/gbt27930/bms-session.ts';
import { bmsProfileFromVehicle } from '../../drivers/gbt27930/bms-profile.ts';
import { loadGbtTiming } from '../../drivers/gbt27930/timing.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { gbtEvents, gbtTestLink, openRig } from './rig.ts';
import { openPerTest } from '../support/per-test.ts';

let seq = 0;

/** A BMS and a bare charger link the test scripts by hand. */
function scripted() {
  const clock = new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const ch = `gbt-bms-${process.pid}-${++seq}`;
  const vCan = openVirtualCan(ch, { clock, timeline, source: 'vehicle-can' });
  const cCan = openVirtualCan(ch, { clock, timeline, source: 'charger-can' });
  const bms = new BmsSession({
    link: gbtTestLink('bms', vCan, clock, timeline),
    clock,
    timeline,
    source: 'bms',
    timing: loadGbtTiming(),
    profile: bmsProfileFromVehicle(loadVehicleProfile('truck-lfp-620kwh')),
  });
  const charger = gbtTestLink('charger', cCan, clock, timeline);
  return { clock, timeline, bms, charger, close: async () => (await bms.close(), clock.stopAutoAdvance(), timeline.close()) };
}

describe('GB/T 27930 BMS session on its own', function () {
  const open = openPerTest(openRig);

  it('accepts CRM(0x00) without CHM (2011-edition chargers) and identifies itself with a 49-byte BRM', async function () {
    const s = scripted();
    try {
      s.bms.plugIn();
      const got: number[] = [];
      s.charger.onMessage((m) => m.code === 'BRM' && got.push(m.raw.length));
      await s.charger.send('CRM', { recognition: 0, chargerNumber: 7 });
      await s.clock.sleep(300);
      expect(s.bms.state).to.equal('recognition');
      expect(got[0]).to.equal(49);
    } finally {
      await s.close();
    }
  });

  it('raises BEM(CRM 0xAA timeout) when the charger never recognises it within 5 s', async function () {
    const s = scripted();
    try {
      s.bms.plugIn();
      await s.charger.send('CRM', { recognition: 0, chargerNumber: 7 });
      await s.clock.sleep(4900);
      expect(s.bms.state).to.equal('recognition');
      await s.clock.sleep(300);
      expect(s.bms.state).to.equal('error');
      const bem = gbtEvents(s.timeline, 'bms', 'tx', 'BEM');
      expect(bem.length).to.be.greaterThan(0);
      expect(bem[0].data.values).to.include({ crmAaTimeout: 1, ccsTimeout: 0 });
    } finally {
      await s.close();
    }
  });

  it('raises BEM(CCS timeout) 1 s after the charger falls silent while charging', async function () {
    const rig = await open();
    const r = await rig.bms.startCharging();
    expect(r.ok).to.equal(true);
    await rig.clock.sleep(500);
    await rig.charger.close(); // the charger vanishes mid-charge
    const lastCcs = gbtEvents(rig.timeline, 'bms', 'rx', 'CCS').at(-1)!;
    await rig.clock.sleep(1500);
    const bem = gbtEvents(rig.timeline, 'bms', 'tx', 'BEM')[0];
    expect(bem.data.values).to.include({ ccsTimeout: 1 });
    expect((bem.t - lastCcs.t) / 1e6).to.be.within(1000, 1060);
  });

  it('records a malformed charger frame as evidence and keeps the session alive', async function () {
    const s = scripted();
    try {
      s.bms.plugIn();
      await s.charger.sendRaw('CRM', Uint8Array.from([0x00, 0x01])); // 2 bytes: CRM needs at least 5
      await s.clock.sleep(50);
      const bad = s.timeline.query({ kind: 'gbt', source: 'bms' }).find((e) => e.data.error);
      expect(String(bad?.data.error)).to.match(/CRM needs at least 5 bytes/);
      expect(s.bms.state).to.equal('handshake');
    } finally {
      await s.close();
    }
  });

  it('stopSending, override and delayBroReady change what goes on the bus; unplug clears them', async function () {
    const rig = await open();
    rig.bms.override('BCP', { maxChargeCurrentA: 42 });
    rig.bms.delayBroReady(2000);
    await rig.bms.startCharging();
    const bcp = gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BCP')[0];
    expect(bcp.data.values).to.include({ maxChargeCurrentA: 42 });
    const bro = gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BRO');
    const notReadyMs = (bro.find((e) => e.data.values?.ready === 0xaa)!.t - bro[0].t) / 1e6;
    expect(notReadyMs).to.be.within(1900, 2300);
    rig.bms.stopSending('BSM');
    const n = gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BSM').length;
    await rig.clock.sleep(1000);
    expect(gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BSM').length).to.equal(n);
    rig.bms.unplug();
    await rig.clock.sleep(2000);
    await rig.bms.startCharging();
    const bcps = gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BCP');
    expect(bcps.at(-1)!.data.values).to.include({ maxChargeCurrentA: 400 });
  });

  it('safe state: 0 A first, contactors opened only once the output is below the stop current', async function () {
    const rig = await open({ faults: ['slow-stop-after-bst'] }); // a charger that would stop slowly after BST
    await rig.bms.startCharging();
    await rig.clock.sleep(5000);
    rig.bms.stopSending('BCL'); // a misbehaviour left over by a test
    expect(rig.battery.bus.state().currentA).to.be.greaterThan(50);
    await rig.bms.safeState();
    const opened = rig.timeline
      .query({ kind: 'session', source: 'bms' })
      .find((e) => e.data.event === 'contactors' && e.data.closed === false)!;
    await rig.battery.flush();
    const samples = rig.timeline.samples('currentA', { source: 'battery', from: opened.t - 20e6, to: opened.t });
    expect(samples.v.length).to.be.greaterThan(10);
    expect(Math.max(...samples.v)).to.be.below(5);
    expect(rig.bms.state).to.equal('idle');
  });
});
