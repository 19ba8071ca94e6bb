// A small bench for the power tests: virtual clock, timeline, the emulated battery emulator and a power
// stage on its bus, with helpers that walk the charge sequence the way an EV session does.

import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage, type PowerStageParams } from '../../emulator/power/power-stage.ts';

export interface Rig {
  clock: VirtualClock;
  timeline: Timeline;
  inst: EmulatedBattery;
  stage: PowerStage;
  /** Advance virtual time, sending the current request every 100 ms (the charge loop). */
  run(ms: number, currentA?: number): Promise<void>;
  /** Cable check, precharge, close the contactors, start charging. */
  startCharging(): Promise<void>;
  requestA: number;
  samples(from?: number, to?: number): { tS: number[]; i: number[]; v: number[] };
}

export async function makeRig(
  opts: { faults?: string[]; seed?: number; params?: Partial<PowerStageParams>; profile?: string } = {},
): Promise<Rig> {
  const clock = new VirtualClock();
  const timeline = new Timeline({ clock });
  const profile = loadVehicleProfile(opts.profile ?? 'truck-lfp-620kwh');
  const inst = new EmulatedBattery('battery-emulator', clock, timeline, profile, { seed: opts.seed ?? 7 });
  await inst.startStreaming();
  const stage = new PowerStage({
    clock,
    timeline,
    ratings: { maxVoltageV: 1250, minVoltageV: 150, maxCurrentA: 1500, maxPowerW: 1e6 },
    bus: inst.bus,
    faults: new Set(opts.faults ?? []),
    seed: opts.seed ?? 1,
    params: opts.params,
    source: 'charger',
  });
  stage.setVehicleLimits({ maxVoltageV: profile.maxVoltageV, maxCurrentA: profile.maxCurrentA });
  const rig: Rig = {
    clock,
    timeline,
    inst,
    stage,
    requestA: 0,
    async run(ms, currentA) {
      if (currentA !== undefined) rig.requestA = currentA;
      const end = clock.nowMs() + ms;
      while (clock.nowMs() < end - 1e-9) {
        if (stage.state === 'charging') stage.request({ currentA: rig.requestA, voltageV: profile.cvVoltageV });
        await clock.advance(Math.min(100, end - clock.nowMs()));
      }
      await inst.flush();
    },
    async startCharging() {
      stage.cableCheck(Math.min(1250, 1.1 * profile.maxVoltageV));
      await clock.advance(3000);
      const vb = await inst.batteryVoltageV();
      stage.precharge(vb);
      await clock.advance(4000);
      await inst.setOutput(true);
      await clock.advance(200);
      stage.startCharging();
      await inst.flush();
    },
    samples(from, to) {
      const i = timeline.samples('currentA', { source: 'battery-emulator', from, to });
      const v = timeline.samples('voltageV', { source: 'battery-emulator', from, to });
      return { tS: i.t.map((t) => t / 1e9), i: i.v, v: v.v };
    },
  };
  return rig;
}
