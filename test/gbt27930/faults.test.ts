// Every GB/T charger fault switch really changes the charger's behaviour (the suite-level proof that each
// one fails exactly its `catches` is the lead's generic self-validation run).

import { expect } from 'chai';
import { GBT_FAULTS } from '../../emulator/gbt/faults.ts';
import { GBT_TEST_IDS } from '../../suites/gbt27930/test-ids.ts';
import { gbtEvents, openRig, type Rig } from './rig.ts';

const rx = (r: Rig, code: string) => gbtEvents(r.timeline, 'bms', 'rx', code);
const gapsMs = (ev: { t: number }[]) => ev.slice(1).map((e, i) => (e.t - ev[i].t) / 1e6);
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ccsA = (r: Rig) => r.bms.lastChargerStatus?.outputCurrentA ?? 0;
const trueA = (r: Rig) => r.battery.bus.state().currentA;
/** Timeline order of the first `code` the BMS sent (tx) or received (rx): on virtual time, events of one instant differ only by it. */
const firstSeq = (r: Rig, code: string, dir: 'tx' | 'rx', match: (v: Record<string, unknown>) => boolean = () => true) =>
  gbtEvents(r.timeline, 'bms', dir, code).find((e) => match(e.data.values ?? {}))?.seq ?? Number.NaN;
async function charging(r: Rig, settleMs = 5000): Promise<void> {
  const s = await r.bms.startCharging();
  expect(s.ok, s.reason).to.equal(true);
  await r.clock.sleep(settleMs);
}

/** Each scenario returns one number; the fault must move it across `threshold` in the stated direction. */
const scenarios: Record<string, { run: (r: Rig) => Promise<number>; faultAbove: boolean; threshold: number }> = {
  'wrong-crm-sequence': {
    run: async (r) => (await charging(r, 0), rx(r, 'CRM').filter((e) => e.data.values?.recognition === 0).length),
    faultAbove: false,
    threshold: 0.5,
  },
  'chm-period-wrong': { run: async (r) => (await charging(r, 0), meanOf(gapsMs(rx(r, 'CHM')))), faultAbove: false, threshold: 200 },
  'ccs-period-wrong': { run: async (r) => (await charging(r, 1000), meanOf(gapsMs(rx(r, 'CCS')))), faultAbove: true, threshold: 60 },
  'cts-cml-period-wrong': { run: async (r) => (await charging(r, 0), meanOf(gapsMs(rx(r, 'CML')))), faultAbove: false, threshold: 200 },
  'cml-before-bcp': {
    run: async (r) => (await charging(r, 0), firstSeq(r, 'CML', 'rx') - firstSeq(r, 'BCP', 'tx')),
    faultAbove: false,
    threshold: 0,
  },
  // The vehicle gives up on a charger that recognises it too late or never reports ready: no charging.
  'crm-aa-late': { run: async (r) => ((await r.bms.startCharging()).ok ? 1 : 0), faultAbove: false, threshold: 0.5 },
  'cro-never-ready': { run: async (r) => ((await r.bms.startCharging()).ok ? 1 : 0), faultAbove: false, threshold: 0.5 },
  'cro-ready-early': {
    run: async (r) => (
      await charging(r, 0),
      firstSeq(r, 'CRO', 'rx', (v) => v.ready === 0xaa) - firstSeq(r, 'BRO', 'tx', (v) => v.ready === 0xaa)
    ),
    faultAbove: false,
    threshold: 0,
  },
  'ccs-before-cro': {
    run: async (r) => (await charging(r, 500), firstSeq(r, 'CCS', 'rx') - firstSeq(r, 'CRO', 'rx', (v) => v.ready === 0xaa)),
    faultAbove: false,
    threshold: 0,
  },
  'no-cst-after-bst': {
    run: async (r) => (await charging(r, 500), r.bms.beginStop(), await r.clock.sleep(1000), rx(r, 'CST').length),
    faultAbove: false,
    threshold: 0.5,
  },
  'output-on-after-bst': {
    run: async (r) => (await charging(r), r.bms.beginStop(), await r.clock.sleep(8000), trueA(r)),
    faultAbove: true,
    threshold: 5,
  },
  'slow-stop-on-timeout': {
    run: async (r) => (await charging(r), r.bms.stopSending('BCL'), await r.clock.sleep(1800), trueA(r)),
    faultAbove: true,
    threshold: 5,
  },
  'cml-exceeds-bcp': {
    run: async (r) => {
      r.bms.override('BCP', { maxChargeCurrentA: 80 });
      await charging(r, 0);
      r.bms.requestCurrent(160);
      await r.clock.sleep(8000);
      return trueA(r);
    },
    faultAbove: true,
    threshold: 85,
  },
  'bcl-ramp-too-slow': { run: async (r) => (await charging(r, 0), await r.clock.sleep(2500), trueA(r)), faultAbove: false, threshold: 40 },
  'ccs-wrong-current': { run: async (r) => (await charging(r), ccsA(r) - trueA(r)), faultAbove: true, threshold: 5 },
  'ignores-bsm-pause': {
    run: async (r) => (await charging(r), r.bms.setChargingPermitted(false), await r.clock.sleep(1500), trueA(r)),
    faultAbove: true,
    threshold: 5,
  },
  'slow-stop-after-bst': {
    run: async (r) => (await charging(r), r.bms.beginStop(), await r.clock.sleep(1000), trueA(r)),
    faultAbove: true,
    threshold: 5,
  },
  'no-csd': { run: async (r) => (await charging(r, 500), await r.bms.stop(), rx(r, 'CSD').length), faultAbove: false, threshold: 0.5 },
  'ignores-bcl-timeout': {
    run: async (r) => (
      await charging(r, 500),
      r.bms.stopSending('BCL'),
      await r.clock.sleep(2000),
      rx(r, 'CST').length + rx(r, 'CEM').length
    ),
    faultAbove: false,
    threshold: 0.5,
  },
  'ignores-bcs-timeout': {
    run: async (r) => (await charging(r, 500), r.bms.stopSending('BCS'), await r.clock.sleep(6000), rx(r, 'CEM').length),
    faultAbove: false,
    threshold: 0.5,
  },
  'ignores-brm-timeout': {
    run: async (r) => (r.bms.stopSending('BRM'), r.bms.stopSending('BEM'), r.bms.plugIn(), await r.clock.sleep(9000), rx(r, 'CEM').length),
    faultAbove: false,
    threshold: 0.5,
  },
  'ignores-bcp-timeout': {
    run: async (r) => (r.bms.stopSending('BCP'), r.bms.stopSending('BEM'), r.bms.plugIn(), await r.clock.sleep(9000), rx(r, 'CEM').length),
    faultAbove: false,
    threshold: 0.5,
  },
  'ignores-bro-timeout': {
    run: async (r) => (r.bms.stopSending('BRO'), r.bms.plugIn(), await r.clock.sleep(9000), rx(r, 'CEM').length),
    faultAbove: false,
    threshold: 0.5,
  },
  'cem-wrong-bits': {
    run: async (r) => (
      await charging(r, 500),
      r.bms.stopSending('BCL'),
      await r.clock.sleep(2000),
      Number(rx(r, 'CEM')[0]?.data.values?.bclTimeout ?? 0)
    ),
    faultAbove: false,
    threshold: 0.5,
  },
  'ignores-bem': {
    run: async (r) => (await charging(r), r.bms.sendBem({ other: 1 }), await r.clock.sleep(800), trueA(r)),
    faultAbove: true,
    threshold: 5,
  },
};

describe('GB/T charger fault switches', function () {
  it('has a scenario for every fault in GBT_FAULTS and nothing else', function () {
    expect(Object.keys(scenarios).sort()).to.deep.equal(GBT_FAULTS.map((f) => f.name).sort());
    for (const f of GBT_FAULTS) {
      expect(f.component).to.equal('gbt-charger');
      expect(f.suite).to.equal('gbt27930');
      // The catalogue names the suite's test ids as plain strings: each must be one the suite defines.
      for (const id of f.catches) expect(Object.values(GBT_TEST_IDS) as string[], `${f.name} catches ${id}`).to.include(id);
    }
  });

  for (const f of GBT_FAULTS) {
    it(`${f.name} changes the behaviour`, async function () {
      const s = scenarios[f.name];
      const values: number[] = [];
      for (const faults of [[], [f.name]]) {
        const rig = await openRig({ faults });
        try {
          values.push(await s.run(rig));
        } finally {
          await rig.close();
        }
      }
      const [healthy, faulty] = values;
      if (s.faultAbove) {
        expect(healthy, 'without the fault').to.be.below(s.threshold);
        expect(faulty, 'with the fault').to.be.above(s.threshold);
      } else {
        expect(healthy, 'without the fault').to.be.above(s.threshold);
        expect(faulty, 'with the fault').to.be.below(s.threshold);
      }
    });
  }
});
