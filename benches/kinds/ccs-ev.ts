// Resource kind 'ccs-ev': the truck's CCS2 port as a vehicle (drivers/iso15118/ccs): SLAC on the port's PLC
// link (a real Green PHY modem or the emulated link), then DIN 70121 / ISO 15118-2 DC over IPv6 link-local TCP,
// or in-process to an emulated CCS charger's memory endpoint; CP through the port's pilot, the battery and its
// contactors through a battery emulator (requests then follow the bench's vehicle profile).

import { Limits } from '../../drivers/core/limits.ts';
import { CCS_EV_KIND, CcsVehicle, type CcsVehicleSettings } from '../../drivers/iso15118/ccs/vehicle.ts';
import { EMULATED_CCS_CHARGER_KIND } from '../../emulator/ccs/charger.ts';
import { ProfileRequestModel, type EvPowerPath } from '../../drivers/iso15118/evcc/vehicle-model.ts';
import type { CpPilot } from '../../drivers/pilot/cp.ts';
import { runSlacAsEv } from '../../drivers/plc/slac-ev.ts';
import type { BatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { registerResourceKind, resourceKind, type Resource } from '../registry.ts';
import { ccsTlsSettingSchema, openCcsTlsSetting, type CcsTlsSetting } from './ccs-tls-setting.ts';
import { entrySchema, resourceRef } from './entry-schema.ts';
import { requestSettingsSchema } from './iso15118-ev.ts';
import type { PlcLinkResource } from './plc-modem.ts';

export type CcsEvResource = CcsVehicle & Resource;

interface Settings extends Omit<CcsVehicleSettings, 'tls'> {
  /** -2 TLS: true, false, or the lab's V2G roots (ccs-tls-setting.ts). */
  tls?: CcsTlsSetting;
  /** PLC link resource (plc-modem / emulated-plc-link) the vehicle matches on and talks over. */
  plc?: string;
  /** CP pilot resource (emulated-cp / scpi-cp). */
  pilot?: string;
  /** Battery emulator resource: the vehicle's battery and contactors. */
  battery?: string;
}

const resource = <T>(
  ctx: { resources: ReadonlyMap<string, unknown> },
  owner: string,
  what: string,
  name: string | undefined,
): T | undefined => {
  if (!name) return undefined;
  const r = ctx.resources.get(name) as T | undefined;
  if (!r) throw new Error(`${owner}: ${what} resource '${name}' is not on the bench (or opens after the vehicle)`);
  return r;
};

if (!resourceKind(CCS_EV_KIND))
  registerResourceKind<Settings>({
    kind: CCS_EV_KIND,
    description:
      'CCS2 vehicle (EVCC): SLAC, SDP, DIN 70121 / ISO 15118-2 DC (optional TLS 1.2) with EIM (supportedAppProtocol priority configurable), ' +
      'CurrentDemand loop, CP handling; step by step for negative tests',
    // After the PLC link (100), the pilot (90), the battery (20) and the charger (10) it talks to.
    openOrder: 5,
    schema: entrySchema([], {
      plc: resourceRef('PLC link resource (plc-modem / emulated-plc-link): SLAC, then IPv6 TCP'),
      memory: resourceRef('in-process: the emulated CCS charger resource to connect to'),
      pilot: resourceRef('CP pilot resource (emulated-cp / scpi-cp)'),
      battery: resourceRef("battery emulator resource: the vehicle's battery and contactors"),
      protocols: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['iso2', 'din', 'iso20-dc'] },
        description: 'offered in supportedAppProtocolReq in this order of preference (default [iso2, din])',
      },
      evccId: { type: 'string', pattern: '^[0-9A-Fa-f]{12}$', description: "EVCCID: the vehicle's MAC, 12 hex digits" },
      serviceDetail: { type: 'boolean', description: '-2: ask ServiceDetail for the charge service (default false)' },
      weldingDetection: { type: 'boolean', description: 'WeldingDetection after the stop (default true)' },
      tls: ccsTlsSettingSchema,
      keylog: {
        type: 'boolean',
        description:
          'TLS session keys (SSLKEYLOGFILE format) per connection into the run folder and the evidence; default on with the ' +
          'emulated CCS charger, off on a physical bench (session secrets in the evidence)',
      },
      request: requestSettingsSchema,
    }),
    async open(name, cfg, ctx) {
      if (!cfg.plc === !cfg.memory) throw new Error(`${name}: set exactly one of 'plc' (a PLC link) and 'memory' (an in-process charger)`);
      const link = resource<PlcLinkResource>(ctx, name, 'PLC link', cfg.plc);
      const pilot = resource<CpPilot & Resource>(ctx, name, 'CP pilot', cfg.pilot);
      const be = resource<BatteryEmulator>(ctx, name, 'battery', cfg.battery);
      if (be && typeof be.setOutput !== 'function') throw new Error(`${name}: '${cfg.battery}' is not a battery emulator`);
      const power: EvPowerPath | undefined = be && {
        batteryVoltageV: () => be.batteryVoltageV(),
        inlet: () => be.read(),
        setContactors: (closed) => be.setOutput(closed),
      };
      const slacLimits = Limits.load('iso15118-3');
      const emulatedCharger = Object.values(ctx.bench.resources).some((r) => r.kind === EMULATED_CCS_CHARGER_KIND);
      const { tls, v2gRootFiles } = openCcsTlsSetting(name, cfg.tls, ctx.bench);
      const vehicle = new CcsVehicle(
        name,
        { ...cfg, tls, keylog: cfg.keylog ?? emulatedCharger },
        {
          clock: ctx.clock,
          timeline: ctx.timeline,
          timers: ctx.bench.timers,
          pilot,
          power,
          powerSource: cfg.battery,
          maxCurrentA: ctx.bench.safety.maxCurrentA,
          runDir: ctx.runDir,
          v2gRootFiles,
          network: link && {
            interface: link.evInterface,
            address: link.evAddress,
            slac: () =>
              runSlacAsEv({ port: link.vehiclePort, clock: ctx.clock, timeline: ctx.timeline, source: link.name, limits: slacLimits }),
          },
        },
      );
      if (be) {
        const profile = loadVehicleProfile(ctx.bench.vehicle.profile, ctx.bench.vehicle.overrides ?? {});
        vehicle.setModel(new ProfileRequestModel(profile, () => ctx.clock.nowMs()));
      }
      // CcsVehicle.safeState() is the resource's safe state as it is.
      return Object.assign(vehicle, {
        async close() {
          await vehicle.safeState();
        },
        safeStatePrimitives: {
          requestZeroCurrent: () => vehicle.safeState(),
          ...(power ? { openContactors: () => power.setContactors(false) } : {}),
        },
        identity: () => ({
          vehicle: `mcs-hil CCS2 EVCC (${(cfg.protocols ?? ['iso2', 'din']).join(' > ')})`,
          security: tls ? `asks for TLS 1.2 for ISO 15118-2 (V2G root: ${v2gRootFiles ? 'bench' : 'generated -2 test PKI'})` : 'no TLS',
        }),
      }) as CcsEvResource;
    },
  });
