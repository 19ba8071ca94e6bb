// `mcs-hil can …` commands. bin/ parses arguments and calls these.

import { UsageError } from '../core/errors.ts';
import { SocketcandHub } from './socketcand-hub.ts';
import { SOCKETCAND_PORT } from './socketcand-protocol.ts';

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
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got '${opts.port}'`, 'mcs-hil can hub');
  const buses = typeof opts.buses === 'string' ? opts.buses.split(',').map((b) => b.trim()).filter(Boolean) : opts.buses;
  for (const b of buses ?? []) if (!/^\S{1,16}$/.test(b)) throw new UsageError(`bus name '${b}' must be 1–16 characters without spaces`, 'mcs-hil can hub --buses');
  const hub = new SocketcandHub({ host, port, buses: buses?.length ? buses : undefined, onProblem: (p) => err(`${p.client}: ${p.message}`) });
  let addr: { host: string; port: number };
  try {
    addr = await hub.listen();
  } catch (e) {
    throw new UsageError(`cannot listen on ${host}:${port} (${(e as Error).message}); choose another --port`, 'mcs-hil can hub');
  }
  out(`listening on ${addr.host}:${addr.port}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      opts.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (opts.signal) opts.signal.addEventListener('abort', stop, { once: true });
    else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  const s = hub.stats();
  await hub.close();
  out(`hub stopped (${Object.entries(s.buses).map(([b, x]) => `${b}: ${x.frames} frames`).join(', ') || 'no traffic'}; ${s.problems} bad inputs)`);
}
