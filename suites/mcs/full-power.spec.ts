// Full power on an MCS charger: the vehicle steps its request to the charger's rated current (3000 A at up to
// 1250 V, 3.75 MW), the charger ramps there at the minimum slope without overshoot, its delivered power stays
// within what it advertises (EVSEMaximumChargePower in each Dynamic DC_ChargeLoopRes) near the power limit,
// and, as the battery nears its maximum voltage, it follows the vehicle's falling requests (the CV taper).
// Judged on the battery emulator's trace and the wire. Minutes at megawatts: virtual-time bench, or a real one
// with clock.longSessions; a bench (battery emulator, vehicle) that cannot take the rated current skips it.
// Limits: fixtures/limits/iec61851-23(-3).yaml (ramp.*, regulation.*, downStep.*, fullPower.*, session.plotBinS).
// Faults: ramp-too-slow / overshoot (the ramp), power-limit-overshoot, cv-taper-ignored.

import { expect } from 'chai';
import { POWER_REQUIREMENTS as R } from './requirements.ts';
import { requirement } from '../support/requirements.ts';
import { PowerTrace } from '../support/power-trace.ts';
import { loopRequests, powerRig, s, stepTo, traceSince, usePowerTest } from './power-support.ts';
import { decimatedTrace, judgeUnderAdvertised } from './long-session-support.ts';
import {
  advertisedLimitsSince,
  judgeTaper,
  requireFullPowerVehicle,
  requireLongSessions,
  requirePowerLimitReached,
  runVehicleTaper,
} from './full-power-support.ts';

describe('MCS full power (IEC 61851-23-3)', function () {
  const test = usePowerTest();
  let whole: PowerTrace | undefined;

  // The ramp at full rate (what its checks judged) and the whole charge in 1 s means, whether the test passed or not.
  afterEach(async function () {
    await test.trace?.attachEvidence();
    await whole?.attachEvidence();
    whole = undefined;
  });

  it('ramps to its rated current, stays within its advertised power and follows the CV taper @long', async function () {
    requirement(R.fullPower);
    requireLongSessions(this, 'a ramp to the rated current and a CV taper at megawatts');
    const rig = powerRig(this.bench);
    const L = rig.limits;
    const ratedA = this.bench.config.charger.ratings.maxCurrentA;
    const cv = requireFullPowerVehicle(this, rig, ratedA);
    const clock = rig.bench.clock;
    this.timeout(0); // virtual time: the run's own clock bounds it (fullPower.cvWithinS + fullPower.taperS)
    const charging = (test.charging = await rig.vehicle.startCharging({ controlMode: 'Dynamic' }));
    charging.requestCurrent(0, { voltageV: cv.maxVoltageV });
    await clock.sleep(1000);
    const stepS = await stepTo(rig, charging, ratedA);
    charging.requestCurrent(ratedA, { voltageV: cv.maxVoltageV });
    const wholeTrace = (): PowerTrace =>
      decimatedTrace(rig.bench, {
        source: rig.analyser.source,
        fromS: stepS - 1,
        binS: L.num('session.plotBinS'),
        title: `${R.fullPower.id} full power (${L.num('session.plotBinS')} s means)`,
        requests: loopRequests(charging, stepS - 1),
        limits: L,
        tolerance: rig.tolerance,
      });
    try {
      // The ramp, at full rate: slope and overshoot of the step 0 → rated current, before the taper begins.
      await clock.sleep((ratedA / L.num('ramp.minSlopeAps') + L.num('ramp.observeExtraS')) * 1000);
      const step = { stepS, fromA: 0, toA: ratedA };
      const ramp = await traceSince(rig, stepS - 1, `${R.fullPower.id} ramp 0 → ${ratedA} A`, loopRequests(charging, stepS - 1));
      test.trace = ramp;
      expect(ramp).to.rampUpAtLeast(step);
      expect(ramp).to.overshootAtMost(step);
      // The vehicle's CV taper, then the whole charge in 1 s means: power within what was advertised, taper followed.
      const o = { fromA: ratedA, withinS: L.num('fullPower.cvWithinS'), taperS: L.num('fullPower.taperS') };
      const taperS = await runVehicleTaper(rig, charging, cv, o);
      await rig.analyser.flush();
      whole = wholeTrace();
      const ads = advertisedLimitsSince(rig.bench, rig.vehicle.name, stepS - 1);
      requirePowerLimitReached(whole, ads, L);
      judgeUnderAdvertised(
        whole,
        ads.map((a) => ({ tS: a.tS, maxPowerW: a.maxPowerW })),
        L.num('session.plotBinS'),
      );
      const judgeFromS = firstRequestBelow(charging, taperS, (L.num('fullPower.taperJudgeBelowPct') / 100) * ratedA);
      judgeTaper(whole, charging, ads, judgeFromS ?? s(clock.now()));
    } finally {
      whole ??= wholeTrace();
    }
  });
});

/** When the vehicle's request first fell below levelA after fromS: the taper is judged from there. */
function firstRequestBelow(charging: { loops: { atNs: number; targetA: number }[] }, fromS: number, levelA: number): number | undefined {
  const l = charging.loops.find((x) => s(x.atNs) >= fromS && x.targetA < levelA);
  return l ? s(l.atNs) : undefined;
}
