// Resource kind 'scpi-battery-emulator': a regenerative supply over SCPI raw socket (TCP 5025) as the
// vehicle's battery and contactors, driven from an instrument profile (fixtures/instruments: rp7900 by
// default), streaming its V/I log onto the timeline. On open the I/O watchdog is armed first (so a
// harness that dies from here on leaves the output latched off), then the battery is programmed from the
// vehicle profile (OCV at the initial SOC behind R0) with its protections. A protection trip seen while
// the output is on takes the whole bench to its safe state at once (benches/safe-state.ts).

import type { Duplex } from 'node:stream';
import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { ParallelBatteryEmulator } from '../../drivers/scpi/parallel-units.ts';
import { loadInstrumentProfile } from '../../drivers/scpi/profile.ts';
import { SCPI_BATTERY_EMULATOR_KIND, Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { SCPI_RAW_PORT, TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { cellOcvV } from '../../drivers/vehicle/ocv.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { registerResourceKind, resourceKind, type OpenContext, type Resource } from '../registry.ts';
import { SafeStateStrategy } from '../safe-state.ts';
import { batteryEmulatorPrimitives } from '../safe-state-primitives.ts';
import { probeScpiIdentity } from './scpi-reachable.ts';
import { connectScpiResource } from './scpi-socket.ts';

export interface ScpiBatteryEmulatorSettings {
  host?: string;
  port?: number;
  /** Several units in parallel as one battery (their currents add up): each unit's address. */
  units?: { host: string; port?: number }[];
  /** An emulated battery of this bench that serves SCPI (`scpiPort`): connect to it on loopback. */
  emulated?: string;
  /** Instrument profile in fixtures/instruments (default rp7900). */
  profile?: string;
  timeoutMs?: number;
  /** The bench's limits for this unit (V, A): refused at open when above the unit's own ratings. */
  maxVoltageV?: number;
  maxCurrentA?: number;
  samplePeriodS?: number;
  pollMs?: number;
  /** Protection levels; default: the vehicle's maximum voltage + 5 %, the bench's maximum current, 90 % of the vehicle's minimum. */
  ovpV?: number;
  ocpA?: number;
  uvpV?: number;
  /** I/O watchdog delay, whole seconds (default 5). */
  watchdogS?: number;
  /** Battery voltage to program; default: the vehicle profile's OCV at its initial SOC. */
  batteryVoltageV?: number;
  /** Stream the V/I log (default true): it is the bench's power analyser then. */
  stream?: boolean;
}

const WATCHDOG_DEFAULT_S = 5;
const SCPI_TIMEOUT_MS = 2000;

type Endpoint = { host: string; port: number; connectInProcess?: () => Duplex };

/** The unit's address; an emulated battery served as parallel units (scpiUnits) gives one per unit. */
function endpoints(name: string, cfg: ScpiBatteryEmulatorSettings, ctx: OpenContext): Endpoint[] {
  if (cfg.units) return cfg.units.map((u) => ({ host: u.host, port: u.port ?? SCPI_RAW_PORT }));
  if (!cfg.emulated) return [{ host: cfg.host!, port: cfg.port ?? SCPI_RAW_PORT }];
  const r = ctx.resources.get(cfg.emulated) as { scpiServer?: Endpoint; scpiServers?: Endpoint[] } | undefined;
  if (!r?.scpiServer) throw new Error(`${name}: '${cfg.emulated}' is not an emulated battery serving SCPI (scpiPort) opened before it`);
  return r.scpiServers ?? [r.scpiServer];
}

async function open(name: string, cfg: ScpiBatteryEmulatorSettings, ctx: OpenContext): Promise<Resource> {
  const addresses = endpoints(name, cfg, ctx);
  const n = addresses.length;
  // The timeout is bench time, the host's latency real time: on a faster-than-real bench clock it scales.
  const timeoutMs = cfg.timeoutMs ?? SCPI_TIMEOUT_MS * (ctx.bench.clock.rate ?? 1);
  const transports: TcpScpiTransport[] = [];
  try {
    for (const [k, e] of addresses.entries()) {
      const source = n > 1 ? `${name}#${k + 1}` : name;
      // An emulated unit served in-process (scpiPort: memory) is reached without a socket (virtual-time benches).
      transports.push(
        e.host === 'memory' && e.connectInProcess
          ? TcpScpiTransport.inProcess(e.connectInProcess(), { clock: ctx.clock, timeline: ctx.timeline, source, timeoutMs })
          : await connectScpiResource(source, { ...e, timeoutMs }, ctx),
      );
    }
  } catch (e) {
    for (const t of transports) await t.close();
    throw e;
  }
  const profile = loadInstrumentProfile(cfg.profile ?? 'rp7900');
  const unit = (k: number, timeline: Timeline) =>
    new Rp7900BatteryEmulator({
      name: n > 1 ? `${name}#${k + 1}` : name,
      transport: transports[k],
      clock: ctx.clock,
      timeline,
      profile,
      maxVoltageV: cfg.maxVoltageV,
      maxCurrentA: cfg.maxCurrentA === undefined ? undefined : cfg.maxCurrentA / n, // the bench's limit is for all units
      samplePeriodS: cfg.samplePeriodS,
      pollMs: cfg.pollMs,
    });
  const inst = n > 1 ? new ParallelBatteryEmulator(name, n, ctx.timeline, unit) : unit(0, ctx.timeline);
  try {
    await inst.open();
    // Bench seconds: on a faster-than-real (emulated) bench clock the default stretches with it, like the timeout.
    await inst.setWatchdog(cfg.watchdogS ?? WATCHDOG_DEFAULT_S * Math.ceil(ctx.bench.clock.rate ?? 1));
    const vehicle = loadVehicleProfile(ctx.bench.vehicle.profile, ctx.bench.vehicle.overrides ?? {});
    const r = inst.ratings;
    await inst.setBatteryVoltage(
      Math.min(r.maxVoltageV, cfg.batteryVoltageV ?? vehicle.cellsSeries * cellOcvV(vehicle.chemistry, vehicle.initialSoc)),
    );
    await inst.setSeriesResistance(Math.min(r.maxResistanceOhm, vehicle.r0Ohm));
    await inst.setProtection({
      ovpV: cfg.ovpV ?? Math.min(r.maxOvpV, vehicle.maxVoltageV * 1.05),
      ocpA: cfg.ocpA ?? Math.min(ctx.bench.safety.maxCurrentA ?? vehicle.maxCurrentA, r.maxCurrentA),
      uvpV: cfg.uvpV ?? Math.min(r.maxVoltageV, vehicle.minVoltageV) * 0.9,
    });
    // A trip while charging: the bench goes to its safe state now, not when the test notices.
    const strategy = new SafeStateStrategy({ clock: ctx.clock, timeline: ctx.timeline, config: ctx.bench });
    inst.onTrip((trip) => strategy.run([...ctx.resources.values()], `instrument trip: ${trip.message}`));
    if (cfg.stream !== false) await inst.startStreaming();
  } catch (e) {
    await inst.close().catch(() => undefined);
    throw e;
  }
  return Object.assign(inst, { safeStatePrimitives: batteryEmulatorPrimitives(inst) });
}

if (!resourceKind(SCPI_BATTERY_EMULATOR_KIND))
  registerResourceKind<ScpiBatteryEmulatorSettings>({
    kind: SCPI_BATTERY_EMULATOR_KIND,
    description:
      'Battery emulator over SCPI (raw socket, TCP 5025) from an instrument profile (fixtures/instruments, RP7900 class by default): ' +
      'battery voltage + series resistance, output as the vehicle contactors, OV/UV/sink-OC protection, I/O watchdog, ' +
      'binary V/I log onto the timeline',
    // After an emulated battery that serves SCPI on loopback (20), before the chargers (10).
    openOrder: 15,
    schema: {
      type: 'object',
      additionalProperties: false,
      oneOf: [{ required: ['host'] }, { required: ['emulated'] }, { required: ['units'] }],
      properties: {
        units: {
          type: 'array',
          minItems: 1,
          description: "several units in parallel as one battery (MCS currents): each unit's address",
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['host'],
            properties: { host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
          },
        },
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: SCPI_RAW_PORT },
        emulated: { type: 'string', description: 'an emulated-battery resource with scpiPort: connect to it on loopback' },
        profile: { type: 'string', description: 'instrument profile in fixtures/instruments (default rp7900)' },
        timeoutMs: { type: 'number', minimum: 1 },
        maxVoltageV: { type: 'number', exclusiveMinimum: 0 },
        maxCurrentA: { type: 'number', exclusiveMinimum: 0 },
        samplePeriodS: { type: 'number', minimum: 0.0001, maximum: 1 },
        pollMs: { type: 'number', minimum: 10, maximum: 5000 },
        ovpV: { type: 'number', exclusiveMinimum: 0 },
        ocpA: { type: 'number', exclusiveMinimum: 0 },
        uvpV: { type: 'number', minimum: 0 },
        watchdogS: { type: 'integer', minimum: 1, maximum: 3600 },
        batteryVoltageV: { type: 'number', exclusiveMinimum: 0 },
        stream: { type: 'boolean', default: true },
      },
    },
    open,
    async checkReachable(name, cfg) {
      if (cfg.emulated) return { ok: true, detail: `${name}: served by the emulated resource '${cfg.emulated}'` };
      // Connect + *IDN? only (shared with the other SCPI kinds): the reply must be a full identity. Every unit.
      const units = cfg.units ?? [{ host: cfg.host!, port: cfg.port }];
      const results = [];
      for (const u of units) results.push(await probeScpiIdentity(name, u.host, u.port ?? SCPI_RAW_PORT, cfg.timeoutMs));
      const bad = results.find((r) => !r.ok);
      return bad ?? { ok: true, detail: results.map((r) => r.detail).join('; ') };
    },
  });

export type { Clock };
