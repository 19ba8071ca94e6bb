// An emulated battery emulator behind a real SCPI raw socket (TCP, '\n'-terminated), backed by the emulated
// DC bus and battery: a SCPI driver and a "physical" bench file can be exercised end to end on loopback,
// with an emulated charger pushing real (emulated) current. The instrument's commands and behaviour come
// from its class's programming guide (emulator/instruments/: the RP7900 class by default, or the example
// high-power class), not from our driver.

import type { Duplex } from 'node:stream';
import { startInProcessScpiLineServer, startScpiLineServer } from '../scpi-line-server.ts';
import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import type { Dialect } from '../instruments/dialect.ts';
import { HP_BATTERY_DIALECT } from '../instruments/hp-dialect.ts';
import type { InstrumentDcSide } from '../instruments/parallel-units.ts';
import { PowerInstrument } from '../instruments/power-instrument.ts';
import { RP7900_DIALECT } from '../instruments/rp7900-dialect.ts';
import { EmulatedBattery } from './emulated-battery.ts';

/** The emulated instrument classes, by the name a bench file gives (`scpiClass`). */
export const EMULATED_INSTRUMENT_CLASSES: Record<string, Dialect> = {
  rp7900: RP7900_DIALECT,
  'hp-battery-emulator': HP_BATTERY_DIALECT,
};

export interface EmulatedScpiServerOptions {
  clock: Clock;
  timeline: Timeline;
  /** 0 = any free port; 'memory' = in-process only (no socket: a virtual-time bench). */
  port?: number | 'memory';
  host?: string;
  /** The emulated battery whose bus it serves (it must not stream itself); made from the profile when absent. */
  instrument?: EmulatedBattery;
  vehicleProfile?: string;
  /** Instrument class (EMULATED_INSTRUMENT_CLASSES); default rp7900. */
  instrumentClass?: string;
  /** Serve one of several parallel units on the battery's bus (emulator/instruments/parallel-units.ts) instead of all of it. */
  dcSide?: InstrumentDcSide;
  /** Fault switches of the run ('instrument-*-trip'). */
  faults?: ReadonlySet<string>;
  /** Test hook: replace the reply to a query (return undefined to answer normally). */
  replyHook?: (command: string, reply: string) => string | undefined;
}

export interface EmulatedScpiServer {
  readonly port: number;
  readonly host: string;
  readonly instrument: EmulatedBattery;
  /** A new in-process connection (the client's end of a memory stream). */
  connectInProcess(): Duplex;
  /** Commands received, in order (for tests). */
  readonly received: string[];
  close(): Promise<void>;
}

export async function startEmulatedScpiServer(o: EmulatedScpiServerOptions): Promise<EmulatedScpiServer> {
  const battery =
    o.instrument ??
    new EmulatedBattery('scpi-battery', o.clock, o.timeline, loadVehicleProfile(o.vehicleProfile ?? 'truck-lfp-620kwh'), { stream: false });
  const dialect = EMULATED_INSTRUMENT_CLASSES[o.instrumentClass ?? 'rp7900'];
  if (!dialect)
    throw new Error(`no emulated instrument class '${o.instrumentClass}' (${Object.keys(EMULATED_INSTRUMENT_CLASSES).join(', ')})`);
  const state = new PowerInstrument({
    clock: o.clock,
    timeline: o.timeline,
    dialect,
    battery: o.dcSide ?? battery,
    faults: o.faults,
    replyHook: o.replyHook,
  });
  const received: string[] = [];
  const host = o.host ?? '127.0.0.1';
  const onLine = (line: string) => {
    received.push(line);
    const replies = state.execute(line);
    return replies.length ? replies.join('\n') : undefined;
  };
  const lines = o.port === 'memory' ? startInProcessScpiLineServer({ onLine }) : await startScpiLineServer({ host, port: o.port, onLine });
  const served = { event: 'scpi-server', host: lines.host, port: lines.port, class: o.instrumentClass ?? 'rp7900' };
  o.timeline.record('instrument', o.dcSide?.name ?? battery.name, served);
  return {
    port: lines.port,
    host: lines.host,
    instrument: battery,
    connectInProcess: () => lines.connectInProcess(),
    received,
    async close() {
      state.stop();
      await lines.close();
    },
  };
}
