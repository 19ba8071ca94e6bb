// Resource kind 'scpi-power-analyser': a precision power analyser over SCPI (raw socket) at the vehicle inlet,
// driven from its class profile (fixtures/instruments/power-analyser.yaml). On a bench that has one, its trace
// is the judged one (suites/mcs/power-support.ts rig.analyser); the battery emulator keeps the contactors.
// `emulated: <emulated-battery>` serves an emulated analyser of the class on that battery's DC bus (in-process
// on a virtual clock, on loopback otherwise) and connects to it: the dry run of a lab's analyser bench.

import { SCPI_POWER_ANALYSER_KIND } from '../../drivers/scpi/power-analyser.ts';
import { loadAnalyserProfile } from '../../drivers/scpi/power-analyser-profile.ts';
import { ScpiPowerAnalyser } from '../../drivers/scpi/power-analyser-scpi.ts';
import { SCPI_RAW_PORT, TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { startEmulatedAnalyser } from '../../emulator/instruments/analyser-server.ts';
import { EmulatedBattery } from '../../emulator/power/emulated-battery.ts';
import { registerResourceKind, resourceKind, type OpenContext, type Resource } from '../registry.ts';
import { probeScpiIdentity } from './scpi-reachable.ts';
import { connectScpiResource, scpiSocketProperties } from './scpi-socket.ts';

export interface ScpiPowerAnalyserSettings {
  host?: string;
  port?: number;
  timeoutMs?: number;
  /** An emulated-battery resource of this bench: serve an emulated analyser on its DC bus and use it. */
  emulated?: string;
  /** Analyser profile in fixtures/instruments (default power-analyser). */
  profile?: string;
  /** Data update interval to ask for (s); the unit's choice is read back and used for the stamps. */
  updatePeriodS?: number;
  /** Input ranges to set (V, A); the unit's present ranges when absent. */
  voltageRangeV?: number;
  currentRangeA?: number;
  /** How often the buffered updates are fetched (ms). */
  pollMs?: number;
  /** Stream from the moment the bench opens (default true). */
  stream?: boolean;
}

const SCPI_TIMEOUT_MS = 2000;

async function transportTo(name: string, cfg: ScpiPowerAnalyserSettings, ctx: OpenContext, timeoutMs: number): Promise<TcpScpiTransport> {
  if (!cfg.emulated) return connectScpiResource(name, { host: cfg.host!, port: cfg.port ?? SCPI_RAW_PORT, timeoutMs }, ctx);
  const battery = ctx.resources.get(cfg.emulated);
  if (!(battery instanceof EmulatedBattery))
    throw new Error(
      `${name}: '${cfg.emulated}' is not an emulated-battery resource opened before it (its DC bus is what the analyser measures)`,
    );
  const server = await startEmulatedAnalyser({
    clock: ctx.clock,
    timeline: ctx.timeline,
    name: `${name} (emulated)`,
    bus: battery.bus,
    port: ctx.bench.clock.kind === 'virtual' ? 'memory' : 0,
    faults: ctx.faults,
  });
  battery.onClose(() => server.close());
  if (server.host === 'memory')
    return TcpScpiTransport.inProcess(server.connectInProcess(), { clock: ctx.clock, timeline: ctx.timeline, source: name, timeoutMs });
  return connectScpiResource(name, { host: server.host, port: server.port, timeoutMs }, ctx);
}

async function open(name: string, cfg: ScpiPowerAnalyserSettings, ctx: OpenContext): Promise<Resource> {
  // The timeout is bench time, the host's latency real time: on a faster-than-real bench clock it scales.
  const timeoutMs = cfg.timeoutMs ?? SCPI_TIMEOUT_MS * (ctx.bench.clock.rate ?? 1);
  const transport = await transportTo(name, cfg, ctx, timeoutMs);
  const ratings = ctx.bench.charger.ratings;
  const mostA = Math.min(ratings.maxCurrentA, ctx.bench.safety.maxCurrentA ?? Infinity);
  const inst = new ScpiPowerAnalyser({
    name,
    transport,
    clock: ctx.clock,
    timeline: ctx.timeline,
    profile: loadAnalyserProfile(cfg.profile ?? 'power-analyser'),
    updatePeriodS: cfg.updatePeriodS,
    voltageRangeV: cfg.voltageRangeV ?? ratings.maxVoltageV,
    currentRangeA: cfg.currentRangeA ?? mostA,
    // What the charger may put on the inlet (its current as far as the bench lets it): a range below it would clip.
    requiredVoltageV: ratings.maxVoltageV,
    requiredCurrentA: mostA,
    pollMs: cfg.pollMs,
  });
  try {
    await inst.open();
    if (cfg.stream !== false) await inst.startStreaming();
  } catch (e) {
    await inst.close().catch(() => undefined);
    throw e;
  }
  // It only measures: in the safe state it is one more reading of the inlet current.
  return Object.assign(inst, { safeStatePrimitives: { measuredCurrentA: async () => Math.abs((await inst.read()).currentA) } });
}

if (!resourceKind(SCPI_POWER_ANALYSER_KIND))
  registerResourceKind<ScpiPowerAnalyserSettings>({
    kind: SCPI_POWER_ANALYSER_KIND,
    description:
      'Precision power analyser over SCPI (raw socket) from its class profile (fixtures/instruments/power-analyser.yaml): ' +
      'the inlet DC voltage, current and power at its update rate onto the timeline, the judged trace of the ramp and safety suites',
    // After the emulated battery whose bus an emulated analyser measures (20), before the chargers (10).
    openOrder: 15,
    schema: {
      type: 'object',
      additionalProperties: false,
      oneOf: [{ required: ['host'] }, { required: ['emulated'] }],
      properties: {
        ...scpiSocketProperties('the analyser (its raw SCPI socket)'),
        emulated: { type: 'string', description: 'an emulated-battery resource: serve an emulated analyser on its DC bus' },
        profile: { type: 'string', description: 'analyser profile in fixtures/instruments (default power-analyser)' },
        updatePeriodS: { type: 'number', exclusiveMinimum: 0, maximum: 20, description: 'data update interval to ask for (s)' },
        voltageRangeV: { type: 'number', exclusiveMinimum: 0 },
        currentRangeA: { type: 'number', exclusiveMinimum: 0 },
        pollMs: { type: 'number', minimum: 10, maximum: 5000 },
        stream: { type: 'boolean', default: true },
      },
    },
    open,
    async checkReachable(name, cfg) {
      if (cfg.emulated) return { ok: true, detail: `${name}: an emulated analyser on the bus of '${cfg.emulated}'` };
      return probeScpiIdentity(name, cfg.host!, cfg.port ?? SCPI_RAW_PORT, cfg.timeoutMs);
    },
  });
