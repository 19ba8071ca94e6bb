// Resource kind 'emulated-gbt-charger': the emulated GB/T 27930 charger on a CAN resource, its power stage
// on the emulated battery emulator's DC bus, ratings from the bench's `charger.ratings` (CML).
//
//   gbt-charger:
//     kind: emulated-gbt-charger
//     can: charger-can          # its own CAN transport resource (same bus as the vehicle's)
//     battery: battery          # an emulated-battery resource
//     insulationTestMs: 2000    # optional
//     idleResetMs: 1000         # optional: vehicle silence that counts as unplugged after a session

import { InputError } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { canResourceOf } from './gbt27930-bms.ts';
import { gbtAddressProperties, gbtNodeResource, openGbtBenchLink } from './gbt-bench-link.ts';
import { GBT_LIMIT_PROFILE, loadGbtTiming } from '../../drivers/gbt27930/timing.ts';
import { registerResourceKind, resourceKind, type OpenContext, type Resource } from '../registry.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage, type PowerStageParams } from '../../emulator/power/power-stage.ts';
import { GbtCharger } from '../../emulator/gbt/gbt-charger.ts';
import { gbtPowerStageParams } from '../../emulator/gbt/faults.ts';
import { entrySchema, resourceRef } from './entry-schema.ts';

export const EMULATED_GBT_CHARGER_KIND = 'emulated-gbt-charger';

export interface EmulatedGbtChargerConfig {
  can: string;
  battery: string;
  sa?: number;
  da?: number;
  chargerNumber?: number;
  insulationTestMs?: number;
  idleResetMs?: number;
  seed?: number;
  powerStage?: Partial<PowerStageParams>;
}

export interface EmulatedGbtChargerResource extends Resource {
  readonly charger: GbtCharger;
  readonly stage: PowerStage;
}

export function registerEmulatedGbtChargerKind(): void {
  if (resourceKind(EMULATED_GBT_CHARGER_KIND)) return;
  registerResourceKind<EmulatedGbtChargerConfig>({
    kind: EMULATED_GBT_CHARGER_KIND,
    description:
      'Emulated GB/T 27930-2015 charger (charger side of the sequence, every timeout the gbt27930 suite checks, GBT_FAULTS) on a CAN resource and the emulated power stage.',
    openOrder: 10, // after the CAN transports (80/90) and the battery emulator (20), before the BMS (5)
    schema: entrySchema(['can', 'battery'], {
      can: resourceRef("Name of the charger's CAN transport resource."),
      battery: resourceRef('Name of the emulated-battery resource whose DC bus the power stage drives.'),
      ...gbtAddressProperties('charger'),
      chargerNumber: { type: 'integer', minimum: 0, maximum: 4294967294 },
      insulationTestMs: { type: 'number', minimum: 0, maximum: 60000 },
      idleResetMs: { type: 'number', minimum: 100, maximum: 60000 },
      seed: { type: 'integer' },
      powerStage: { type: 'object', description: 'Power-stage parameter overrides (emulator/power/power-stage.ts).' },
    }),
    async open(name: string, config: EmulatedGbtChargerConfig, ctx: OpenContext): Promise<EmulatedGbtChargerResource> {
      const can = canResourceOf(ctx, config.can, name);
      const battery = ctx.resources.get(config.battery);
      if (!(battery instanceof EmulatedBattery))
        throw new InputError(
          `resource '${config.battery}' is not an emulated-battery (the emulated charger needs its DC bus)`,
          `${ctx.bench.file}: resources.${name}.battery`,
        );
      const r = ctx.bench.charger.ratings;
      const stage = new PowerStage({
        clock: ctx.clock,
        timeline: ctx.timeline,
        bus: battery.bus,
        faults: ctx.faults,
        seed: config.seed,
        source: `${name}-power`,
        params: gbtPowerStageParams(ctx.faults, config.powerStage),
        ratings: { maxVoltageV: r.maxVoltageV, minVoltageV: r.minVoltageV, maxCurrentA: r.maxCurrentA, maxPowerW: r.maxPowerW },
      });
      const stack = openGbtBenchLink(name, 'charger', can, { sa: config.sa, da: config.da }, ctx);
      const charger = new GbtCharger({
        link: stack.link,
        clock: ctx.clock,
        timeline: ctx.timeline,
        source: name,
        timing: loadGbtTiming(Limits.load(GBT_LIMIT_PROFILE), ctx.bench.timers ?? {}),
        stage,
        faults: ctx.faults,
        ratings: { maxVoltageV: r.maxVoltageV, minVoltageV: r.minVoltageV, maxCurrentA: r.maxCurrentA },
        chargerNumber: config.chargerNumber,
        insulationTestMs: config.insulationTestMs,
        idleResetMs: config.idleResetMs,
      });
      charger.start();
      const ends = gbtNodeResource(charger, stack, 'disableChargerOutput');
      return {
        name,
        kind: EMULATED_GBT_CHARGER_KIND,
        charger,
        stage,
        ...ends,
        async close() {
          await ends.close();
          battery.detachSource(stage);
        },
        identity() {
          return { charger: 'emulated GB/T 27930-2015 charger', address: `0x${stack.sa.toString(16)}` };
        },
      };
    },
  });
}

registerEmulatedGbtChargerKind();
