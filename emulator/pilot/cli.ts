// `mcs-hil emulate dio [--host H] [--port P] [--unplugged]`: run the emulated SCPI digital I/O box until
// SIGINT, so a bench file with a `scpi-ce-id` pilot can be tried (doctor, run) without the lab's box.
// bin/ parses the arguments and calls this.

import { UsageError } from '../../drivers/core/errors.ts';
import { SCPI_RAW_PORT } from '../../drivers/scpi/transport.ts';
import { startEmulatedDioServer } from './scpi-dio-server.ts';
import { stopOnSignal } from '../../drivers/core/stop-on-signal.ts';

export interface DioServerCommandOptions {
  host?: string;
  port?: number | string;
  /** ID reads "not connected" (input port 1 bit 0 clear). */
  unplugged?: boolean;
  out?: (line: string) => void;
  /** Resolve when this aborts (tests); by default SIGINT/SIGTERM stop the box. */
  signal?: AbortSignal;
}

export async function dioServerCommand(opts: DioServerCommandOptions = {}): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port === undefined ? SCPI_RAW_PORT : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0..65535, got '${opts.port}'`, 'mcs-hil emulate dio');
  let server;
  try {
    server = await startEmulatedDioServer({ host, port, inputs: { 1: opts.unplugged ? 0 : 1 } });
  } catch (e) {
    throw new UsageError(`cannot listen on ${host}:${port} (${(e as Error).message}); choose another --port`, 'mcs-hil emulate dio');
  }
  out(`listening on ${server.host}:${server.port}`);
  await stopOnSignal(opts.signal).stopped;
  await server.close();
  const n = server.received.length;
  out(
    `DIO box stopped (${n} command${n === 1 ? '' : 's'}; outputs ${[...server.settings].map(([k, v]) => `${k}=${v}`).join(', ') || 'never set'})`,
  );
}
