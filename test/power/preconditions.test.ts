// Preconditions before verdicts: a check on a trace where what it judges never happened is broken
// (BenchFault) or, where the charger simply did not follow, failed — never passed, never a slope of noise.
import { expect, use } from 'chai';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { ViolationError } from '../../reports/evidence.ts';
import { currentTolerance } from '../../suites/support/current-tolerance.ts';
import { assertCeAfterOutputOff, PowerTrace, powerAssertions } from '../../suites/support/power-assertions.ts';
import { quietAllureOutsideRun } from './quiet-allure.ts';

use(powerAssertions);
const limits = Limits.load('iec61851-23-3');

/** A synthetic 1 kS/s trace over [0, durS] with current i(t) and voltage v(t), plus a little noise. */
function synthetic(durS: number, i: (t: number) => number, v: (t: number) => number = () => 800): PowerTrace {
  const tS: number[] = [];
  const currentA: number[] = [];
  const voltageV: number[] = [];
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.4;
  for (let k = 0; k <= durS * 1000; k++) {
    const t = k / 1000;
    tS.push(t);
    currentA.push(i(t) + noise());
    voltageV.push(v(t) + noise());
  }
  return new PowerTrace('synthetic', { tS, currentA, voltageV }, [], limits);
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('power checks: preconditions before verdicts', function () {
  quietAllureOutsideRun();

  it('a step down on a flat 0 A trace is broken: the current never reached its start level', function () {
    const tr = synthetic(6, () => 0);
    const e = thrown(() => expect(tr).to.stepDownWithin({ stepS: 2, fromA: 300, toA: 100 }));
    expect(e).to.be.instanceOf(BenchFault);
    expect((e as Error).message).to.match(/current was at 300 ± 20 A before/);
  });

  it('a step up the current never followed is a failed slope of 0, not a slope computed from noise', function () {
    const tr = synthetic(15, () => 0);
    const e = thrown(() => expect(tr).to.rampUpAtLeast({ stepS: 1, fromA: 0, toA: 200 }));
    expect(e).to.be.instanceOf(ViolationError);
    expect((e as ViolationError).actual).to.equal(0);
    expect((e as Error).message).to.match(/never moved toward the request/);
    expect(() => expect(tr).to.settleWithin({ stepS: 1, fromA: 0, toA: 200 })).to.throw(ViolationError);
  });

  it('a stop from an output that was never loaded is broken', function () {
    const tr = synthetic(5, () => 0);
    expect(thrown(() => expect(tr).to.stopWithin({ stopS: 2, kind: 'vehicle', fromA: 300 }))).to.be.instanceOf(BenchFault);
    expect(thrown(() => expect(tr).to.stopWithin({ stopS: 2, kind: 'emergency' }))).to.be.instanceOf(BenchFault);
  });

  it('an over-voltage that was never established is broken, not a safety violation', function () {
    const tr = synthetic(
      4,
      () => 300,
      () => 800,
    );
    const e = thrown(() => expect(tr).to.shutDownOnOverVoltage({ maxV: 907, fromS: 1, outputOffS: undefined }));
    expect(e).to.be.instanceOf(BenchFault);
    expect((e as Error).message).to.match(/rose above the EV maximum/);
  });

  it('an insulation fault on an unloaded output is broken', function () {
    const tr = synthetic(15, () => 0);
    expect(thrown(() => expect(tr).to.stopOnInsulationFault({ faultS: 1, fromA: 300 }))).to.be.instanceOf(BenchFault);
  });

  it('CE sequencing: CE that never left C is broken; an output never seen off is a violation', function () {
    expect(thrown(() => assertCeAfterOutputOff(limits, { outputOffS: 3, ceExitS: undefined }))).to.be.instanceOf(BenchFault);
    expect(thrown(() => assertCeAfterOutputOff(limits, { outputOffS: undefined, ceExitS: 3 }))).to.be.instanceOf(ViolationError);
  });

  it('a window the analyser never sampled is broken', function () {
    const tr = synthetic(2, () => 300);
    expect(thrown(() => expect(tr).to.holdCurrentWithin({ requestA: 300, fromS: 3, toS: 5 }))).to.be.instanceOf(BenchFault);
  });

  it('a bench-file tolerance override is a named deviation; the profile tolerance is none', function () {
    expect(currentTolerance(limits).deviation).to.equal(undefined);
    const t = currentTolerance(limits, { currentTolerancePct: 100 }, 'benches/lab.yaml');
    expect(t.deviation).to.match(/^bench override ±100 % .*benches\/lab\.yaml.*profile's ±2\.5 A \/ ±5 %/);
    expect(t.toleranceA(300)).to.equal(300);
    expect(t.limit(300)).to.include({ verified: false, lo: -300, hi: 300 });
    expect(currentTolerance(limits, { currentToleranceA: 4 }).toleranceA(1000)).to.equal(4);
  });
});
