// The vehicle's end of the V2G link: TCP to the charger's link-local address, then TLS 1.3 with mutual
// authentication when asked (policy in tls-policy.ts). Failures become a BenchFault (nothing to talk to)
// or a TlsHandshakeError (the charger's answer), both recorded on the timeline.

import net from 'node:net';
import tls from 'node:tls';
import { BenchFault } from '../core/errors.ts';
import { V2gConnection, type ConnectionRecording } from './connection.ts';
import { classifyTlsError, TlsHandshakeError } from './tls-errors.ts';
import { clientTlsOptions, writeKeylog, type TlsClientSettings } from './tls-policy.ts';

export interface ConnectOptions extends ConnectionRecording {
  /** Link-local address of the charger, without scope ('fe80::1'). */
  host: string;
  port: number;
  /** Interface the link-local address is scoped to ('mcs-ev0'). */
  interface: string;
  /** TLS settings; omit for plain TCP (SDP security 0x10). */
  tls?: TlsClientSettings;
  /** Bound on connect + handshake (limits: tcp.connectTimeoutMs / tls.handshakeTimeoutMs). */
  timeoutMs: number;
}


/** Connect to the charger: TCP to [host%interface]:port, then TLS 1.3 with mutual authentication when asked. */
export async function connectV2g(opts: ConnectOptions): Promise<V2gConnection> {
  const scoped = `${opts.host}%${opts.interface}`;
  const where = `${opts.source} ${opts.tls ? 'tls' : 'tcp'} [${scoped}]:${opts.port}`;
  opts.timeline.record('link', opts.source, { event: 'connecting', peer: `[${scoped}]:${opts.port}`, tls: !!opts.tls });
  const t0 = opts.clock.now();
  const socket = await openSocket(opts, scoped, where).catch((e: Error) => {
    opts.timeline.record('link', opts.source, {
      event: 'connect-failed',
      peer: `[${scoped}]:${opts.port}`,
      error: e.message,
      ...(e instanceof TlsHandshakeError ? { reason: e.reason, code: e.code } : {}),
    });
    throw e;
  });
  const conn = new V2gConnection(socket, opts, { address: scoped, port: opts.port });
  const info = conn.tlsInfo();
  opts.timeline.record('link', opts.source, {
    event: 'connect',
    peer: `[${scoped}]:${opts.port}`,
    local: `[${socket.localAddress}]:${socket.localPort}`,
    setupMs: (opts.clock.now() - t0) / 1e6,
    ...(info ? { tls: info } : {}),
  });
  return conn;
}

function openSocket(opts: ConnectOptions, scoped: string, where: string): Promise<net.Socket | tls.TLSSocket> {
  return new Promise<net.Socket | tls.TLSSocket>((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined, s?: net.Socket | tls.TLSSocket) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      if (err) {
        s?.destroy();
        reject(err);
      } else resolve(s!);
    };
    const timer = opts.clock.setTimer(opts.timeoutMs, () => {
      raw.destroy();
      done(new BenchFault(`${where}: no ${opts.tls ? 'TLS handshake' : 'TCP connection'} within ${opts.timeoutMs} ms (is the charger listening? is the link up?)`, opts.source));
    });
    const raw = net.connect({ host: scoped, port: opts.port, family: 6, noDelay: true });
    raw.on('error', (e) => done(connectError(e, where, opts)));
    if (!opts.tls) {
      raw.once('connect', () => done(undefined, raw));
      return;
    }
    const s = tls.connect({ socket: raw, ...clientTlsOptions(opts.tls) });
    if (opts.keylogFile) writeKeylog(s, opts.keylogFile);
    s.on('error', (e) => done(classifyTlsError(e, where) ?? e, s)); // 'on': a late second error must not go unhandled
    s.once('secureConnect', () => done(undefined, s));
  });
}

function connectError(e: Error, where: string, opts: ConnectOptions): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return new BenchFault(`${where}: connection refused (nothing listens on port ${opts.port})`, opts.source, { cause: e });
  if (code === 'EINVAL' || code === 'ENODEV' || code === 'ENXIO')
    return new BenchFault(`${where}: interface '${opts.interface}' cannot reach ${opts.host} (${code}); is the link up? (scripts/veth-link.sh status)`, opts.source, { cause: e });
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new BenchFault(`${where}: ${opts.host} unreachable on '${opts.interface}' (${code})`, opts.source, { cause: e });
  return new BenchFault(`${where}: ${e.message}`, opts.source, { cause: e });
}
