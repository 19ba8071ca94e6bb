// Each fault switch of the emulated CCS charger really makes it misbehave, seen as a bench would see it (its
// answers on the wire, the inlet's samples), in-process on the virtual clock. Which suite test catches which
// fault is the self-validation's business; here also: the catalogue names only the CCS2 handshake suite's ids.

import { expect } from 'chai';
import { CCS_FAULT, CCS_FAULTS } from '../../emulator/ccs/faults.ts';
import { CCS_TLS_FAULTS } from '../../emulator/ccs/ccs-tls.ts';
import { NAMESPACE_ISO2 } from '../../drivers/iso15118/evcc/messages.ts';
import { HANDSHAKE_IDS } from '../../suites/ccs2/handshake-ids.ts';
import { CURRENT_IDS } from '../../suites/ccs2/current-ids.ts';
import { MESSAGE_PERFORMANCE_IDS } from '../../suites/ccs2/session-ids.ts';
import { chargeSession, closeRigs, rig, Script } from './secc-script.ts';

/** A whole -2 session at 30 A under these faults. */
async function session(faults: string[], openAfterStopMs = 0) {
  const r = await rig(faults);
  const s = new Script(r.link, r.clock);
  await s.sap([[NAMESPACE_ISO2, 1]]);
  const out = await chargeSession(s, r.clock, r.battery, 30, 20, openAfterStopMs);
  const during = (fromNs: number, toNs: number) => {
    const { t0, dt, voltageV, currentA } = out.samples;
    const idx = voltageV.map((_, i) => i).filter((i) => t0 + i * dt >= fromNs && t0 + i * dt <= toNs);
    return { v: idx.map((i) => voltageV[i]), i: idx.map((i) => currentA[i]) };
  };
  return { ...out, answers: s.answers, during, battery: r.battery };
}

describe('emulated CCS charger fault switches (in-process)', function () {
  afterEach(closeRigs);
  it('the catalogue names only CCS2 test ids, and every handshake test is caught by some fault', function () {
    // The handshake suite's, and the current suite's and the message-performance tests that judge the same behaviour.
    const ccs2 = [...Object.values(CURRENT_IDS).flatMap((x) => Object.values(x)), ...Object.values(MESSAGE_PERFORMANCE_IDS)];
    const ids = new Set<string>([...Object.values(HANDSHAKE_IDS), ...ccs2]);
    for (const f of [...CCS_FAULTS, ...CCS_TLS_FAULTS]) {
      expect(f.suite).to.equal('ccs2');
      for (const c of f.catches) expect(ids.has(c), `${f.name} → ${c}`).to.equal(true);
    }
    const caught = new Set([...CCS_FAULTS, ...CCS_TLS_FAULTS].flatMap((f) => f.catches));
    for (const id of Object.values(HANDSHAKE_IDS)) expect(caught.has(id), id).to.equal(true);
  });

  it('without a fault: CurrentDemandRes at once, isolation Valid, precharge ≤ 2 A to the target, present current right, stop', async function () {
    const r = await session([]);
    const loops = r.answers.filter((a) => a.name === 'CurrentDemandRes');
    expect(Math.max(...loops.map((a) => a.ms))).to.be.below(25);
    expect(r.isolation).to.equal('Valid');
    const pre = r.during(r.marks.preChargeNs, r.marks.startNs);
    expect(Math.max(...pre.i.map(Math.abs))).to.be.at.most(2.01);
    expect(Math.abs(pre.v.at(-1)! - r.battery.batteryVoltageNowV())).to.be.below(20);
    expect(r.present).to.be.within(25, 35);
  });

  it(`${CCS_FAULT.currentDemandSlow}: every CurrentDemandRes past 25 ms, inside 250 ms`, async function () {
    const loops = (await session([CCS_FAULT.currentDemandSlow])).answers.filter((a) => a.name === 'CurrentDemandRes');
    for (const a of loops) expect(a.ms).to.be.within(100, 200);
  });

  it(`${CCS_FAULT.wrongResponseCode}: SessionSetupRes OK, the other answers OK_CertificateExpiresSoon`, async function () {
    const r = await session([CCS_FAULT.wrongResponseCode]);
    expect(r.codes[0]).to.equal('SessionSetupRes OK');
    expect(r.codes.slice(1).every((c) => c.endsWith(' OK_CertificateExpiresSoon'))).to.equal(true);
  });

  it(`${CCS_FAULT.cableCheckSkipsIsolation}: CableCheck Finished at once with the isolation never measured`, async function () {
    const r = await session([CCS_FAULT.cableCheckSkipsIsolation]);
    expect(r.answers.filter((a) => a.name === 'CableCheckRes').length).to.equal(1);
    expect(r.isolation).to.equal('Invalid');
  });

  it(`${CCS_FAULT.prechargeOvercurrent}: more than 2 A flows in precharge`, async function () {
    const r = await session([CCS_FAULT.prechargeOvercurrent]);
    expect(Math.max(...r.during(r.marks.preChargeNs, r.marks.startNs).i.map(Math.abs))).to.be.above(2.5);
  });

  it(`${CCS_FAULT.prechargeVoltageMissed}: the inlet ends precharge 40 V below what the charger reports`, async function () {
    const r = await session([CCS_FAULT.prechargeVoltageMissed]);
    const last = r.answers.filter((a) => a.name === 'PreChargeRes').at(-1)!;
    const reported = last.c.EVSEPresentVoltage.Value * 10 ** last.c.EVSEPresentVoltage.Multiplier;
    const v = r.during(r.marks.startNs - 50e6, r.marks.startNs).v;
    expect(reported - v.at(-1)!).to.be.within(35, 45);
  });

  it(`${CCS_FAULT.reportsWrongCurrent}: CurrentDemandRes reports 10 % + 15 A more than flows`, async function () {
    const r = await session([CCS_FAULT.reportsWrongCurrent]);
    expect(r.present).to.be.above(45);
  });

  it(`${CCS_FAULT.ignoresStop}: the current keeps flowing after PowerDelivery (stop)`, async function () {
    const r = await session([CCS_FAULT.ignoresStop], 2000);
    const after = r.during(r.marks.stopNs + 1.5e9, r.marks.stopNs + 2e9).i;
    expect(Math.min(...after)).to.be.above(20);
    const clean = await session([], 2000);
    expect(Math.max(...clean.during(clean.marks.stopNs + 1.5e9, clean.marks.stopNs + 2e9).i)).to.be.below(5);
  });
});
