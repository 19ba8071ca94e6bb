// Resource kind 'emulated-battery' (emulated-battery.ts): the vehicle battery on an emulated DC bus, and
// the bench's power analyser. With scpiPort it is served as an RP7900-class instrument over SCPI instead
// (scpi-server.ts), for a 'scpi-battery-emulator' resource to drive. Its old kind name
// 'emulated-battery-emulator' still opens, with a deprecation notice on the console and the timeline.

import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { registerResourceKind, resourceKind, type OpenContext, type Resource } from '../registry.ts';
import { batteryEmulatorPrimitives } from '../safe-state-primitives.ts';
import {
  DEPRECATED_EMULATED_BATTERY_KIND,
  EMULATED_BATTERY_KIND,
  EmulatedBattery,
  type EmulatedBatteryConfig,
} from '../../emulator/power/emulated-battery.ts';
import { startEmulatedScpiServer } from '../../emulator/power/scpi-server.ts';
import { ParallelUnits } from '../../emulator/instruments/parallel-units.ts';

const SCHEMA = {
  type: 'object',
  properties: {
    blockMs: { type: 'number', minimum: 1, maximum: 1000, description: 'Sample block length on the timeline (ms).' },
    noiseA: { type: 'number', minimum: 0 },
    noiseV: { type: 'number', minimum: 0 },
    seed: { type: 'integer' },
    stream: { type: 'boolean', description: 'Stream samples from the moment the bench opens (default true).' },
    scpiPort: {
      oneOf: [
        { type: 'integer', minimum: 0, maximum: 65535 },
        { const: 'memory', description: 'in-process only, no socket: for a virtual-time bench' },
      ],
      description:
        "Serve this battery over SCPI on 127.0.0.1 at this port (or 'memory': in-process), for a 'scpi-battery-emulator' resource " +
        '(then it does not stream itself).',
    },
    scpiClass: { enum: ['rp7900', 'hp-battery-emulator'], description: 'The emulated instrument class served over SCPI (default rp7900).' },
    scpiUnits: {
      type: 'integer',
      minimum: 1,
      maximum: 16,
      description: 'Serve it as this many parallel units, each on its own port carrying its share of the current (default 1).',
    },
  },
};

async function open(name: string, config: EmulatedBatteryConfig, ctx: OpenContext): Promise<Resource> {
  const profile = loadVehicleProfile(ctx.bench.vehicle.profile, ctx.bench.vehicle.overrides ?? {});
  const inst = new EmulatedBattery(name, ctx.clock, ctx.timeline, profile, config, ctx.faults);
  if (config.scpiPort !== undefined) {
    // The SCPI server drains the bus for its Elog: the instrument must not stream as well. Parallel units
    // share the bus, each on its own port (the first at scpiPort, the others on any free port).
    const n = config.scpiUnits ?? 1;
    const units = n > 1 ? new ParallelUnits(inst, n) : undefined;
    const servers = [];
    for (let k = 0; k < n; k++) {
      const server = await startEmulatedScpiServer({
        clock: ctx.clock,
        timeline: ctx.timeline,
        port: config.scpiPort === 'memory' ? 'memory' : k === 0 ? config.scpiPort : 0,
        instrument: inst,
        dcSide: units?.unit(k),
        instrumentClass: config.scpiClass,
        faults: ctx.faults,
      });
      inst.onClose(() => server.close());
      servers.push({ host: server.host, port: server.port, connectInProcess: server.connectInProcess });
    }
    // For a scpi-battery-emulator with `emulated:` (several servers: its units).
    Object.assign(inst, { scpiServer: servers[0], ...(n > 1 ? { scpiServers: servers } : {}) });
  } else if (config.stream !== false) await inst.startStreaming();
  return Object.assign(inst, { safeStatePrimitives: batteryEmulatorPrimitives(inst) });
}

/** Registers 'emulated-battery' and its deprecated old name (idempotent). */
export function registerEmulatedBattery(): void {
  if (resourceKind(EMULATED_BATTERY_KIND)) return;
  registerResourceKind<EmulatedBatteryConfig>({
    kind: EMULATED_BATTERY_KIND,
    description: 'Emulated vehicle battery and power analyser: the battery (vehicle profile) on an emulated DC bus, sampled at 1 kS/s.',
    // Before the emulated chargers, which attach their power stage to its bus.
    openOrder: 20,
    schema: SCHEMA,
    open,
  });
  registerResourceKind<EmulatedBatteryConfig>({
    kind: DEPRECATED_EMULATED_BATTERY_KIND,
    description: `Deprecated name of '${EMULATED_BATTERY_KIND}' (still opens; rename the kind in the bench file).`,
    openOrder: 20,
    schema: SCHEMA,
    async open(name, config, ctx) {
      const old = DEPRECATED_EMULATED_BATTERY_KIND;
      const text = `resource '${name}': kind '${old}' is deprecated, use '${EMULATED_BATTERY_KIND}' (${ctx.bench.file})`;
      ctx.timeline.record('bench', name, {
        event: 'deprecated kind',
        kind: DEPRECATED_EMULATED_BATTERY_KIND,
        use: EMULATED_BATTERY_KIND,
        message: text,
      });
      process.stderr.write(`mcs-hil: warning: ${text}\n`);
      return open(name, config, ctx);
    },
  });
}

registerEmulatedBattery();
