import { expect } from 'chai';
import { POWER_FAULTS } from '../../emulator/power/faults.ts';
import { emergencyOverVoltageLevelV } from '../../emulator/power/power-stage.ts';
import { extremes, longestDwellAbove, meanOver, stepResponse, timeToFallBelow, type Series } from '../../suites/support/trace-analysis.ts';
import { makeRig, type Rig } from './rig.ts';

const I = (r: Rig, fromNs?: number): Series => {
  const s = r.samples(fromNs);
  return { tS: s.tS, y: s.i };
};
const V = (r: Rig, fromNs?: number): Series => {
  const s = r.samples(fromNs);
  return { tS: s.tS, y: s.v };
};

/** Start charging, step to 300 A and hold until settled (ramp 25 A/s → 12 s). */
async function at300(faults: string[] = [], seed = 1): Promise<{ r: Rig; stepS: number }> {
  const r = await makeRig({ faults, seed });
  await r.startCharging();
  const stepS = r.clock.now() / 1e9;
  await r.run(40_000, 300);
  return { r, stepS };
}

/** The same scenario at 300 A on a healthy stage, then with `fault` on: the scenario's checks say what differs. */
async function healthyThenFaulty(fault: string, scenario: (r: Rig, faulty: boolean) => Promise<void>): Promise<void> {
  for (const faulty of [false, true]) await scenario((await at300(faulty ? [fault] : [])).r, faulty);
}

/** Act on the running stage, then let it run ms: the second the act happened, its reaction is timed from there. */
async function actThenRun(r: Rig, act: () => Promise<unknown>, ms: number): Promise<number> {
  await act();
  const t = r.clock.now() / 1e9;
  await r.run(ms);
  return t;
}

async function stopTime(faults: string[], reason: 'vehicle' | 'charger' | 'emergency'): Promise<number | undefined> {
  const { r } = await at300(faults);
  const t = r.clock.now() / 1e9;
  r.stage.stop(reason);
  await r.run(15_000);
  return timeToFallBelow(I(r), t, 5);
}

async function prechargeTrace(faults: string[]): Promise<{ r: Rig; from: number; to: number }> {
  const r = await makeRig({ faults });
  r.stage.cableCheck(998);
  await r.clock.advance(3000);
  const from = r.clock.now() / 1e9;
  r.stage.precharge(await r.inst.batteryVoltageV());
  await r.clock.advance(5000);
  await r.inst.flush();
  return { r, from, to: r.clock.now() / 1e9 };
}

describe('emulated power stage', function () {
  it('a cable check measures insulation at once: a fault present from the start is seen before the check can finish', async function () {
    const r = await makeRig({ params: { insulationCheckMs: 1000 } });
    await r.inst.injectInsulationFault(60e3);
    r.stage.cableCheck(400);
    await r.clock.advance(300); // well inside one monitor period
    expect(r.stage.isolationOk()).to.equal(false);
  });

  it('a second normal stop while ramping down does not cut the ramp short', async function () {
    const { r } = await at300(['slow-stop']);
    const t = r.clock.now() / 1e9;
    r.stage.stop('vehicle');
    await r.clock.advance(200);
    r.stage.stop('charger'); // e.g. SessionStop after PowerDelivery(Stop)
    await r.run(15_000);
    // slow-stop ramps at 30 A/s: 300 A takes ~10 s, never one tick
    expect(timeToFallBelow(I(r), t, 5)).to.be.greaterThan(5);
  });

  it('is deterministic: the same seed and commands give the same trace, another seed other noise', async function () {
    const a = (await at300([], 5)).r.samples();
    const b = (await at300([], 5)).r.samples();
    const c = (await at300([], 6)).r.samples();
    expect(a.i.length).to.be.greaterThan(40_000);
    expect(b.i).to.deep.equal(a.i);
    expect(b.v).to.deep.equal(a.v);
    expect(c.i).to.not.deep.equal(a.i);
  });

  it('walks cable check → precharge → charging at ≤ 2 A, then follows a step at the configured 25 A/s', async function () {
    const { r, stepS } = await at300();
    const resp = stepResponse(I(r), { stepS, band: 5 });
    expect(resp.slope).to.be.closeTo(25, 1.5);
    expect(resp.overshootPct).to.be.below(2);
    expect(resp.final).to.be.closeTo(300, 3);
    const present = r.stage.present();
    expect(present.currentA).to.be.closeTo(300, 1.5); // it regulates on its own sensor
    expect(r.stage.state).to.equal('charging');
    const states = r.timeline
      .query({ kind: 'power' })
      .map((e) => e.data.state)
      .filter(Boolean);
    expect(states).to.deep.equal(['cable-check', 'precharge', 'charging']);
  });

  it('reports a metered present current: the 600 Hz ripple its output carries stays out of the readings', async function () {
    const { r } = await at300();
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const instant: number[] = [];
    const reported: number[] = [];
    for (let k = 0; k < 20; k++) {
      await r.clock.advance(1);
      instant.push(r.stage.measured().currentA);
      reported.push(r.stage.present().currentA);
    }
    // Precondition: the output does ripple (±1 A peak), so a reading of one instant would show it.
    expect(spread(instant), 'instantaneous output current spread').to.be.above(1);
    expect(spread(reported), 'reported present current spread').to.be.below(0.5);
  });

  it('limits power to the rating, and the CV limit holds the vehicle target voltage', async function () {
    const r = await makeRig({ params: { rampUpAps: 500 } });
    await r.startCharging();
    await r.run(10_000, 1500);
    const s = r.samples(r.clock.now() - 1e9);
    const p = s.i.reduce((a, i, k) => a + i * s.v[k], 0) / s.i.length;
    expect(p).to.be.within(0.97e6, 1.01e6);
    r.stage.request({ currentA: 1500, voltageV: 850 });
    await r.clock.advance(5000);
    await r.inst.flush();
    const v = meanOver(V(r), r.clock.now() / 1e9 - 1, r.clock.now() / 1e9);
    expect(v).to.be.closeTo(850, 3);
  });

  it('emergency over-voltage level follows Table 103 / 202', function () {
    expect([500, 750, 850, 1000, 1250].map(emergencyOverVoltageLevelV)).to.deep.equal([550, 825, 935, 1100, 1375]);
  });

  describe('each fault switch changes what its assertion measures', function () {
    const scenarios: Record<string, () => Promise<void>> = {
      async 'ramp-too-slow'() {
        const { r, stepS } = await at300(['ramp-too-slow']);
        expect(stepResponse(I(r), { stepS, band: 5 }).slope).to.be.closeTo(10, 1);
      },
      async overshoot() {
        const { r, stepS } = await at300(['overshoot']);
        expect(stepResponse(I(r), { stepS, band: 5, smoothS: 0.005 }).overshootPct).to.be.above(20);
      },
      async 'offset-beyond-tolerance'() {
        const { r } = await at300(['offset-beyond-tolerance']);
        const now = r.clock.now() / 1e9;
        const measured = meanOver(I(r), now - 2, now);
        expect(measured - 300).to.be.closeTo(-40, 2);
        expect(r.stage.present().currentA - measured).to.be.closeTo(40, 2);
      },
      async 'reports-wrong-current'() {
        const { r } = await at300(['reports-wrong-current']);
        const now = r.clock.now() / 1e9;
        expect(r.stage.present().currentA - meanOver(I(r), now - 1, now)).to.be.closeTo(0.1 * 300 + 15, 3);
      },
      async 'slow-down-step'() {
        await healthyThenFaulty('slow-down-step', async (r, faulty) => {
          const t = r.clock.now() / 1e9;
          await r.run(15_000, 100);
          if (faulty) expect(timeToFallBelow(I(r), t, 105)).to.be.above(8);
          else expect(timeToFallBelow(I(r), t, 105)).to.be.below(1);
        });
      },
      async 'ignores-site-cap'() {
        await healthyThenFaulty('ignores-site-cap', async (r, faulty) => {
          r.stage.setSitePowerCapW(100e3);
          await r.run(5000);
          const now = r.clock.now() / 1e9;
          expect(meanOver(I(r), now - 1, now)).to.be.within(faulty ? 290 : 110, faulty ? 310 : 130);
        });
      },
      async 'slow-stop'() {
        expect(await stopTime([], 'vehicle')).to.be.below(0.5);
        expect(await stopTime(['slow-stop'], 'vehicle')).to.be.above(9);
        expect(await stopTime(['slow-stop'], 'charger')).to.be.above(9);
      },
      async 'ignores-stop'() {
        expect(await stopTime(['ignores-stop'], 'vehicle')).to.equal(undefined);
        expect(await stopTime(['ignores-stop'], 'charger')).to.be.below(0.5);
      },
      async 'slow-emergency-stop'() {
        expect(await stopTime([], 'emergency')).to.be.below(0.05);
        expect(await stopTime(['slow-emergency-stop'], 'emergency')).to.be.above(9);
        expect(await stopTime(['slow-emergency-stop'], 'vehicle')).to.be.below(0.5);
      },
      async 'precharge-over-current'() {
        const ok = await prechargeTrace([]);
        const e0 = extremes(I(ok.r), ok.from, ok.to);
        expect(Math.max(e0.max, -e0.min)).to.be.at.most(2.2);
        const bad = await prechargeTrace(['precharge-over-current']);
        expect(extremes(I(bad.r), bad.from, bad.to).max).to.be.above(5);
      },
      async 'voltage-overshoot'() {
        const ok = await prechargeTrace([]);
        // only the tail of the cable-check voltage (1.1 × EV max) while the output discharges
        expect(longestDwellAbove(V(ok.r), 907, ok.from, ok.to)).to.be.below(0.05);
        expect(meanOver(V(ok.r), ok.to - 0.5, ok.to)).to.be.closeTo(await ok.r.inst.batteryVoltageV(), 2);
        const bad = await prechargeTrace(['voltage-overshoot']);
        expect(longestDwellAbove(V(bad.r), 907, bad.from, bad.to)).to.be.above(0.4);
      },
      async 'contactor-welding'() {
        await healthyThenFaulty('contactor-welding', async (r, faulty) => {
          r.stage.stop('vehicle');
          await r.run(2000);
          const t = await actThenRun(r, () => r.inst.setOutput(false), 3000); // the vehicle opens its contactors
          const below = timeToFallBelow(V(r), t, 60);
          if (faulty) expect(below).to.equal(undefined);
          else expect(below).to.be.below(1);
        });
      },
      async 'ignores-vehicle-max-voltage'() {
        await healthyThenFaulty('ignores-vehicle-max-voltage', async (r, faulty) => {
          const t = await actThenRun(r, () => r.inst.setBatteryVoltage(907 + 20), 3000);
          // The CV limit takes the current away either way; what differs is the shutdown (output disabled).
          const off = r.timeline.query({ kind: 'power', from: t * 1e9 }).find((e) => e.data.outputEnabled === false);
          if (faulty) expect(off).to.equal(undefined);
          else expect((off!.t - t * 1e9) / 1e9).to.be.within(0.4, 0.45);
        });
      },
      async 'ignores-insulation-fault'() {
        await healthyThenFaulty('ignores-insulation-fault', async (r, faulty) => {
          const t = await actThenRun(r, () => r.inst.injectInsulationFault(60e3), 5000);
          const fell = timeToFallBelow(I(r), t, 5);
          if (faulty) expect(fell).to.equal(undefined);
          else expect(fell).to.be.below(1.1);
        });
      },
      async 'precharge-voltage-mismatch'() {
        const bad = await prechargeTrace(['precharge-voltage-mismatch']);
        const vb = await bad.r.inst.batteryVoltageV();
        expect(meanOver(V(bad.r), bad.to - 0.5, bad.to)).to.be.closeTo(vb - 40, 2);
        // It reports the target it missed, so a vehicle trusting the wire closes on a 40 V step.
        expect(bad.r.stage.present().voltageV).to.be.closeTo(vb, 3);
      },
      async 'reports-wrong-voltage'() {
        const { r } = await at300(['reports-wrong-voltage']);
        const now = r.clock.now() / 1e9;
        expect(r.stage.present().voltageV / meanOver(V(r), now - 0.1, now)).to.be.closeTo(1.03, 0.005);
      },
      async 'output-never-energizes'() {
        const { r } = await at300(['output-never-energizes']);
        const now = r.clock.now() / 1e9;
        expect(extremes(I(r), now - 5, now).max).to.be.below(1);
        // On the wire it claims to deliver what was asked.
        expect(r.stage.present().currentA).to.be.closeTo(300, 1);
      },
      async 'power-limit-overshoot'() {
        // 1500 A asked at ~850 V: the 1 MW rating limits the current; with the fault the limit is 12 % over it.
        for (const faulty of [false, true]) {
          const r = await makeRig({ faults: faulty ? ['power-limit-overshoot'] : [] });
          await r.startCharging();
          await r.run(80_000, 1500);
          const s = r.samples(r.clock.now() - 5e9);
          const p = s.i.reduce((a, i, k) => a + i * s.v[k], 0) / s.i.length;
          if (faulty) expect(p).to.be.above(1.08e6);
          else expect(p).to.be.below(1.01e6);
        }
      },
      async 'cv-taper-ignored'() {
        await healthyThenFaulty('cv-taper-ignored', async (r, faulty) => {
          await r.run(5000, 100);
          const now = r.clock.now() / 1e9;
          expect(meanOver(I(r), now - 1, now)).to.be.within(faulty ? 290 : 95, faulty ? 310 : 105);
        });
      },
      async 'present-values-frozen'() {
        const r = await makeRig({ faults: ['present-values-frozen'] });
        r.stage.cableCheck(900);
        const first = r.stage.present();
        await r.run(3000);
        expect(V(r).y.at(-1)).to.be.above(800);
        expect(r.stage.present()).to.deep.equal(first);
      },
    };

    it('has a scenario for every power fault, and every fault names the tests that catch it', function () {
      expect(Object.keys(scenarios).sort()).to.deep.equal(POWER_FAULTS.map((x) => x.name).sort());
      for (const x of POWER_FAULTS) expect(x.catches, x.name).to.not.be.empty;
    });

    for (const [name, fn] of Object.entries(scenarios)) it(name, fn);
  });
});
