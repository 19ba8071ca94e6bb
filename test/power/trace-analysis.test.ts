import { expect } from 'chai';
import fc from 'fast-check';
import { Prng } from '../../emulator/power/prng.ts';
import {
  crossingTime,
  longestDwellAbove,
  peakRipple,
  regulationTolerance,
  smooth,
  stepResponse,
  stopTimeBudgetS,
  timeToFallBelow,
  type Series,
} from '../../suites/support/trace-analysis.ts';

/** A synthetic trace sampled at 1 kS/s from f, with seeded white noise and a 600 Hz ripple. */
function synth(durationS: number, f: (t: number) => number, noise = 0, ripple = 0, seed = 3): Series {
  const rng = new Prng(seed);
  const tS: number[] = [];
  const y: number[] = [];
  for (let k = 0; k <= durationS * 1000; k++) {
    const t = k / 1000;
    tS.push(t);
    y.push(f(t) + noise * rng.gauss() + ripple * Math.sin(2 * Math.PI * 600 * t));
  }
  return { tS, y };
}

describe('trace analysis (ramp and safety maths)', function () {
  it('measures the 10–90 % slope of a rate-limited ramp through noise and ripple', function () {
    const s = synth(30, (t) => (t < 1 ? 0 : Math.min(500, 25 * (t - 1))), 1, 1);
    const r = stepResponse(s, { stepS: 1, band: 5 });
    expect(r.slope).to.be.closeTo(25, 0.5);
    expect(r.final).to.be.closeTo(500, 0.5);
    expect(r.t10S).to.be.closeTo(1 + 50 / 25, 0.05);
    expect(r.t90S).to.be.closeTo(1 + 450 / 25, 0.05);
    expect(r.overshootPct).to.be.below(1);
    // inside 500 ± 5 A from 495 A on: 19.8 s after the step
    expect(r.settleTimeS).to.be.closeTo(19.8, 0.1);
    expect(r.settled).to.equal(true);
  });

  it('measures the overshoot of an under-damped second-order step (analytic value)', function () {
    const zeta = 0.3;
    const wn = 10;
    const wd = wn * Math.sqrt(1 - zeta * zeta);
    const phi = Math.acos(zeta);
    const f = (t: number) =>
      t < 0.5 ? 0 : 100 * (1 - (Math.exp(-zeta * wn * (t - 0.5)) / Math.sqrt(1 - zeta * zeta)) * Math.sin(wd * (t - 0.5) + phi));
    const r = stepResponse(synth(5, f), { stepS: 0.5, band: 2, smoothS: 0.002 });
    const expected = 100 * Math.exp((-Math.PI * zeta) / Math.sqrt(1 - zeta * zeta));
    expect(r.overshootPct).to.be.closeTo(expected, 0.5);
  });

  it('measures the settling time of a first-order step: τ·ln(Δ/band)', function () {
    const tau = 0.1;
    const s = synth(3, (t) => (t < 0.5 ? 0 : 100 * (1 - Math.exp(-(t - 0.5) / tau))));
    const r = stepResponse(s, { stepS: 0.5, band: 2, smoothS: 0.002 });
    expect(r.settleTimeS).to.be.closeTo(tau * Math.log(100 / 2), 0.005);
    expect(r.overshootPct).to.be.below(0.1);
  });

  it('handles a step down (slope and undershoot in the falling direction)', function () {
    const s = synth(10, (t) => (t < 1 ? 600 : Math.max(200, 600 - 100 * (t - 1))), 0.5);
    const r = stepResponse(s, { stepS: 1, band: 5 });
    expect(r.slope).to.be.closeTo(100, 2);
    expect(r.final).to.be.closeTo(200, 0.5);
  });

  it('reports slope 0 and not settled when the trace never gets there', function () {
    const s = synth(5, (t) => (t < 1 ? 0 : t > 4.5 ? 400 : 0));
    const r = stepResponse(s, { stepS: 1, band: 5, finalWindowS: 0.2 });
    expect(r.settleTimeS).to.be.closeTo(3.5, 0.05);
    const flat = stepResponse(
      synth(5, () => 10),
      { stepS: 1, band: 5, initial: 0 },
    );
    expect(flat.slope).to.equal(Number.POSITIVE_INFINITY); // already there: an instant step, not "never"
  });

  it('times a stop to < 5 A on an exponential decay: τ·ln(I₀/5)', function () {
    const s = synth(5, (t) => (t < 1 ? 600 : 600 * Math.exp(-(t - 1) / 0.2)), 0.3, 1);
    expect(timeToFallBelow(s, 1, 5)).to.be.closeTo(0.2 * Math.log(600 / 5), 0.01);
    expect(
      timeToFallBelow(
        synth(2, () => 100),
        0,
        5,
      ),
    ).to.equal(undefined);
  });

  it('finds the longest dwell above a level, ignoring a single noisy sample', function () {
    const s = synth(3, (t) => (t > 1 && t < 1.3 ? 950 : t > 2 && t < 2.1 ? 950 : 900), 0.5);
    s.y[500] = 2000; // one spike
    expect(longestDwellAbove(s, 907)).to.be.closeTo(0.3, 0.01);
  });

  it('measures peak ripple around the smoothed trace', function () {
    const s = synth(2, () => 300, 0, 2);
    // 600 Hz sampled at 1 kS/s peaks at |sin(0.4π)| = 0.951 of the amplitude
    expect(peakRipple(s, 0.5, 1.5)).to.be.closeTo(2 * 0.951, 0.15);
  });

  it('crossing times interpolate between samples', function () {
    expect(crossingTime([0, 1, 2], [0, 10, 20], 15, 0, 'up')).to.be.closeTo(1.5, 1e-12);
    expect(crossingTime([0, 1, 2], [20, 10, 0], 5, 0, 'down')).to.be.closeTo(1.5, 1e-12);
    expect(crossingTime([0, 1, 2], [0, 1, 2], 50, 0, 'up')).to.equal(undefined);
  });

  it('smoothing keeps a constant and cancels a symmetric ripple', function () {
    const s = synth(1, () => 42, 0, 3);
    const y = smooth(s, 0.02);
    expect(Math.max(...y.slice(20, 980).map((v) => Math.abs(v - 42)))).to.be.below(0.5);
  });

  it('regulation tolerance and stop budget follow their formulas', function () {
    const o = { tolA: 2.5, pct: 5, thresholdA: 50 };
    expect(regulationTolerance(30, o)).to.equal(2.5);
    expect(regulationTolerance(600, o)).to.equal(30);
    expect(stopTimeBudgetS(50, { minS: 1, rateAps: 100 })).to.equal(1);
    expect(stopTimeBudgetS(600, { minS: 1, rateAps: 100 })).to.equal(6);
  });

  it('property: the measured slope of any noisy rate-limited ramp is within 3 % of the true slope', function () {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 200, noNaN: true }),
        fc.integer({ min: 100, max: 1500 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.integer(),
        (rate, deltaA, noise, seed) => {
          const dur = 1 + deltaA / rate + 2;
          const s = synth(dur, (t) => (t < 1 ? 0 : Math.min(deltaA, rate * (t - 1))), noise, 1, seed);
          const r = stepResponse(s, { stepS: 1, band: 5 });
          return Math.abs(r.slope - rate) / rate < 0.03;
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});
