// The vehicle's end of the V2G link: TCP to the charger's link-local address, then TLS 1.3 with mutual
// authentication when asked (policy in tls-policy.ts). Failures become a BenchFault (nothing to talk to)
// or a TlsHandshakeError (the charger's answer), both recorded on the timeline.

import net from 'node:net';
import tls from 'node:tls';
import { BenchFault } from '../core/errors.ts';
import { readCertificates, subjectLine } from './pki/certificate-files.ts';
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
      done(
        new BenchFault(
          `${where}: no ${opts.tls ? 'TLS handshake' : 'TCP connection'} within ${opts.timeoutMs} ms ` +
            '(is the charger listening? is the link up?)',
          opts.source,
        ),
      );
    });
    const raw = net.connect({ host: scoped, port: opts.port, family: 6, noDelay: true });
    raw.on('error', (e) => done(connectError(e, where, opts)));
    if (!opts.tls) {
      raw.once('connect', () => done(undefined, raw));
      return;
    }
    // The chain is judged on secureConnect (as Node would with rejectUnauthorized) while the socket still
    // holds the charger's certificates, so the error can say which chain came; an unverified one never passes.
    const s = tls.connect({ socket: raw, ...clientTlsOptions(opts.tls), rejectUnauthorized: false });
    if (opts.keylogFile) writeKeylog(s, opts.keylogFile);
    // 'on': a late second error must not go unhandled.
    s.on('error', (e) => done(classifyTlsError(e, where) ?? e, s));
    s.once('secureConnect', () => {
      if (s.authorized) return done(undefined, s);
      const code = String(s.authorizationError ?? 'CERT_UNTRUSTED');
      const cause = Object.assign(new Error(`charger chain: ${code}`), { code });
      done(explainUntrusted(classifyTlsError(cause, where) ?? cause, s, opts.tls!.trustedRootFiles, where), s);
    });
  });
}

function connectError(e: Error, where: string, opts: ConnectOptions): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED')
    return new BenchFault(`${where}: connection refused (nothing listens on port ${opts.port})`, opts.source, { cause: e });
  if (code === 'EINVAL' || code === 'ENODEV' || code === 'ENXIO')
    return new BenchFault(
      `${where}: interface '${opts.interface}' cannot reach ${opts.host} (${code}); is the link up? (scripts/veth-link.sh status)`,
      opts.source,
      { cause: e },
    );
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new BenchFault(`${where}: ${opts.host} unreachable on '${opts.interface}' (${code})`, opts.source, { cause: e });
  return new BenchFault(`${where}: ${e.message}`, opts.source, { cause: e });
}

/** An untrusted charger chain: say which chain came and which roots we trust, so the lab sees the mismatch. */
function explainUntrusted(e: Error, s: tls.TLSSocket, rootFiles: string[], where: string): Error {
  if (!(e instanceof TlsHandshakeError) || e.reason !== 'server-chain-untrusted') return e;
  const roots = rootFiles.flatMap((f) => safeCertificates(f).map((c) => `'${subjectLine(c)}' (${f})`));
  const chain: tls.DetailedPeerCertificate[] = [];
  let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (c?.subject && !chain.some((x) => x.fingerprint256 === c!.fingerprint256)) {
    chain.push(c);
    c = c.issuerCertificate;
  }
  const top = chain.at(-1);
  const names = chain.map((c) => c.subject.CN ?? '?').join(' ← ');
  const sent = top ? `the charger's chain (${names}) is issued by '${dn(top.issuer)}'` : 'the charger sent no certificate';
  const message = `unknown CA (${e.code}): ${sent}, which does not lead to a V2G root the vehicle trusts: ${roots.join(', ') || 'none'}`;
  return new TlsHandshakeError(e.reason, message, where, e.code, { cause: e });
}

function dn(name: tls.Certificate): string {
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function safeCertificates(file: string) {
  try {
    return readCertificates(file);
  } catch {
    return [];
  }
}
