import { expect, use } from 'chai';
import { Limits } from '../../drivers/core/limits.ts';
import { ViolationError } from '../../reports/evidence.ts';
import { PowerTrace, powerAssertions, type Step } from '../../suites/support/power-assertions.ts';
import { quietAllureOutsideRun } from './quiet-allure.ts';
import { makeRig, type Rig } from './rig.ts';

use(powerAssertions);
const limits = Limits.load('iec61851-23-3');

function trace(r: Rig, fromS: number, requests: { tS: number; currentA: number }[] = []): PowerTrace {
  return PowerTrace.fromTimeline(r.timeline, { source: 'battery-emulator', fromNs: fromS * 1e9, title: 'test', requests, limits });
}

async function stepUp(faults: string[] = []) {
  const r = await makeRig({ faults });
  await r.startCharging();
  const stepS = r.clock.now() / 1e9;
  await r.run(20_000, 300);
  const step: Step = { stepS, fromA: 0, toA: 300 };
  return { r, step, tr: trace(r, stepS - 1, [{ tS: stepS, currentA: 300 }]) };
}

function violation(fn: () => void, tag: string): ViolationError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ViolationError);
    expect((e as Error).message.startsWith(tag), (e as Error).message).to.equal(true);
    return e as ViolationError;
  }
  throw new Error('expected a violation');
}

describe('power assertions (chai plugin over sampled traces)', function () {
  quietAllureOutsideRun();

  it('a compliant step passes slope, overshoot, settling and accuracy, and marks the plot', async function () {
    const { tr, step } = await stepUp();
    expect(tr).to.rampUpAtLeast(step).and.overshootAtMost(step).and.settleWithin(step);
    expect(tr).to.holdCurrentWithin({ requestA: 300, fromS: tr.endS - 2, toS: tr.endS });
    expect(tr.points.length).to.be.greaterThan(3);
    expect(tr.bands.length).to.be.greaterThan(1);
  });

  it('ramp-too-slow fails the slope as a current-control violation', async function () {
    const { tr, step } = await stepUp(['ramp-too-slow']);
    const e = violation(() => expect(tr).to.rampUpAtLeast(step), '[current-control violation] up-ramp slope');
    expect(e.actual).to.be.closeTo(10, 1);
  });

  it('overshoot fails the overshoot check', async function () {
    const { tr, step } = await stepUp(['overshoot']);
    expect(tr).to.rampUpAtLeast(step);
    violation(() => expect(tr).to.overshootAtMost(step), '[current-control violation] overshoot');
  });

  it('offset-beyond-tolerance fails accuracy and the present-value comparison', async function () {
    const { r, tr } = await stepUp(['offset-beyond-tolerance']);
    violation(
      () => expect(tr).to.holdCurrentWithin({ requestA: 300, fromS: tr.endS - 2, toS: tr.endS }),
      '[current-control violation] steady-state',
    );
    const p = r.stage.present();
    violation(
      () => expect(tr).to.reportPresentWithin([{ tS: tr.endS, ...p }]),
      '[current-control violation] reported − measured present current',
    );
  });

  it('present values of a compliant charger pass', async function () {
    const { r, tr } = await stepUp();
    expect(tr).to.reportPresentWithin([{ tS: tr.endS, ...r.stage.present() }]);
  });

  it('stops: compliant passes, slow-stop fails as a safety violation; emergency has its own bound', async function () {
    for (const [faults, kind, ok] of [
      [[], 'vehicle', true],
      [['slow-stop'], 'charger', false],
      [[], 'emergency', true],
      [['slow-emergency-stop'], 'emergency', false],
    ] as const) {
      const { r } = await stepUp([...faults]);
      const stopS = r.clock.now() / 1e9;
      r.stage.stop(kind);
      await r.run(12_000);
      const tr = trace(r, stopS - 1);
      if (ok) expect(tr).to.stopWithin({ stopS, kind });
      else violation(() => expect(tr).to.stopWithin({ stopS, kind }), `[safety violation] ${kind} stop`);
    }
  });

  it('down-step and site cap: compliant pass, slow-down-step / ignores-site-cap fail', async function () {
    for (const faults of [[], ['slow-down-step']]) {
      const { r } = await stepUp(faults);
      const stepS = r.clock.now() / 1e9;
      await r.run(10_000, 100);
      const tr = trace(r, stepS - 1);
      const step = { stepS, fromA: 300, toA: 100 };
      if (!faults.length) expect(tr).to.stepDownWithin(step);
      else violation(() => expect(tr).to.stepDownWithin(step), '[current-control violation] down-step');
    }
    for (const faults of [[], ['ignores-site-cap']]) {
      const { r } = await stepUp(faults);
      const capS = r.clock.now() / 1e9;
      r.stage.setSitePowerCapW(150e3);
      await r.run(6_000);
      const tr = trace(r, capS - 1);
      if (!faults.length) expect(tr).to.respectSiteCap({ capS, capW: 150e3, fromA: 300 });
      else violation(() => expect(tr).to.respectSiteCap({ capS, capW: 150e3, fromA: 300 }), '[current-control violation]');
    }
  });

  it('precharge: compliant passes; over-current and voltage overshoot fail', async function () {
    for (const faults of [[], ['precharge-over-current'], ['voltage-overshoot']]) {
      const r = await makeRig({ faults });
      r.stage.cableCheck(998);
      await r.clock.advance(3000);
      const fromS = r.clock.now() / 1e9;
      const batteryV = await r.inst.batteryVoltageV();
      r.stage.precharge(batteryV);
      await r.clock.advance(5000);
      await r.inst.setOutput(true);
      const closeS = r.clock.now() / 1e9;
      await r.clock.advance(200);
      await r.inst.flush();
      const tr = trace(r, fromS - 0.5);
      const check = () => {
        expect(tr).to.prechargeWithin({ fromS, closeS, batteryV });
        expect(tr).to.neverExceedVoltage({ maxV: 907, fromS, toS: closeS });
      };
      if (!faults.length) check();
      else violation(check, '[safety violation]');
    }
  });

  it('over-voltage shutdown, discharge and insulation stop are judged from the trace and the output-off time', async function () {
    const { r } = await stepUp(['contactor-welding']);
    r.stage.stop('vehicle');
    await r.run(2000);
    await r.inst.setOutput(false);
    const openS = r.clock.now() / 1e9;
    await r.run(4000);
    violation(() => expect(trace(r, openS - 0.5)).to.dischargeWithin({ openS }), '[safety violation] connector voltage < 60 V');

    const ok = await stepUp();
    await ok.r.inst.setBatteryVoltage(930);
    const fromS = ok.r.clock.now() / 1e9;
    await ok.r.run(2000);
    const off = ok.r.timeline.query({ kind: 'power', from: fromS * 1e9 }).find((e) => e.data.outputEnabled === false);
    expect(trace(ok.r, fromS - 0.5)).to.shutDownOnOverVoltage({ maxV: 907, fromS, outputOffS: off!.t / 1e9 });
    violation(
      () => expect(trace(ok.r, fromS - 0.5)).to.shutDownOnOverVoltage({ maxV: 907, fromS, outputOffS: undefined }),
      '[safety violation]',
    );
  });
});
