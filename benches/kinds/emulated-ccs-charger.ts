// Resource kind 'emulated-ccs-charger': the emulated CCS charger of the truck's CCS2 port (DIN 70121 and
// ISO 15118-2 DC SECC, emulator/ccs). It serves on the charger end of the port's emulated PLC link after SLAC
// (or in-process only with link: memory), drives its own power stage on the DC bus of an emulated battery,
// and honours the CCS fault switches (emulator/ccs/faults.ts), the power-stage ones in its stage only.

import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { EMULATED_CCS_CHARGER_KIND, EmulatedCcsCharger, type CcsChargerSettings } from '../../emulator/ccs/charger.ts';
import { ccsPowerStageFaults } from '../../emulator/ccs/faults.ts';
import { ccsRampStageFaults, withCcsPowerFaults } from '../../emulator/ccs/power-faults.ts';
import type { PowerStagePort } from '../../emulator/mcs/power-port.ts';
import { registerResourceKind, resourceKind } from '../registry.ts';
import { chargerLinkEnd } from './charger-link-end.ts';
import { isEmulatedCp } from './emulated-cp.ts';
import { reactToCpExit } from '../../emulator/ccs/cp-reaction.ts';

interface Settings extends CcsChargerSettings {
  /** Resource name of the emulated battery whose DC bus the power stage drives (IdealPowerStage without one). */
  battery?: string;
  /** This port's ratings where they differ from the bench charger's (a CCS port beside an MCS one). */
  ratings?: { maxVoltageV: number; minVoltageV?: number; maxCurrentA: number; maxPowerW: number };
  /** The port's emulated-cp resource: the charger reacts to the vehicle's CP state (none: no pilot on this port). */
  pilot?: string;
  /** Power-stage parameter overrides. */
  powerStage?: Record<string, number>;
  seed?: number;
}

const positive = { type: 'number', exclusiveMinimum: 0 };

if (!resourceKind(EMULATED_CCS_CHARGER_KIND))
  registerResourceKind<Settings>({
    kind: EMULATED_CCS_CHARGER_KIND,
    description:
      'Emulated CCS charger: DIN 70121 / ISO 15118-2 DC SECC (SDP, TCP, EIM, sequence checks) on a PLC link after SLAC, ' +
      'driving an emulated power stage; fault switches in emulator/ccs/faults.ts',
    // After the link (100), the pilot (90) and the battery (20) it attaches to.
    openOrder: 10,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        link: { type: 'string', minLength: 1, description: "emulated PLC link resource to serve on, or 'memory' (in-process only)" },
        interface: { type: 'string' },
        address: { type: 'string' },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        evseId: { type: 'string' },
        protocols: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['din', 'iso2'] } },
        cableCheckMs: { type: 'number', minimum: 0 },
        authorizationOngoingCount: { type: 'integer', minimum: 0 },
        tls: {
          type: 'boolean',
          description:
            'also serve ISO 15118-2 over TLS 1.2 (the -2 cipher suites, the generated -2 test PKI): SDP announces it to a ' +
            'vehicle asking for TLS, plain TCP to one asking for none; DIN 70121 stays plain (default false)',
        },
        keylog: { type: 'boolean', description: "the charger side's TLS session keys into the run folder (default false)" },
        battery: { type: 'string', description: 'emulated-battery resource whose DC bus the power stage drives' },
        pilot: { type: 'string', description: "the port's emulated-cp resource: output off when the vehicle takes CP out of C" },
        ratings: {
          type: 'object',
          additionalProperties: false,
          required: ['maxVoltageV', 'maxCurrentA', 'maxPowerW'],
          properties: { maxVoltageV: positive, minVoltageV: positive, maxCurrentA: positive, maxPowerW: positive },
        },
        powerStage: { type: 'object', additionalProperties: { type: 'number' } },
        seed: { type: 'integer' },
      },
    },
    async open(name, cfg, ctx) {
      const ratings = cfg.ratings ?? ctx.bench.charger.ratings;
      let power: PowerStagePort | undefined;
      if (cfg.battery) {
        const be = ctx.resources.get(cfg.battery);
        if (!(be instanceof EmulatedBattery))
          throw new Error(`${name}: battery '${cfg.battery}' is not an emulated battery opened before the charger`);
        const stage = new PowerStage({
          clock: ctx.clock,
          timeline: ctx.timeline,
          ratings,
          bus: be.bus,
          faults: new Set([...ccsPowerStageFaults(ctx.faults), ...ccsRampStageFaults(ctx.faults)]),
          seed: cfg.seed,
          params: cfg.powerStage,
          source: `${name}/power`,
        });
        power = withCcsPowerFaults(stage, ctx.faults);
      }
      const charger = await EmulatedCcsCharger.start(name, cfg, {
        clock: ctx.clock,
        timeline: ctx.timeline,
        ratings,
        faults: ctx.faults,
        power,
        linkEnd: chargerLinkEnd(ctx.resources),
        runDir: ctx.runDir,
      });
      if (cfg.pilot) {
        const cp = ctx.resources.get(cfg.pilot);
        if (!isEmulatedCp(cp)) throw new Error(`${name}: pilot '${cfg.pilot}' is not an emulated-cp resource opened before the charger`);
        const { power: stage, config } = charger;
        reactToCpExit(cp.line, { power: stage, output: config.output, faults: ctx.faults, timeline: ctx.timeline, source: name });
      }
      // The bench's own means to disable this charger's output (a real bench's E-stop relay plays this part).
      return Object.assign(charger, { safeStatePrimitives: { disableChargerOutput: () => charger.safeState() } });
    },
  });
