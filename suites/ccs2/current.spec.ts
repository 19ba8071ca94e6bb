// Current control and stop of a CCS charger on the truck's CCS2 port, on the DIN 70121 / ISO 15118-2 CurrentDemand
// loop, judged like the MCS ramp and safety suites on the battery emulator's trace and the wire: a step up at the
// minimum slope without overshoot, settled in band; the request held within its tolerance; EVSEPresentCurrent /
// Voltage as measured; a step down in time; the vehicle's EVMaximumCurrentLimit / EVMaximumVoltageLimit never
// exceeded; and the stop — below 5 A in time after PowerDelivery(Stop), WeldingDetection reporting the falling
// voltage, the connector below 60 V in time. Each test runs for each protocol the charger declares; a check whose
// precondition did not hold (the current never at its start level) is broken, never passed. Limits: the
// protocol's profile (din70121 / iso15118-2, both extending iec61851-23); every check has a fault switch in
// emulator/ccs/power-faults.ts.

import { expect } from 'chai';
import { PROTOCOL_NAMES, type CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import { requirement } from '../support/requirements.ts';
import { precondition } from '../support/power-assertions.ts';
import { contactorTimes, withTrace } from '../mcs/power-support.ts';
import { assertEvMaxima, assertWeldingVoltage } from './current-checks.ts';
import { CURRENT_REQUIREMENTS } from './current-requirements.ts';
import {
  ccsRig,
  ccsTrace,
  chargeSteady,
  deratedModel,
  firstRequestWith,
  received,
  reportedPresent,
  requireStopSent,
  s,
  startAtZero,
  stepTo,
  useCcsPowerTest,
  withSeriesResistance,
  type CcsPowerTest,
  type CcsRig,
} from './current-support.ts';
import { physical } from './handshake-support.ts';

/** The step of the ramp, accuracy and reporting tests: above the regulation threshold, within any CCS charger. */
const STEP_A = 100;
const DOWN = { fromA: 120, toA: 40 };
/** The EV-maxima test: the vehicle's EVMaximumCurrentLimit, asked for in full. */
const EV_MAX_A = 100;
/** Its battery emulator's series resistance: the inlet voltage then moves 50 V at 100 A, so a CV limit is observable. */
const EV_MAX_SERIES_OHM = 0.5;
/** Its EVMaximumVoltageLimit first this far above the pack (not in play), then this far below the loaded inlet voltage. */
const EV_MAX_FAR_V = 60;
const EV_MAX_LOWER_BY_V = 40;

async function heldTrace(rig: CcsRig, test: CcsPowerTest, title: string) {
  const { stepS, steadyS } = await chargeSteady(rig, test, STEP_A);
  await rig.bench.clock.sleep(rig.limits.num('regulation.windowS') * 1000);
  return { tr: await ccsTrace(rig, test, stepS - 1, title), steadyS };
}

function currentTests(protocol: CcsProtocol): void {
  const R = CURRENT_REQUIREMENTS[protocol];
  const name = PROTOCOL_NAMES[protocol];
  const test = useCcsPowerTest();

  it(`${name}: follows a step up at the minimum slope, without overshoot, and settles in band`, async function () {
    requirement(R.rampUp);
    const rig = ccsRig(this, protocol, STEP_A);
    await withTrace(test, async () => {
      const loop = await startAtZero(rig, test);
      const stepS = await stepTo(rig, loop, STEP_A);
      await rig.bench.clock.sleep((STEP_A / rig.limits.num('ramp.minSlopeAps') + rig.limits.num('ramp.observeExtraS')) * 1000);
      const tr = await ccsTrace(rig, test, stepS - 1, `step 0 → ${STEP_A} A`);
      const step = { stepS, fromA: 0, toA: STEP_A };
      expect(tr).to.rampUpAtLeast(step);
      expect(tr).to.settleWithin(step);
      expect(tr).to.overshootAtMost(step);
    });
  });

  it(`${name}: holds the requested current within the tolerance`, async function () {
    requirement(R.accuracy);
    const rig = ccsRig(this, protocol, STEP_A);
    await withTrace(test, async () => {
      const { tr, steadyS } = await heldTrace(rig, test, `hold ${STEP_A} A`);
      const windowS = rig.limits.num('regulation.windowS');
      expect(tr).to.holdCurrentWithin({ requestA: STEP_A, fromS: Math.max(steadyS, tr.endS - windowS), toS: tr.endS });
    });
  });

  it(`${name}: reports in CurrentDemandRes the present current and voltage it delivers`, async function () {
    requirement(R.present);
    const rig = ccsRig(this, protocol, STEP_A);
    await withTrace(test, async () => {
      const { tr, steadyS } = await heldTrace(rig, test, `reported vs measured at ${STEP_A} A`);
      expect(tr).to.reportPresentWithin(reportedPresent(rig, steadyS, tr.endS - 0.1));
    });
  });

  it(`${name}: follows a step down within max(1 s, ΔI / 100 A/s)`, async function () {
    requirement(R.downStep);
    const rig = ccsRig(this, protocol, DOWN.fromA);
    await withTrace(test, async () => {
      const { loop } = await chargeSteady(rig, test, DOWN.fromA);
      const stepS = await stepTo(rig, loop, DOWN.toA);
      const budgetS = Math.max(rig.limits.num('downStep.minTimeS'), (DOWN.fromA - DOWN.toA) / rig.limits.num('downStep.minRateAps'));
      await rig.bench.clock.sleep((budgetS + 2) * 1000);
      const tr = await ccsTrace(rig, test, stepS - 2, `step ${DOWN.fromA} → ${DOWN.toA} A`);
      expect(tr).to.stepDownWithin({ stepS, ...DOWN });
    });
  });

  it(`${name}: never exceeds the vehicle's EVMaximumCurrentLimit and EVMaximumVoltageLimit`, async function () {
    requirement(R.evMax);
    const rig = ccsRig(this, protocol, EV_MAX_A);
    const base = rig.vehicle.model;
    const maxima = { maxCurrentA: EV_MAX_A, maxVoltageV: Math.round((await rig.battery.batteryVoltageV()) + EV_MAX_FAR_V) };
    rig.vehicle.setModel(deratedModel(base, maxima));
    try {
      await withSeriesResistance(rig, EV_MAX_SERIES_OHM, () =>
        withTrace(test, async () => {
          // At the vehicle's maximum current, its voltage limit far: the current is judged against EVMaximumCurrentLimit.
          const { loop, stepS } = await chargeSteady(rig, test, EV_MAX_A);
          // Then the BMS lowers its maximum voltage below the loaded inlet: the charger must pull its current back.
          const loadedV = (await rig.battery.read()).voltageV;
          maxima.maxVoltageV = Math.round(loadedV - EV_MAX_LOWER_BY_V);
          const mark = rig.bench.timeline.mark();
          const loweredS = await firstRequestWith(
            rig,
            loop,
            mark,
            `EVMaximumVoltageLimit ${maxima.maxVoltageV} V`,
            (b) => physical(b.EVMaximumVoltageLimit) === maxima.maxVoltageV,
          );
          await rig.bench.clock.sleep((rig.limits.get('ovp.evMaxDwellMs').hi! / 1000 + 2) * 1000);
          const tr = await ccsTrace(rig, test, stepS - 1, `EV maxima ${EV_MAX_A} A / ${maxima.maxVoltageV} V`);
          assertEvMaxima(tr, { stepS, loweredS, maxA: EV_MAX_A, maxV: maxima.maxVoltageV });
        }),
      );
    } finally {
      rig.vehicle.setModel(base);
    }
  });

  const stopTitle =
    `${name}: stops after PowerDelivery(Stop): < 5 A in time, ` + 'WeldingDetection reports the falling voltage, connector < 60 V';
  it(stopTitle, async function () {
    requirement(R.stop);
    const rig = ccsRig(this, protocol, STEP_A);
    await withTrace(test, async () => {
      const { loop, steadyS } = await chargeSteady(rig, test, STEP_A);
      await loop.stop();
      await rig.bench.clock.sleep((rig.limits.get('stop.dischargeS').hi! + 0.5) * 1000);
      const stopS = requireStopSent(rig, steadyS);
      const tr = await ccsTrace(rig, test, stopS - 1, `stop from ${STEP_A} A`);
      tr.requests.push({ tS: stopS, currentA: 0 });
      expect(tr).to.stopWithin({ stopS, kind: 'vehicle', fromA: STEP_A });
      const openS = contactorTimes(rig.bench, rig.battery, stopS, false)[0];
      precondition(
        'the vehicle opened its contactors after the stop',
        openS !== undefined,
        openS === undefined ? 'never' : `at ${openS.toFixed(2)} s`,
      );
      expect(tr).to.dischargeWithin({ openS });
      const welding = received(rig, 'WeldingDetectionRes', stopS).map((m) => ({
        fromS: s(m.t) - (m.responseMs ?? 0) / 1000,
        tS: s(m.t),
        voltageV: physical(m.body.EVSEPresentVoltage),
      }));
      assertWeldingVoltage(tr, welding, openS);
    });
  });
}

describe('CCS2 current ramp and stop on the CurrentDemand loop (IEC 61851-23)', function () {
  // One set of tests per protocol; each title starts with the protocol's name.
  currentTests('din');
  currentTests('iso2');
});
