// Resource kind 'gbt27930-bms': the vehicle's BMS on a CAN resource of the bench. Suites reach it as
// `bench.find<GbtBmsResource>('gbt27930-bms')` and drive the session step by step.
//
//   bms:
//     kind: gbt27930-bms
//     can: vehicle-can          # a CAN transport resource (virtual-can, socketcand, socketcan)
//     battery: battery          # optional: battery emulator whose output is the vehicle's contactors
//     sa: 0xF4                  # optional addresses (defaults: BMS 0xF4, charger 0x56)
//     da: 0x56
//     profile: { initialCurrentA: 100, brmLength: 49, broReadyDelayMs: 500, optionalReports: true }

import { InputError } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { CanTransport } from '../../drivers/can/transport.ts';
import { isBatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { registerResourceKind, resourceKind, type OpenContext, type Resource } from '../registry.ts';
import { bmsProfileFromVehicle, type BmsProfile } from '../../drivers/gbt27930/bms-profile.ts';
import { BmsSession } from '../../drivers/gbt27930/bms-session.ts';
import { awaitGbtChargerIdle } from '../../drivers/gbt27930/charger-idle.ts';
import { HarnessLatency } from '../../drivers/core/harness-latency.ts';
import { GBT_LIMIT_PROFILE, loadGbtTiming, type GbtTiming } from '../../drivers/gbt27930/timing.ts';
import { gbtAddressProperties, gbtNodeResource, openGbtBenchLink } from './gbt-bench-link.ts';
import { entrySchema, resourceRef } from './entry-schema.ts';

export const GBT_BMS_KIND = 'gbt27930-bms';

export interface GbtBmsConfig {
  can: string;
  battery?: string;
  sa?: number;
  da?: number;
  profile?: Partial<
    Pick<
      BmsProfile,
      'initialCurrentA' | 'brmLength' | 'broReadyDelayMs' | 'optionalReports' | 'maxChargeCurrentA' | 'targetVoltageV' | 'temperatureC'
    >
  >;
  /** Gap between our TP.DT packets (ms). */
  dtGapMs?: number;
}

/** The opened BMS: the session (all steps and misbehaviour hooks) plus what a suite needs to find its evidence. */
export interface GbtBmsResource extends Resource {
  readonly session: BmsSession;
  readonly timing: GbtTiming;
  /** Timeline source of the decoded 'gbt' events of this BMS. */
  readonly source: string;
  /** Name of the CAN resource (the timeline source of its raw frames, for the candump attachment). */
  readonly canResource: string;
  /** Name of the battery emulator that is this vehicle's battery (its samples are the power analyser's), if any. */
  readonly battery?: string;
  readonly sa: number;
  readonly da: number;
  /** The harness's own latency on this node (receive-to-stamp, timer lateness): timing verdicts' uncertainty. */
  readonly latency: HarnessLatency;
  /** Vehicle silent until the charger sends only its idle CHM again (bounded by idle.returnMs). */
  awaitChargerIdle(previousTest: string): Promise<string>;
  /** Shortcuts to the session's steps (the session has the full set of steps and misbehaviour hooks). */
  startCharging: BmsSession['startCharging'];
  requestCurrent: BmsSession['requestCurrent'];
  stop: BmsSession['stop'];
  stopSending: BmsSession['stopSending'];
  resumeSending: BmsSession['resumeSending'];
  sendBem: BmsSession['sendBem'];
}

export function isCanTransport(r: unknown): r is CanTransport {
  const t = r as CanTransport;
  return !!t && typeof t.send === 'function' && typeof t.onFrame === 'function' && typeof t.channel === 'string';
}

/** Find a CAN transport resource named by a setting, with a clear error pointing at the bench file. */
export function canResourceOf(ctx: OpenContext, name: string, owner: string): CanTransport {
  const r = ctx.resources.get(name);
  if (!r)
    throw new InputError(
      `resource '${owner}' names CAN resource '${name}', which the bench does not have (or opens later)`,
      `${ctx.bench.file}: resources.${owner}.can`,
    );
  if (!isCanTransport(r))
    throw new InputError(`resource '${name}' (kind ${r.kind}) is not a CAN transport`, `${ctx.bench.file}: resources.${owner}.can`);
  return r;
}

export function registerGbtBmsKind(): void {
  if (resourceKind(GBT_BMS_KIND)) return;
  registerResourceKind<GbtBmsConfig>({
    kind: GBT_BMS_KIND,
    description:
      'GB/T 27930-2015 vehicle BMS (handshake → statistics, every timeout of the standard, misbehaviour hooks) on a CAN resource.',
    openOrder: 5, // after the CAN transports and the battery emulator
    schema: entrySchema(['can'], {
      can: resourceRef('Name of the CAN transport resource the BMS talks on.'),
      battery: resourceRef("Battery emulator resource whose output stands for the vehicle's DC contactors."),
      ...gbtAddressProperties('bms'),
      dtGapMs: { type: 'number', minimum: 0, maximum: 200 },
      profile: {
        type: 'object',
        additionalProperties: false,
        properties: {
          initialCurrentA: { type: 'number', minimum: 0, maximum: 400 },
          maxChargeCurrentA: { type: 'number', minimum: 0, maximum: 400 },
          targetVoltageV: { type: 'number', minimum: 0 },
          temperatureC: { type: 'number', minimum: -50, maximum: 200 },
          brmLength: { enum: [41, 49] },
          broReadyDelayMs: { type: 'number', minimum: 0 },
          optionalReports: { type: 'boolean' },
        },
      },
    }),
    async open(name: string, config: GbtBmsConfig, ctx: OpenContext): Promise<GbtBmsResource> {
      const can = canResourceOf(ctx, config.can, name);
      const battery = config.battery ? ctx.resources.get(config.battery) : undefined;
      if (config.battery && !isBatteryEmulator(battery))
        throw new InputError(`resource '${config.battery}' is not a battery emulator`, `${ctx.bench.file}: resources.${name}.battery`);
      const limits = Limits.load(GBT_LIMIT_PROFILE);
      const timing = loadGbtTiming(limits, ctx.bench.timers ?? {});
      const latency = new HarnessLatency();
      const vehicle = loadVehicleProfile(ctx.bench.vehicle.profile, ctx.bench.vehicle.overrides ?? {});
      const profile = bmsProfileFromVehicle(vehicle, config.profile);
      if (ctx.bench.safety.maxCurrentA !== undefined)
        profile.maxChargeCurrentA = Math.min(profile.maxChargeCurrentA, ctx.bench.safety.maxCurrentA);
      if (ctx.bench.safety.maxVoltageV !== undefined)
        profile.maxChargeVoltageV = Math.min(profile.maxChargeVoltageV, ctx.bench.safety.maxVoltageV);
      const { sa, da, tp, link } = openGbtBenchLink(name, 'bms', can, config, ctx);
      const session = new BmsSession({
        link,
        clock: ctx.clock,
        timeline: ctx.timeline,
        source: name,
        timing,
        profile,
        latency,
        contactors: isBatteryEmulator(battery) ? (closed) => battery.setOutput(closed) : undefined,
        batteryVoltage: isBatteryEmulator(battery) ? () => battery.batteryVoltageV() : undefined,
      });
      return {
        name,
        kind: GBT_BMS_KIND,
        session,
        timing,
        source: name,
        canResource: config.can,
        battery: config.battery,
        sa,
        da,
        latency,
        awaitChargerIdle: (previousTest) =>
          awaitGbtChargerIdle(
            {
              link,
              clock: ctx.clock,
              resource: name,
              boundMs: limits.num('idle.returnMs'),
              periodMs: timing.periodMs.CHM,
              goSilent: () => session.state !== 'idle' && session.unplug('vehicle silent until the charger is idle'),
            },
            previousTest,
          ),
        startCharging: (timeoutMs) => session.startCharging(timeoutMs),
        requestCurrent: (currentA) => session.requestCurrent(currentA),
        stop: (reason, timeoutMs) => session.stop(reason, timeoutMs),
        stopSending: (code) => session.stopSending(code),
        resumeSending: (code) => session.resumeSending(code),
        sendBem: (values) => session.sendBem(values),
        ...gbtNodeResource(session, { link, tp }, 'requestZeroCurrent'),
        identity() {
          return { vehicleProfile: vehicle.name, vin: profile.identity.vin ?? '', sa: `0x${sa.toString(16)}`, da: `0x${da.toString(16)}` };
        },
      };
    },
  });
}

registerGbtBmsKind();
