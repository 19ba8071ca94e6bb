// Safety behaviour of an MCS charger, judged from the vehicle side on the power analyser's 1 kS/s trace and
// the wire: precharge current and voltage match, stop by the vehicle and by the charger (time to < 5 A,
// discharge below 60 V, CE leaves C only after the output is off), and — only on a bench with the interlock
// flag — emergency stop, over-voltage against the vehicle's maximum, and an insulation fault. Each check
// first establishes that its condition was set up and observed; if not, the test is broken, never passed.
// Limits: fixtures/limits/iec61851-23(-3).yaml; every check has an emulator fault switch that makes it fail.

import { expect } from 'chai';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import type { ChargerControl } from '../../drivers/core/charger-control.ts';
import { attachText } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { assertCeAfterOutputOff, precondition, requireCurrentAt } from '../support/power-assertions.ts';
import { POWER_REQUIREMENTS as R } from './requirements.ts';
import {
  ceExitTime,
  chargeSteady,
  contactorTimes,
  currentOffTime,
  loopRequests,
  loopTrace,
  powerRig,
  requestSentTime,
  requireControl,
  requireInterlock,
  s,
  startCharging,
  traceSince,
  voltageOffTime,
  usePowerTest,
  withTrace,
  type PowerRig,
} from './power-support.ts';

describe('MCS safety (IEC 61851-23 / -23-3)', function () {
  const test = usePowerTest();
  /** The steady current every stop starts from (a test condition of the limit profile: stop.fromCurrentA). */
  const loadA = (rig: PowerRig): number => rig.limits.num('stop.fromCurrentA');

  /** Charge at the load current until steady. */
  async function loaded(rig: PowerRig): Promise<ChargingSession> {
    return (await chargeSteady(rig, test, loadA(rig))).charging;
  }

  /** Charge at the load current until steady, then the charger is told to stop (its own stop, or the E-stop): the session and when. */
  async function stoppedByCharger(rig: PowerRig, control: ChargerControl, kind: 'charger' | 'emergency') {
    const c = await loaded(rig);
    const stopS = s(rig.bench.clock.now());
    await control.stop(kind);
    return { c, stopS };
  }

  /** The vehicle's contactors opened after fromS (the battery emulator's output records); broken when they never did. */
  function requireOpened(rig: PowerRig, fromS: number): number {
    const openS = contactorTimes(rig.bench, rig.battery, fromS, false)[0];
    precondition(
      'the vehicle opened its contactors after the stop',
      openS !== undefined,
      openS === undefined ? 'no contactor-open record' : `at ${openS.toFixed(2)} s`,
    );
    return openS!;
  }

  it('precharges at ≤ 2 A and matches the battery voltage before the vehicle closes its contactors', async function () {
    requirement(R.precharge);
    const rig = powerRig(this.bench);
    const markS = s(this.bench.clock.now());
    await withTrace(test, async () => {
      let sessionError: unknown;
      try {
        test.charging = await startCharging(rig, 0, 500);
      } catch (e) {
        sessionError = e; // judge what the trace shows first: a precharge that went wrong is the finding
      }
      const why = sessionError ? `the session ended: ${(sessionError as Error).message}` : '';
      const preS = requestSentTime(this.bench, rig.vehicle, 'DC_PreChargeReq', markS);
      const closeS = preS === undefined ? undefined : contactorTimes(this.bench, rig.battery, preS, true)[0];
      const batteryV = await rig.battery.batteryVoltageV();
      const fromS = preS ?? markS;
      const tr = (test.trace = await traceSince(
        rig,
        fromS - 0.5,
        `${R.precharge.id} precharge to ${Math.round(batteryV)} V`,
        test.charging ? loopRequests(test.charging, fromS) : [],
      ));
      precondition(
        'the vehicle sent DC_PreChargeReq',
        preS !== undefined,
        preS === undefined ? `none on the wire ${why}` : `at ${preS.toFixed(2)} s`,
      );
      precondition(
        'the vehicle closed its contactors after the precharge',
        closeS !== undefined,
        closeS === undefined ? `never ${why}` : `at ${closeS.toFixed(2)} s`,
      );
      expect(tr).to.prechargeWithin({ fromS: preS!, closeS: closeS!, batteryV });
      expect(tr).to.neverExceedVoltage({ maxV: rig.vehicle.model.limits.maxVoltageV, fromS: preS!, toS: tr.endS });
      if (sessionError) throw sessionError;
    });
  });

  it('stops when the vehicle stops: < 5 A in time, output off before CE leaves C, connector < 60 V', async function () {
    requirement(R.stopByVehicle);
    const rig = powerRig(this.bench);
    await withTrace(test, async () => {
      const c = await loaded(rig);
      const markS = s(this.bench.clock.now());
      await c.stop();
      const stopS = requestSentTime(this.bench, rig.vehicle, 'PowerDeliveryReq', markS, (doc) =>
        JSON.stringify(doc ?? {}).includes('"Stop"'),
      );
      await this.bench.clock.sleep((rig.limits.get('stop.dischargeS').hi! + 0.5) * 1000);
      const fromS = stopS ?? markS;
      const tr = (test.trace = await traceSince(rig, fromS - 1, `${R.stopByVehicle.id} stop by the vehicle from ${loadA(rig)} A`, [
        ...loopRequests(c, fromS - 1),
        { tS: fromS, currentA: 0 },
      ]));
      precondition(
        'the vehicle sent PowerDeliveryReq (Stop)',
        stopS !== undefined,
        stopS === undefined ? 'none on the wire' : `at ${stopS.toFixed(2)} s`,
      );
      expect(tr).to.stopWithin({ stopS: stopS!, kind: 'vehicle', fromA: loadA(rig) });
      const openS = requireOpened(rig, stopS!);
      expect(tr).to.dischargeWithin({ openS });
      assertCeAfterOutputOff(rig.limits, { outputOffS: voltageOffTime(rig, tr, openS), ceExitS: ceExitTime(this.bench, stopS!) });
    });
  });

  it('stops when the charger stops: < 5 A in time, connector < 60 V after the contactors open', async function () {
    requirement(R.stopByCharger);
    const rig = powerRig(this.bench);
    const control = requireControl(this, rig, 'A charger-initiated stop');
    await withTrace(test, async () => {
      const { c, stopS } = await stoppedByCharger(rig, control, 'charger');
      const budgetS = Math.max(rig.limits.num('stop.minTimeS'), loadA(rig) / rig.limits.num('stop.minRateAps'));
      await this.bench.clock.sleep((budgetS + 1) * 1000);
      await c.stop(); // the vehicle ends the session: contactors open, welding detection, CE
      await this.bench.clock.sleep((rig.limits.get('stop.dischargeS').hi! + 0.5) * 1000);
      const tr = await loopTrace(rig, test, c, stopS - 1, `${R.stopByCharger.id} stop by the charger from ${loadA(rig)} A`);
      expect(tr).to.stopWithin({ stopS, kind: 'charger', fromA: loadA(rig) });
      expect(tr).to.dischargeWithin({ openS: requireOpened(rig, stopS) });
    });
  });

  it('emergency stop brings the current below 5 A within the emergency bound', async function () {
    requirement(R.emergencyStop);
    requireInterlock(this, 'The emergency stop test');
    const rig = powerRig(this.bench);
    const control = requireControl(this, rig, 'Pressing the charger E-stop');
    await withTrace(test, async () => {
      const { c, stopS } = await stoppedByCharger(rig, control, 'emergency');
      await this.bench.clock.sleep((rig.limits.get('estop.maxS').hi! + 1) * 1000);
      const tr = (test.trace = await traceSince(
        rig,
        stopS - 1,
        `${R.emergencyStop.id} emergency stop from ${loadA(rig)} A`,
        loopRequests(c, stopS - 1).filter((r) => r.tS < stopS),
      ));
      expect(tr).to.stopWithin({ stopS, kind: 'emergency', fromA: loadA(rig) });
    });
  });

  it('shuts down when the voltage exceeds the vehicle maximum longer than allowed', async function () {
    requirement(R.overVoltage);
    requireInterlock(this, 'The over-voltage test');
    const rig = powerRig(this.bench);
    const maxV = rig.vehicle.model.limits.maxVoltageV;
    const aboveV = rig.limits.num('ovp.injectAboveEvMaxV');
    await withTrace(test, async () => {
      const c = await loaded(rig);
      const fromS = s(this.bench.clock.now());
      const beforeV = await rig.battery.batteryVoltageV();
      await rig.battery.setBatteryVoltage(maxV + aboveV); // the battery side drives the inlet above the EV maximum
      try {
        await this.bench.clock.sleep((rig.limits.get('ovp.evMaxShutdownMs').hi! / 1000 + 1.5) * 1000);
      } finally {
        await restoreBattery(rig, beforeV);
      }
      // An error shutdown keeps the output off once the voltage is back; a CV limit would let the current return.
      await this.bench.clock.sleep(rig.limits.num('ovp.resumeWatchS') * 1000);
      const tr = await loopTrace(rig, test, c, fromS - 1, `${R.overVoltage.id} battery at EV max + ${aboveV} V`);
      requireCurrentAt(tr, fromS, loadA(rig), loadA(rig), 'the voltage was raised');
      expect(tr).to.shutDownOnOverVoltage({ maxV, fromS, outputOffS: currentOffTime(rig, tr, fromS) });
    });
  });

  it('stops delivering energy on an insulation fault', async function () {
    requirement(R.insulation);
    requireInterlock(this, 'The insulation fault test');
    const rig = powerRig(this.bench);
    const inject = rig.battery.injectInsulationFault?.bind(rig.battery);
    if (!inject) {
      attachText('skipped', `battery emulator '${rig.battery.name}' has no insulation fault box to inject the fault with`);
      this.skip();
    }
    await withTrace(test, async () => {
      const c = await loaded(rig);
      const faultS = s(this.bench.clock.now());
      await inject(rig.limits.num('insulation.faultInjectOhm'));
      try {
        const endS = faultS + rig.limits.get('insulation.stopS').hi! + 0.5;
        while (s(this.bench.clock.now()) < endS && Math.abs((await rig.battery.read()).currentA) >= rig.limits.num('stop.currentA'))
          await this.bench.clock.sleep(200);
        await this.bench.clock.sleep(500);
      } finally {
        await inject(undefined);
      }
      const ohm = rig.limits.num('insulation.faultInjectOhm');
      const tr = await loopTrace(rig, test, c, faultS - 1, `${R.insulation.id} insulation ${ohm / 1000} kΩ`);
      expect(tr).to.stopOnInsulationFault({ faultS, fromA: loadA(rig) });
    });
  });
});

/** Put the battery back after a test held its voltage: the emulated one on its model, a physical one on its old set point. */
async function restoreBattery(rig: PowerRig, beforeV: number): Promise<void> {
  const b = rig.battery as typeof rig.battery & { useBatteryModel?: () => Promise<void> };
  if (b.useBatteryModel) await b.useBatteryModel();
  else await b.setBatteryVoltage(beforeV);
}
