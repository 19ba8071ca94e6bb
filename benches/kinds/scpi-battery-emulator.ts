// Resource kind 'scpi-battery-emulator': an RP7900-class regenerative supply over SCPI raw socket
// (TCP 5025) as the vehicle's battery and contactors, streaming its V/I log onto the timeline. On open it
// programs the battery from the bench's vehicle profile (OCV at the initial SOC behind R0), the
// protections and the I/O watchdog, so a crashed harness leaves the output latched off.

import type { Clock } from '../../drivers/core/clock.ts';
import { SCPI_BATTERY_EMULATOR_KIND, Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { SCPI_RAW_PORT, TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { cellOcvV } from '../../drivers/vehicle/ocv.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { registerResourceKind, resourceKind, type OpenContext, type Resource } from '../registry.ts';
import { batteryEmulatorPrimitives } from '../safe-state-primitives.ts';
import { probeScpiIdentity } from './scpi-reachable.ts';

export interface ScpiBatteryEmulatorSettings {
  host: string;
  port?: number;
  timeoutMs?: number;
  /** Instrument ratings (V, A): set points outside are refused before they are sent. */
  maxVoltageV?: number;
  maxCurrentA?: number;
  samplePeriodS?: number;
  pollMs?: number;
  /** Protection levels; default: the vehicle's maximum voltage + 5 %, and the bench's maximum current. */
  ovpV?: number;
  ocpA?: number;
  /** I/O watchdog delay (s); default 5. 0 turns it off. */
  watchdogS?: number;
  /** Battery voltage to program; default: the vehicle profile's OCV at its initial SOC. */
  batteryVoltageV?: number;
}

if (!resourceKind(SCPI_BATTERY_EMULATOR_KIND))
  registerResourceKind<ScpiBatteryEmulatorSettings>({
    kind: SCPI_BATTERY_EMULATOR_KIND,
    description: 'RP7900-class battery emulator over SCPI (raw socket, TCP 5025): battery voltage + series resistance, output relays as the vehicle contactors, OVP/OCP, I/O watchdog, 1 kS/s V/I log onto the timeline',
    // After an emulated battery emulator that serves SCPI on loopback (20), before the chargers (10).
    openOrder: 15,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['host'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: SCPI_RAW_PORT },
        timeoutMs: { type: 'number', minimum: 1 },
        maxVoltageV: { type: 'number', exclusiveMinimum: 0 },
        maxCurrentA: { type: 'number', exclusiveMinimum: 0 },
        samplePeriodS: { type: 'number', minimum: 0.0002048, maximum: 1 },
        pollMs: { type: 'number', minimum: 10, maximum: 5000 },
        ovpV: { type: 'number', exclusiveMinimum: 0 },
        ocpA: { type: 'number', exclusiveMinimum: 0 },
        watchdogS: { type: 'number', minimum: 0, maximum: 3600 },
        batteryVoltageV: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    async open(name: string, cfg: ScpiBatteryEmulatorSettings, ctx: OpenContext): Promise<Resource> {
      const transport = await TcpScpiTransport.connect({ host: cfg.host, port: cfg.port, clock: ctx.clock, timeline: ctx.timeline, source: name, timeoutMs: cfg.timeoutMs });
      const inst = new Rp7900BatteryEmulator({
        name,
        transport,
        clock: ctx.clock,
        timeline: ctx.timeline,
        maxVoltageV: cfg.maxVoltageV,
        maxCurrentA: cfg.maxCurrentA,
        samplePeriodS: cfg.samplePeriodS,
        pollMs: cfg.pollMs,
      });
      try {
        await inst.open();
        const profile = loadVehicleProfile(ctx.bench.vehicle.profile, ctx.bench.vehicle.overrides ?? {});
        await inst.setOutput(false);
        await inst.setBatteryVoltage(cfg.batteryVoltageV ?? profile.cellsSeries * cellOcvV(profile.chemistry, profile.initialSoc));
        await inst.setSeriesResistance(profile.r0Ohm);
        await inst.setProtection({ ovpV: cfg.ovpV ?? profile.maxVoltageV * 1.05, ocpA: cfg.ocpA ?? Math.min(ctx.bench.safety.maxCurrentA ?? profile.maxCurrentA, cfg.maxCurrentA ?? Infinity) });
        if ((cfg.watchdogS ?? 5) > 0) await inst.setWatchdog(cfg.watchdogS ?? 5);
        await inst.startStreaming();
      } catch (e) {
        await inst.close().catch(() => undefined);
        throw e;
      }
      return Object.assign(inst, { safeStatePrimitives: batteryEmulatorPrimitives(inst) });
    },
    async checkReachable(name, cfg) {
      // Connect + *IDN? only (shared with the other SCPI kinds): the reply must be a full identity.
      return probeScpiIdentity(name, cfg.host, cfg.port ?? SCPI_RAW_PORT, cfg.timeoutMs);
    },
  });

export type { Clock };
