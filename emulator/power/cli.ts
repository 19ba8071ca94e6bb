// `mcs-hil serve scpi-battery [--class <profile>]`: serve an emulated battery emulator of an instrument class
// (RP7900 by default) over SCPI raw socket, so a lab can dry-run a bench file that names a 'scpi-battery-emulator'
// (or try the driver by hand with `nc 127.0.0.1 5025`). Runs until SIGINT/SIGTERM.

import { RealClock } from '../../drivers/core/clock.ts';
import { UsageError } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { SCPI_RAW_PORT } from '../../drivers/scpi/transport.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { EmulatedBattery } from './emulated-battery.ts';
import { EMULATED_INSTRUMENT_CLASSES, startEmulatedScpiServer } from './scpi-server.ts';

export interface ScpiBatteryCommandArgs {
  host?: string;
  port?: number | string;
  /** Vehicle profile in fixtures/vehicles (default truck-lfp-620kwh). */
  profile?: string;
  /** Instrument class to emulate, named as its profile in fixtures/instruments (default rp7900). */
  instrumentClass?: string;
  /** Timeline JSON-lines file to record the session into. */
  timeline?: string;
  /** Resolve instead of waiting for a signal (tests). */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export async function scpiBatteryCommand(args: ScpiBatteryCommandArgs = {}): Promise<void> {
  const port = args.port === undefined ? SCPI_RAW_PORT : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a TCP port, got ${args.port}`, 'mcs-hil serve scpi-battery');
  const instrumentClass = args.instrumentClass ?? 'rp7900';
  if (!EMULATED_INSTRUMENT_CLASSES[instrumentClass])
    throw new UsageError(
      `--class: no emulated instrument class '${instrumentClass}' (${Object.keys(EMULATED_INSTRUMENT_CLASSES).join(', ')})`,
      'mcs-hil serve scpi-battery',
    );
  const log = args.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const clock = new RealClock();
  const timeline = new Timeline({ clock, file: args.timeline });
  const profile = loadVehicleProfile(args.profile ?? 'truck-lfp-620kwh');
  const inst = new EmulatedBattery('scpi-battery', clock, timeline, profile, { stream: false });
  const server = await startEmulatedScpiServer({
    clock,
    timeline,
    port,
    host: args.host ?? '127.0.0.1',
    instrument: inst,
    instrumentClass,
  });
  log(
    `emulated ${instrumentClass}-class battery emulator (${profile.title}) answering SCPI on ${server.host}:${server.port}; Ctrl-C to stop`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    args.signal?.addEventListener('abort', stop, { once: true });
    if (!args.signal) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await server.close();
  await inst.close();
  timeline.close();
  log('stopped');
}
