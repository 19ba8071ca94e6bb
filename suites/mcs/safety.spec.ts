// Safety behaviour of an MCS charger, judged from the vehicle side on the battery emulator's 1 kS/s trace:
// precharge current and voltage match, stop by the vehicle and by the charger (time to < 5 A, discharge
// below 60 V, CE leaves C only after the output is off), and — only on a bench with the interlock flag —
// emergency stop, over-voltage against the vehicle's maximum, and an insulation fault. Limits:
// fixtures/limits/iec61851-23(-3).yaml; every test has a power fault switch that makes it fail
// (emulator/power/faults.ts).

import { expect } from 'chai';
import { POWER_TEST_IDS as T } from '../../emulator/power/faults.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import { attachText, requirement } from '../../reports/evidence.ts';
import { assertCeAfterOutputOff, type PowerTrace } from '../support/power-assertions.ts';
import { timeToFallBelow } from '../support/trace-analysis.ts';
import {
  EPIC,
  ceExitTime,
  contactorTimes,
  loopRequests,
  outputOffTime,
  powerRig,
  requestSentTime,
  requireInterlock,
  stageStateTime,
  requireStage,
  s,
  startCharging,
  stepTo,
  traceSince,
  waitSteady,
  withTrace,
  type PowerRig,
} from './power-support.ts';

const LOAD_A = 300;

describe('MCS safety (IEC 61851-23 / -23-3)', function () {
  let charging: ChargingSession | undefined;
  const holder: { trace?: PowerTrace } = {};

  beforeEach(function () {
    charging = undefined;
    holder.trace = undefined;
  });

  afterEach(async function () {
    if (charging?.running) await charging.stop().catch(() => undefined);
  });

  /** Charge at LOAD_A until steady. */
  async function loaded(rig: PowerRig): Promise<ChargingSession> {
    const c = (charging = await startCharging(rig));
    await stepTo(rig, c, LOAD_A);
    await waitSteady(rig, 0.05 * LOAD_A, (4 * LOAD_A) / rig.limits.num('ramp.minSlopeAps'));
    return c;
  }

  it('precharges at ≤ 2 A and matches the battery voltage before the vehicle closes its contactors', async function () {
    requirement(T.precharge, { epic: EPIC, feature: 'Safety', story: 'Precharge', clause: 'IEC 61851-23:2014 CC.5.1 / CC.6.1; Table 104 / CC.6.2', severity: 'blocker' });
    const rig = powerRig(this.bench);
    const markS = s(this.bench.clock.now());
    await withTrace(holder, async () => {
      let sessionError: unknown;
      try {
        charging = await startCharging(rig, 0, 500);
      } catch (e) {
        sessionError = e; // judge what the trace shows first: a precharge that went wrong is the finding
      }
      const preS = stageStateTime(this.bench, 'precharge', markS) ?? requestSentTime(this.bench, rig.vehicle, 'DC_PreChargeReq', markS) ?? markS;
      const closeS = contactorTimes(this.bench, rig.battery, markS, true)[0];
      const batteryV = await rig.battery.batteryVoltageV();
      const tr = (holder.trace = await traceSince(rig, preS - 0.5, `${T.precharge} precharge to ${Math.round(batteryV)} V`, charging ? loopRequests(charging, preS) : []));
      const endS = closeS ?? tr.endS;
      expect(tr).to.prechargeWithin({ fromS: preS, closeS: endS, batteryV });
      expect(tr).to.neverExceedVoltage({ maxV: rig.vehicle.model.limits.maxVoltageV, fromS: preS, toS: tr.endS });
      if (sessionError) throw sessionError;
    });
  });

  it('stops when the vehicle stops: < 5 A in time, output off before CE leaves C, connector < 60 V', async function () {
    requirement(T.stopByVehicle, { epic: EPIC, feature: 'Safety', story: 'Stop by the vehicle', clause: 'IEC 61851-23:2014 101.2.1.4; IEC 61851-23-3 Table CC.111; CC.7.6.20', severity: 'blocker' });
    const rig = powerRig(this.bench);
    await withTrace(holder, async () => {
      const c = await loaded(rig);
      const markS = s(this.bench.clock.now());
      await c.stop();
      const stopS = requestSentTime(this.bench, rig.vehicle, 'PowerDeliveryReq', markS) ?? markS;
      const openS = contactorTimes(this.bench, rig.battery, markS, false)[0];
      await this.bench.clock.sleep((rig.limits.get('stop.dischargeS').hi! + 0.5) * 1000);
      const tr = (holder.trace = await traceSince(rig, stopS - 1, `${T.stopByVehicle} stop by the vehicle from ${LOAD_A} A`, [...loopRequests(c, stopS - 1), { tS: stopS, currentA: 0 }]));
      expect(tr).to.stopWithin({ stopS, kind: 'vehicle' });
      expect(tr).to.dischargeWithin({ openS: openS ?? tr.endS });
      const offS = rig.stage ? outputOffTime(this.bench, stopS) : voltageOffTime(rig, tr, openS);
      assertCeAfterOutputOff(rig.limits, { outputOffS: offS, ceExitS: ceExitTime(this.bench, stopS) });
    });
  });

  it('stops when the charger stops: < 5 A in time, connector < 60 V after the contactors open', async function () {
    requirement(T.stopByCharger, { epic: EPIC, feature: 'Safety', story: 'Stop by the charger', clause: 'IEC 61851-23:2014 101.2.1.4; CC.7.6.20', severity: 'critical' });
    const rig = powerRig(this.bench);
    const stage = requireStage(this, rig, 'A charger-initiated stop');
    await withTrace(holder, async () => {
      const c = await loaded(rig);
      const stopS = s(this.bench.clock.now());
      stage.stop('charger');
      const budgetS = Math.max(rig.limits.num('stop.minTimeS'), LOAD_A / rig.limits.num('stop.minRateAps'));
      await this.bench.clock.sleep((budgetS + 1) * 1000);
      await c.stop(); // the vehicle ends the session: contactors open, welding detection, CE
      const openS = contactorTimes(this.bench, rig.battery, stopS, false)[0];
      await this.bench.clock.sleep((rig.limits.get('stop.dischargeS').hi! + 0.5) * 1000);
      const tr = (holder.trace = await traceSince(rig, stopS - 1, `${T.stopByCharger} stop by the charger from ${LOAD_A} A`, loopRequests(c, stopS - 1)));
      expect(tr).to.stopWithin({ stopS, kind: 'charger' });
      expect(tr).to.dischargeWithin({ openS: openS ?? tr.endS });
    });
  });

  it('emergency stop brings the current below 5 A within the emergency bound', async function () {
    requirement(T.emergencyStop, { epic: EPIC, feature: 'Safety', story: 'Emergency stop', clause: 'IEC 61851-23:2023 6.3.1.109 / CC.3.4 (emergency shutdown)', severity: 'blocker' });
    requireInterlock(this, 'The emergency stop test');
    const rig = powerRig(this.bench);
    const stage = requireStage(this, rig, 'Pressing the charger E-stop');
    await withTrace(holder, async () => {
      const c = await loaded(rig);
      const stopS = s(this.bench.clock.now());
      stage.stop('emergency');
      await this.bench.clock.sleep((rig.limits.get('estop.maxS').hi! + 1) * 1000);
      const tr = (holder.trace = await traceSince(rig, stopS - 1, `${T.emergencyStop} emergency stop from ${LOAD_A} A`, loopRequests(c, stopS - 1).filter((r) => r.tS < stopS)));
      expect(tr).to.stopWithin({ stopS, kind: 'emergency' });
    });
  });

  it('shuts down when the voltage exceeds the vehicle maximum longer than allowed', async function () {
    requirement(T.overVoltage, { epic: EPIC, feature: 'Safety', story: 'Over-voltage against the EV maximum', clause: 'IEC 61851-23:2023 6.3.1.106.3 Table 104; CC.6.2', severity: 'blocker' });
    requireInterlock(this, 'The over-voltage test');
    const rig = powerRig(this.bench);
    const maxV = rig.vehicle.model.limits.maxVoltageV;
    await withTrace(holder, async () => {
      const c = await loaded(rig);
      const fromS = s(this.bench.clock.now());
      const beforeV = await rig.battery.batteryVoltageV();
      await rig.battery.setBatteryVoltage(maxV + 20); // the battery side drives the inlet above the EV maximum
      try {
        await this.bench.clock.sleep((rig.limits.get('ovp.evMaxShutdownMs').hi! / 1000 + 1.5) * 1000);
      } finally {
        await restoreBattery(rig, beforeV);
      }
      const tr = (holder.trace = await traceSince(rig, fromS - 1, `${T.overVoltage} battery at EV max + 20 V`, loopRequests(c, fromS - 1)));
      // The emulated charger records when it disabled its output; a physical one is judged by its current.
      const offS = rig.stage ? outputOffTime(this.bench, fromS) : currentOffTime(rig, tr, fromS);
      expect(tr).to.shutDownOnOverVoltage({ maxV, fromS, outputOffS: offS });
    });
  });

  it('stops delivering energy on an insulation fault', async function () {
    requirement(T.insulation, { epic: EPIC, feature: 'Safety', story: 'Insulation fault', clause: 'IEC 61851-23-3 CC.4.1.4 c); IEC 61851-23 Table CC.10 (error shutdown)', severity: 'blocker' });
    requireInterlock(this, 'The insulation fault test');
    const rig = powerRig(this.bench);
    const inject = rig.battery.injectInsulationFault?.bind(rig.battery);
    if (!inject) {
      attachText('skipped', `battery emulator '${rig.battery.name}' has no insulation fault box to inject the fault with`);
      this.skip();
    }
    await withTrace(holder, async () => {
      const c = await loaded(rig);
      const faultS = s(this.bench.clock.now());
      await inject(rig.limits.num('insulation.faultInjectOhm'));
      try {
        const endS = faultS + rig.limits.get('insulation.stopS').hi! + 0.5;
        while (s(this.bench.clock.now()) < endS && Math.abs((await rig.battery.read()).currentA) >= rig.limits.num('stop.currentA')) await this.bench.clock.sleep(200);
        await this.bench.clock.sleep(500);
      } finally {
        await inject(undefined);
      }
      const tr = (holder.trace = await traceSince(rig, faultS - 1, `${T.insulation} insulation ${rig.limits.num('insulation.faultInjectOhm') / 1000} kΩ`, loopRequests(c, faultS - 1)));
      expect(tr).to.stopOnInsulationFault({ faultS });
    });
  });
});

/** Put the battery back after a test held its voltage: the emulated one on its model, a physical one on its old set point. */
async function restoreBattery(rig: PowerRig, beforeV: number): Promise<void> {
  const b = rig.battery as typeof rig.battery & { useBatteryModel?: () => Promise<void> };
  if (b.useBatteryModel) await b.useBatteryModel();
  else await b.setBatteryVoltage(beforeV);
}

/** Physical bench (no power-stage records): the output counts as off once the inlet is below the safe voltage after the contactors opened. */
function voltageOffTime(rig: PowerRig, tr: PowerTrace, openS: number | undefined): number | undefined {
  if (openS === undefined) return undefined;
  const t = timeToFallBelow(tr.voltage(), openS, rig.limits.get('stop.safeVoltageV').hi!);
  return t === undefined ? undefined : openS + t;
}

/** Physical bench: the output counts as off once the current is below the stop current. */
function currentOffTime(rig: PowerRig, tr: PowerTrace, fromS: number): number | undefined {
  const t = timeToFallBelow(tr.current(), fromS, rig.limits.num('stop.currentA'));
  return t === undefined ? undefined : fromS + t;
}
