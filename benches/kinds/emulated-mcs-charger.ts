// Resource kind 'emulated-mcs-charger': the emulated MCS charger of the emulator bench. It serves on the
// charger end of a veth link (or in-process only with link: memory), drives a power stage on the DC bus
// of an emulated battery emulator, gates the shared CE/ID line, and honours the MCS fault switches.

import { Limits } from '../../drivers/core/limits.ts';
import { sharedCeIdLine } from '../../drivers/pilot/ce-id.ts';
import { chargerLinkEnd } from './charger-link-end.ts';
import { registerResourceKind, resourceKind } from '../registry.ts';
import { openTlsSetting } from './tls-setting.ts';
import { tlsSettingSchema, type BenchTlsSetting } from '../../drivers/iso15118/pki/bench-tls.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { EMULATED_MCS_CHARGER_KIND, EmulatedMcsCharger, type McsChargerSettings } from '../../emulator/mcs/charger.ts';
import type { PowerStagePort } from '../../emulator/mcs/power-port.ts';
import { entrySchema, resourceRef } from './entry-schema.ts';

interface Settings extends Omit<McsChargerSettings, 'tls'> {
  /** true (generated test PKI), { enabled: false, reason }, or a lab PKI: its SECC chain + key and the roots it trusts. */
  tls?: BenchTlsSetting;
  /** Name of the shared CE/ID line the vehicle's emulated pilot uses (default 'ce-id'); '' = none. */
  pilotLine?: string;
}

if (!resourceKind(EMULATED_MCS_CHARGER_KIND))
  registerResourceKind<Settings>({
    kind: EMULATED_MCS_CHARGER_KIND,
    description:
      'Emulated MCS charger: ISO 15118-20 SECC (SDP, TLS 1.3 mutual auth, DC/MCS session with sequence checks) driving an emulated power stage; fault switches in emulator/mcs/faults.ts',
    // After the link (100), the pilot (90) and the battery emulator (20) it attaches to.
    openOrder: 10,
    schema: entrySchema([], {
      link: resourceRef("veth-link resource to serve on, or 'memory' (in-process only)"),
      interface: { type: 'string' },
      address: { type: 'string' },
      port: { type: 'integer', minimum: 0, maximum: 65535 },
      tls: tlsSettingSchema('charger'),
      keylog: { type: 'boolean', default: false },
      evseId: { type: 'string' },
      services: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 255 } },
      cableCheckMs: { type: 'number', minimum: 0 },
      authorizationOngoingCount: { type: 'integer', minimum: 0 },
      battery: { type: 'string', description: 'emulated-battery resource whose DC bus the power stage drives' },
      codec: { enum: ['auto', 'exi', 'json'] },
      powerStage: { type: 'object', additionalProperties: { type: 'number' } },
      seed: { type: 'integer' },
      pilotLine: { type: 'string' },
      behaviour: {
        enum: ['strict', 'realistic'],
        default: 'strict',
        description: 'realistic: holds dropped sessions, closes 5 s after FAILED',
      },
    }),
    async open(name, cfg, ctx) {
      const limits = Limits.load('iso15118-20');
      let power: PowerStagePort | undefined;
      if (cfg.battery) {
        const be = ctx.resources.get(cfg.battery);
        if (!(be instanceof EmulatedBattery))
          throw new Error(`${name}: battery '${cfg.battery}' is not an emulated battery opened before the charger`);
        power = new PowerStage({
          clock: ctx.clock,
          timeline: ctx.timeline,
          ratings: ctx.bench.charger.ratings,
          bus: be.bus,
          faults: ctx.faults,
          seed: cfg.seed,
          params: cfg.powerStage,
          source: `${name}/power`,
        });
      }
      const tls = await openTlsSetting(name, cfg.tls, ctx.bench, { timeline: ctx.timeline });
      const charger = await EmulatedMcsCharger.start(
        name,
        { ...cfg, tls: tls.enabled },
        {
          tls: tls.enabled ? tls.material : undefined,
          clock: ctx.clock,
          timeline: ctx.timeline,
          ratings: ctx.bench.charger.ratings,
          faults: ctx.faults,
          timers: ctx.bench.timers,
          limits,
          runDir: ctx.runDir,
          power,
          linkEnd: chargerLinkEnd(ctx.resources),
        },
      );
      if (cfg.pilotLine !== '') {
        const line = sharedCeIdLine(cfg.pilotLine ?? 'ce-id', ctx.clock, ctx.timeline);
        line.setChargerGate('enabled');
        // CE leaving C while the output is on is an emergency on MCS: open the output at once.
        line.onChange((c) => {
          if (c.signal === 'CE' && c.state === 'A') charger.vehicleUnplugged();
          if (c.signal === 'CE' && c.previous === 'C' && c.state !== 'C' && charger.power.outputEnabled) {
            ctx.timeline.record('session', name, { role: 'secc', event: 'CE left C under power: emergency stop', ce: c.state });
            charger.power.stop('emergency');
          }
        });
      }
      // The bench's own means to disable this charger's output (a real bench's E-stop relay plays this part).
      return Object.assign(charger, { safeStatePrimitives: { disableChargerOutput: () => charger.safeState() } });
    },
  });
