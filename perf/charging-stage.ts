// The DC side the power perf scripts load: an emulated battery (a 620 kWh truck pack) streaming its V/I with
// its output on, and an MCS-class power stage charging into it, on the caller's clock and timeline.

import type { Clock } from '../drivers/core/clock.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import { loadVehicleProfile } from '../drivers/vehicle/profile.ts';
import { EmulatedBattery } from '../emulator/power/emulated-battery.ts';
import { PowerStage } from '../emulator/power/power-stage.ts';

export async function startChargingStage(clock: Clock, timeline: Timeline): Promise<{ battery: EmulatedBattery; stage: PowerStage }> {
  const battery = new EmulatedBattery('battery', clock, timeline, loadVehicleProfile('truck-lfp-620kwh'));
  await battery.startStreaming();
  await battery.setOutput(true);
  const stage = new PowerStage({
    clock,
    timeline,
    ratings: { maxVoltageV: 1250, maxCurrentA: 3000, maxPowerW: 3.75e6 },
    bus: battery.bus,
    faults: new Set(),
  });
  stage.startCharging();
  return { battery, stage };
}
