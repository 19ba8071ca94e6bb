// Resource kind 'iso15118-ev': the ISO 15118-20 vehicle (EVCC) the MCS suites drive. It talks on a link
// resource (veth-link / ethernet-link) or, in-process, to an emulated charger's memory endpoint, and
// drives CE through a pilot resource.

import { Limits } from '../../drivers/core/limits.ts';
import type { CeIdPilot } from '../../drivers/pilot/ce-id.ts';
import type { BatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { ProfileRequestModel, type EvPowerPath } from '../../drivers/iso15118/evcc/vehicle-model.ts';
import { ISO15118_EV_KIND, Iso15118Vehicle, type VehicleSettings } from '../../drivers/iso15118/evcc/vehicle.ts';
import { tlsSettingSchema, type BenchTlsSetting } from '../../drivers/iso15118/pki/bench-tls.ts';
import { registerResourceKind, resourceKind, type Resource } from '../registry.ts';
import { keylogByDefault, openTlsSetting } from './tls-setting.ts';
import type { V2gLinkResource } from './v2g-link.ts';
import { entrySchema, resourceRef } from './entry-schema.ts';

export type Iso15118EvResource = Iso15118Vehicle & Resource;

/** As the bench file gives it: `tls` may name a lab PKI (resolved to material when the bench opens). */
type BenchVehicleSettings = Omit<VehicleSettings, 'tls'> & { tls?: BenchTlsSetting };

/** The default request model's settings (a fixed pack voltage and request), as a bench file gives them to a vehicle kind. */
export const requestSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    packVoltageV: { type: 'number' },
    requestCurrentA: { type: 'number' },
    maxCurrentA: { type: 'number' },
    maxVoltageV: { type: 'number' },
    maxPowerW: { type: 'number' },
  },
};

if (!resourceKind(ISO15118_EV_KIND))
  registerResourceKind<BenchVehicleSettings>({
    kind: ISO15118_EV_KIND,
    description:
      'ISO 15118-20 vehicle (EVCC): SDP, TLS 1.3 with the OEM client chain, DC/MCS session (Scheduled/Dynamic), charge loop, CE/ID handling; step-by-step and misbehaviour hooks for negative tests',
    openOrder: 5,
    schema: entrySchema([], {
      link: resourceRef('link resource (veth-link / ethernet-link) to talk on'),
      interface: { type: 'string' },
      localAddress: { type: 'string' },
      memory: { type: 'string', description: 'in-process: the emulated charger resource to connect to without sockets' },
      pilot: { type: 'string', description: 'CE/ID pilot resource' },
      battery: {
        type: 'string',
        description: "battery emulator resource: the vehicle's battery and contactors; requests then follow the bench's vehicle profile",
      },
      tls: tlsSettingSchema('vehicle'),
      keylog: {
        type: 'boolean',
        description:
          'NSS key log per TLS session in the run folder; default on with the emulated charger, off on a physical bench (session secrets in the evidence)',
      },
      serverChain: { enum: ['enforce', 'record'], default: 'enforce' },
      alsoTrust: { type: 'array', items: { type: 'string' } },
      controlMode: { enum: ['Scheduled', 'Dynamic'] },
      services: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 255 } },
      evccId: { type: 'string' },
      codec: { enum: ['auto', 'exi', 'json'] },
      request: requestSettingsSchema,
    }),
    async open(name, cfg, ctx) {
      const pilot = cfg.pilot ? (ctx.resources.get(cfg.pilot) as (CeIdPilot & Resource) | undefined) : undefined;
      if (cfg.pilot && !pilot) throw new Error(`${name}: pilot resource '${cfg.pilot}' is not on the bench (or opens after the vehicle)`);
      let power: EvPowerPath | undefined;
      let be: BatteryEmulator | undefined;
      if (cfg.battery) {
        be = ctx.resources.get(cfg.battery) as BatteryEmulator | undefined;
        if (!be || typeof be.setOutput !== 'function')
          throw new Error(`${name}: battery '${cfg.battery}' is not a battery emulator opened before the vehicle`);
        const b = be;
        power = { batteryVoltageV: () => b.batteryVoltageV(), inlet: () => b.read(), setContactors: (closed) => b.setOutput(closed) };
      }
      const tls = await openTlsSetting(name, cfg.tls, ctx.bench, { timeline: ctx.timeline });
      const settings: VehicleSettings = { ...cfg, tls: tls.enabled, keylog: cfg.keylog ?? keylogByDefault(ctx.bench) };
      const vehicle = await Iso15118Vehicle.create(name, settings, {
        tls: tls.enabled ? tls.material : undefined,
        clock: ctx.clock,
        timeline: ctx.timeline,
        limits: Limits.load('iso15118-20'),
        timers: ctx.bench.timers,
        runDir: ctx.runDir,
        pilot,
        power,
        maxCurrentA: ctx.bench.safety.maxCurrentA,
        linkEnd: (n) => {
          const l = ctx.resources.get(n) as V2gLinkResource | undefined;
          return l ? { interface: l.evInterface, address: l.evAddress } : undefined;
        },
      });
      if (be)
        vehicle.setModel(
          new ProfileRequestModel(loadVehicleProfile(ctx.bench.vehicle.profile, ctx.bench.vehicle.overrides ?? {}), () =>
            ctx.clock.nowMs(),
          ),
        );
      return Object.assign(vehicle, {
        async close() {
          await vehicle.safeState();
        },
        // The vehicle's stop path first (the standard's way), then its contactors once the current fell.
        safeStatePrimitives: {
          requestZeroCurrent: () => vehicle.safeState(),
          ...(power ? { openContactors: () => power!.setContactors(false) } : {}),
        },
        identity: () => ({ vehicle: `mcs-hil EVCC (${vehicle.codec.name})` }),
      }) as Iso15118EvResource;
    },
  });
