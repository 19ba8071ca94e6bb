// `mcs-hil can …` commands. bin/ parses arguments and calls these.

import { RealClock } from '../core/clock.ts';
import { UsageError } from '../core/errors.ts';
import { SocketcandHub } from './socketcand-hub.ts';
import { SocketcandCan } from './socketcand-client.ts';
import { SOCKETCAND_PORT } from './socketcand-protocol.ts';
import { formatCandumpLine } from './trace-candump.ts';
import { openTraceWriter, readTraceFile, traceFormatOf, writeTraceFile } from './trace-files.ts';
import { stopOnSignal } from '../core/stop-on-signal.ts';

export interface CanHubCommandOptions {
  host?: string;
  port?: number | string;
  /** Allowed bus names (any when omitted or empty); a comma-separated string is accepted too. */
  buses?: string[] | string;
  /** Where to print (default process.stdout / process.stderr). */
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Resolve when this aborts (tests); by default SIGINT/SIGTERM end the hub. */
  signal?: AbortSignal;
}

/**
 * `mcs-hil can hub [--host H] [--port P] [--buses a,b]`: run our socketcand-compatible hub until SIGINT.
 * Prints `listening on HOST:PORT` once clients can connect, and each client problem to stderr.
 */
export async function canHubCommand(opts: CanHubCommandOptions = {}): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = opts.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port === undefined ? SOCKETCAND_PORT : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0..65535, got '${opts.port}'`, 'mcs-hil can hub');
  const buses =
    typeof opts.buses === 'string'
      ? opts.buses
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : opts.buses;
  for (const b of buses ?? [])
    if (!/^\S{1,16}$/.test(b)) throw new UsageError(`bus name '${b}' must be 1–16 characters without spaces`, 'mcs-hil can hub --buses');
  const hub = new SocketcandHub({
    host,
    port,
    buses: buses?.length ? buses : undefined,
    onProblem: (p) => err(`${p.client}: ${p.message}`),
  });
  let addr: { host: string; port: number };
  try {
    addr = await hub.listen();
  } catch (e) {
    throw new UsageError(`cannot listen on ${host}:${port} (${(e as Error).message}); choose another --port`, 'mcs-hil can hub');
  }
  out(`listening on ${addr.host}:${addr.port}`);
  await stopOnSignal(opts.signal).stopped;
  const s = hub.stats();
  await hub.close();
  out(
    `hub stopped (${
      Object.entries(s.buses)
        .map(([b, x]) => `${b}: ${x.frames} frames`)
        .join(', ') || 'no traffic'
    }; ${s.problems} bad inputs)`,
  );
}

export interface CanDumpCommandOptions {
  host?: string;
  port?: number | string;
  bus: string;
  /** Also write every frame to this trace file (.log, .pcap, .asc). */
  output?: string;
  /** Stop after this many frames. */
  count?: number | string;
  out?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * `mcs-hil can dump --bus gbt [--host H] [--port P] [--output run.log] [--count N]`: candump over socketcand —
 * prints every frame on the bus as a candump line until SIGINT (or N frames).
 */
export async function canDumpCommand(opts: CanDumpCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const port = opts.port === undefined ? SOCKETCAND_PORT : Number(opts.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port must be 1..65535, got '${opts.port}'`, 'mcs-hil can dump');
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  if (!(count > 0)) throw new UsageError(`--count must be a positive number, got '${opts.count}'`, 'mcs-hil can dump');
  if (opts.output) traceFormatOf(opts.output);
  const clock = new RealClock();
  const offsetUs = (clock.wallMs() - clock.nowMs()) * 1000;
  const t = await SocketcandCan.open({ host: opts.host ?? '127.0.0.1', port, bus: opts.bus, clock });
  const writer = opts.output ? openTraceWriter(opts.output) : undefined;
  let n = 0;
  try {
    const run = stopOnSignal(opts.signal);
    t.onFrame((f) => {
      const r = { epochUs: Math.round(offsetUs + (f.t ?? clock.now()) / 1000), bus: opts.bus, frame: f };
      out(formatCandumpLine(r));
      writer?.write(r);
      if (++n >= count) run.stop();
    });
    t.onLost(() => run.stop());
    await run.stopped;
  } finally {
    writer?.close();
    await t.close();
  }
  if (t.lost) throw t.lost;
  return n;
}

/** `mcs-hil trace convert IN OUT`: between candump .log and .pcap (read) and .log / .pcap / .asc (write), by suffix. */
export function traceConvertCommand(opts: { input: string; output: string }): number {
  if (!opts.input || !opts.output) throw new UsageError('needs an input and an output file', 'mcs-hil trace convert');
  traceFormatOf(opts.output);
  const records = readTraceFile(opts.input);
  writeTraceFile(opts.output, records);
  return records.length;
}
