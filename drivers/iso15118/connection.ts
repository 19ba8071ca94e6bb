// The V2G message connection: TCP, optionally TLS 1.3 with mutual authentication, carrying V2GTP frames.
// The same class serves both ends (the EVCC's client socket and each socket the emulated SECC accepts).
// Every frame in and out goes on the timeline (kind 'v2g', {dir, payloadType, hex}), connect/close as
// kind 'link'. A malformed frame from the peer is recorded, surfaces as a typed V2gtpError on receive(),
// and closes the connection — the standard's reaction to a failed V2GTP header check.

import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { BenchFault, InputError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { encodeV2gtp, payloadTypeLabel, toHex, V2gtpError, V2gtpReader, type V2gtpFrame } from './v2gtp.ts';

/** The two TLS 1.3 cipher suites of ISO 15118-20 ([V2G20-2458], Table 6; reference §2.4). */
export const ISO15118_20_CIPHER_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
/** Key exchange groups offered: X448 and secp521r1 as the standard names them, X25519 first avoids a HelloRetryRequest. */
export const ISO15118_20_GROUPS = 'X25519:X448:secp521r1:P-384:P-256';

// ---------------------------------------------------------------------------------------------- errors

export type TlsFailureReason =
  | 'server-chain-untrusted' // the charger's chain does not verify against our V2G root
  | 'client-certificate-rejected' // the peer refused our (missing or untrusted) client certificate
  | 'no-client-certificate' // (server side) the vehicle offered none
  | 'client-chain-untrusted' // (server side) the vehicle's chain does not verify against the OEM root
  | 'protocol-version' // no TLS 1.3
  | 'no-shared-cipher'
  | 'handshake-failed'; // anything else, see cause

/** The TLS handshake (or the alert right after it) failed. An InputError: the peer's behaviour, not our bench. */
export class TlsHandshakeError extends InputError {
  override name = 'TlsHandshakeError';
  constructor(
    readonly reason: TlsFailureReason,
    message: string,
    where: string,
    /** OpenSSL / Node error code, e.g. 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${message}`, where, options);
  }
}

/** Nothing arrived within the receive timeout (a timer of the standard usually; the caller judges it). */
export class V2gReceiveTimeout extends Error {
  override name = 'V2gReceiveTimeout';
  constructor(
    readonly timeoutMs: number,
    readonly where: string,
  ) {
    super(`${where}: no V2GTP message within ${timeoutMs} ms`);
  }
}

/** The connection closed (by the peer, by us, or after an error) while a frame was awaited or sent. */
export class V2gConnectionClosed extends Error {
  override name = 'V2gConnectionClosed';
  constructor(
    readonly where: string,
    readonly closeInfo: CloseInfo,
  ) {
    super(`${where}: connection closed (${closeInfo.reason}${closeInfo.error ? `: ${closeInfo.error.message}` : ''}${closeInfo.note ? `; ${closeInfo.note}` : ''})`);
  }
}

export interface CloseInfo {
  reason: 'local' | 'peer' | 'error' | 'malformed-frame';
  error?: Error;
  /** Hint for the evidence, e.g. a TLS peer closing before any message (how some SECCs reject a client chain). */
  note?: string;
}

// -------------------------------------------------------------------------------------------- options

export interface TlsIdentity {
  /** PEM file: the leaf certificate first, then its sub-CAs. */
  chainFile: string;
  keyFile: string;
}

export interface TlsClientSettings {
  /** PEM file(s) of the trust anchors for the charger's chain (the V2G root). */
  trustedRootFiles: string[];
  /** Our client identity (the OEM provisioning chain); omit to offer no client certificate (negative test). */
  identity?: TlsIdentity;
  /** Default ISO15118_20_CIPHER_SUITES; override only for negative tests. */
  cipherSuites?: readonly string[];
}

export interface TlsServerSettings {
  identity: TlsIdentity;
  /** Anchors for the vehicle's chain (the OEM root). */
  trustedRootFiles: string[];
  /** Send a CertificateRequest. Default true ([V2G20-2400]); false = fault 'accepts-no-client-cert'. */
  requestClientCertificate?: boolean;
  /** Fail the handshake without a valid client chain. Default true; false accepts any or none. */
  requireClientCertificate?: boolean;
  cipherSuites?: readonly string[];
}

export interface ConnectionRecording {
  clock: Clock;
  timeline: Timeline;
  /** Timeline source, e.g. 'evcc' or 'secc'. */
  source: string;
  /** Adds fields (e.g. the decoded EXI message) to each frame's timeline event. Never throws outward. */
  decorate?: FrameDecorator;
  /** When set, the TLS secrets of this connection are appended here in NSS key log format (Wireshark). */
  keylogFile?: string;
  /** Largest V2GTP payload accepted (default from v2gtp.ts). */
  maxPayload?: number;
}

export type FrameDecorator = (dir: 'tx' | 'rx', payloadType: number, payload: Uint8Array) => Record<string, unknown> | undefined;

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

export interface TlsSessionInfo {
  protocol: string | null;
  cipher: string;
  /** Subjects of the peer's chain as received, leaf first. */
  peerChain: string[];
  /** Whether the peer's chain verified against our anchors. */
  authorized: boolean;
}

// --------------------------------------------------------------------------------------- the connection

interface Waiter {
  resolve(f: V2gtpFrame): void;
  reject(e: Error): void;
  timer: TimerHandle;
}

export class V2gConnection extends EventEmitter {
  private readonly reader: V2gtpReader;
  private readonly queue: V2gtpFrame[] = [];
  private readonly waiters: Waiter[] = [];
  private closeInfo: CloseInfo | undefined;
  private pendingError: Error | undefined;
  decorate: FrameDecorator | undefined;
  readonly where: string;

  constructor(
    readonly socket: net.Socket | tls.TLSSocket,
    private readonly rec: ConnectionRecording,
    /** Peer as 'fe80::1%mcs-ev0' port → for messages and the timeline. */
    readonly peer: { address: string; port: number },
  ) {
    super();
    this.where = `${rec.source} ${socket instanceof tls.TLSSocket ? 'tls' : 'tcp'} [${peer.address}]:${peer.port}`;
    this.decorate = rec.decorate;
    this.reader = new V2gtpReader({ maxPayload: rec.maxPayload, where: this.where });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      this.pendingError = this.classify(e);
    });
    socket.on('close', () => this.finish(this.pendingError ? { reason: 'error', error: this.pendingError } : { reason: 'peer' }));
    socket.on('end', () => socket.end());
  }

  get closed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** TLS details once connected (undefined on plain TCP). */
  tlsInfo(): TlsSessionInfo | undefined {
    const s = this.socket;
    if (!(s instanceof tls.TLSSocket)) return undefined;
    const chain: string[] = [];
    let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
    const seen = new Set<string>();
    while (c && c.subject && !seen.has(c.fingerprint256)) {
      seen.add(c.fingerprint256);
      chain.push(subjectText(c.subject));
      c = c.issuerCertificate;
    }
    return { protocol: s.getProtocol(), cipher: s.getCipher()?.standardName ?? s.getCipher()?.name ?? '', peerChain: chain, authorized: s.authorized };
  }

  /** Frame and send one message. Resolves when handed to the kernel. */
  async send(payloadType: number, payload: Uint8Array): Promise<void> {
    const frame = encodeV2gtp(payloadType, payload);
    this.record('tx', payloadType, payload, frame);
    await this.write(frame);
  }

  /** Send bytes as they are (malformed V2GTP on purpose); recorded with raw: true. */
  async sendRaw(bytes: Uint8Array, note = 'raw bytes'): Promise<void> {
    this.rec.timeline.record('v2g', this.rec.source, { dir: 'tx', raw: true, note, hex: toHex(bytes) });
    await this.write(bytes);
  }

  /** Next frame from the peer, waiting at most timeoutMs on the clock. */
  receive(timeoutMs: number): Promise<V2gtpFrame> {
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.pendingError && this.closeInfo?.reason === 'malformed-frame') return Promise.reject(this.pendingError);
    if (this.closeInfo) return Promise.reject(this.closeInfo.error ?? new V2gConnectionClosed(this.where, this.closeInfo));
    return new Promise<V2gtpFrame>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: this.rec.clock.setTimer(timeoutMs, () =>
          // After a stall of this process, Node runs due timers BEFORE it reads sockets that became
          // readable meanwhile: a response that was already here would count as a timeout. Let the
          // pending I/O be read first (setImmediate runs after the poll phase), then decide.
          setImmediate(() => {
            const i = this.waiters.indexOf(w);
            if (i < 0) return; // a frame (or the close) came in the meantime
            this.waiters.splice(i, 1);
            reject(new V2gReceiveTimeout(timeoutMs, this.where));
          }),
        ),
      };
      this.waiters.push(w);
    });
  }

  /** Close gracefully (FIN / TLS close_notify). Idempotent. */
  async close(): Promise<void> {
    if (this.closeInfo) return;
    await new Promise<void>((resolve) => {
      this.once('closed', () => resolve());
      this.localClose = true;
      this.socket.end();
      // A peer that never answers our FIN must not hold us: destroy after a short grace on the clock.
      const t = this.rec.clock.setTimer(1000, () => this.socket.destroy());
      this.once('closed', () => t.cancel());
    });
  }

  /** Drop the link without a goodbye (TCP RST) — a misbehaviour hook for negative tests. */
  abort(): void {
    if (this.closeInfo) return;
    this.localClose = true;
    this.socket.resetAndDestroy();
  }

  private localClose = false;
  private received = 0;

  private write(bytes: Uint8Array): Promise<void> {
    if (this.closeInfo) return Promise.reject(new V2gConnectionClosed(this.where, this.closeInfo));
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(this.classify(err)) : resolve()));
    });
  }

  private record(dir: 'tx' | 'rx', payloadType: number, payload: Uint8Array, frame: Uint8Array): void {
    let extra: Record<string, unknown> | undefined;
    try {
      extra = this.decorate?.(dir, payloadType, payload);
    } catch (e) {
      extra = { decorateError: (e as Error).message };
    }
    this.rec.timeline.record('v2g', this.rec.source, { dir, payloadType, payloadTypeName: payloadTypeLabel(payloadType), hex: toHex(frame), ...extra });
  }

  private onData(chunk: Buffer): void {
    let frames: V2gtpFrame[];
    try {
      frames = this.reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      const err = e as V2gtpError;
      this.rec.timeline.record('v2g', this.rec.source, { dir: 'rx', malformed: true, reason: err.reason, error: err.message, hex: chunk.toString('hex') });
      this.pendingError = err;
      this.failWaiters(err);
      this.finish({ reason: 'malformed-frame', error: err });
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      this.received++;
      const full = encodeV2gtp(f.payloadType, f.payload);
      this.record('rx', f.payloadType, f.payload, full);
      const w = this.waiters.shift();
      if (w) {
        w.timer.cancel();
        w.resolve(f);
      } else this.queue.push(f);
    }
  }

  private failWaiters(e: Error): void {
    for (const w of this.waiters.splice(0)) {
      w.timer.cancel();
      w.reject(e);
    }
  }

  private finish(info: CloseInfo): void {
    if (this.closeInfo) return;
    if (info.reason === 'peer' && this.localClose) info = { reason: 'local' };
    if (info.reason === 'error' && this.localClose) info = { reason: 'local', error: info.error };
    if (info.reason === 'peer' && !this.received && this.socket instanceof tls.TLSSocket)
      info = { ...info, note: 'the charger closed the TLS connection before sending any message (a charger may reject the client certificate this way, without an alert)' };
    this.closeInfo = info;
    this.rec.timeline.record('link', this.rec.source, {
      event: 'close',
      peer: `[${this.peer.address}]:${this.peer.port}`,
      reason: info.reason,
      ...(info.note ? { note: info.note } : {}),
      ...(info.error ? { error: info.error.message, code: (info.error as { code?: string }).code } : {}),
    });
    this.failWaiters(info.error ?? new V2gConnectionClosed(this.where, info));
    this.emit('closed', info);
  }

  /** Map a socket error after the handshake (a TLS alert is how the peer rejects our certificate in TLS 1.3). */
  private classify(e: Error): Error {
    if (e instanceof InputError) return e;
    return classifyTlsError(e, this.where) ?? e;
  }
}

// -------------------------------------------------------------------------------------------- client

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
    const t = opts.tls;
    let keylog: ((line: Buffer) => void) | undefined;
    const s = tls.connect({
      socket: raw,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: (t.cipherSuites ?? ISO15118_20_CIPHER_SUITES).join(':'),
      ecdhCurve: ISO15118_20_GROUPS,
      ca: t.trustedRootFiles.map((f) => readFileSync(f)),
      ...(t.identity ? { cert: readFileSync(t.identity.chainFile), key: readFileSync(t.identity.keyFile) } : {}),
      rejectUnauthorized: true,
      // ISO 15118 identifies the SECC by its chain, not by a host name (it has none on a link-local address).
      checkServerIdentity: () => undefined,
      servername: undefined,
    });
    if (opts.keylogFile) {
      mkdirSync(dirname(opts.keylogFile), { recursive: true });
      keylog = (line) => appendFileSync(opts.keylogFile!, line.toString('latin1'));
      s.on('keylog', keylog);
    }
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

/** Map OpenSSL/Node TLS error codes onto the reasons a test asserts on; undefined for non-TLS errors. */
export function classifyTlsError(e: Error, where: string, side: 'client' | 'server' = 'client'): TlsHandshakeError | undefined {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const m = `${e.message}`;
  const mk = (r: TlsFailureReason, msg: string) => new TlsHandshakeError(r, msg, where, code, { cause: e });
  const chainCodes = ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE'];
  if (chainCodes.includes(code)) {
    return side === 'client'
      ? mk('server-chain-untrusted', `the charger's certificate chain does not verify against the V2G root (${code})`)
      : mk('client-chain-untrusted', `the vehicle's certificate chain does not verify against the OEM root (${code})`);
  }
  if (/CERTIFICATE_REQUIRED/i.test(code + m)) return mk('client-certificate-rejected', 'the charger requires a client certificate and got none (TLS alert certificate_required)');
  if (/peer did not return a certificate/i.test(m)) return mk('no-client-certificate', 'the vehicle offered no client certificate');
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|DECRYPT_ERROR|UNSUPPORTED_CERTIFICATE|CERTIFICATE_UNKNOWN)/i.test(code + m))
    return side === 'client'
      ? mk('client-certificate-rejected', `the charger rejected our client certificate (${code || m})`)
      : mk('server-chain-untrusted', `the vehicle rejected the charger's certificate (${code || m})`);
  if (/UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|WRONG_VERSION_NUMBER/i.test(code + m)) return mk('protocol-version', `no common TLS version (TLS 1.3 required): ${m}`);
  if (/NO_SHARED_CIPHER|HANDSHAKE_FAILURE|NO_SUITABLE|no shared cipher/i.test(code + m)) return mk('no-shared-cipher', `no common cipher suite / group: ${m}`);
  if (code.startsWith('ERR_SSL') || /ssl|tls/i.test(code)) return mk('handshake-failed', m);
  return undefined;
}

// -------------------------------------------------------------------------------------------- server

export interface V2gServerOptions extends ConnectionRecording {
  /** Link-local address to listen on, without scope ('fe80::1'). */
  address: string;
  interface: string;
  /** Port; 0 picks a free one in 49152–65535 (the SDP range). */
  port: number;
  tls?: TlsServerSettings;
}

/**
 * Listening side for the emulated SECC. Emits 'connection' (V2gConnection) after TCP accept / a successful
 * TLS handshake, and 'handshakeError' (TlsHandshakeError) when a vehicle fails the handshake.
 */
export class V2gServer extends EventEmitter {
  private server: net.Server | tls.Server | undefined;
  private readonly connections = new Set<V2gConnection>();
  port = 0;

  constructor(private readonly opts: V2gServerOptions) {
    super();
  }

  get where(): string {
    return `${this.opts.source} ${this.opts.tls ? 'tls' : 'tcp'} server [${this.opts.address}%${this.opts.interface}]:${this.port}`;
  }

  async listen(): Promise<number> {
    const o = this.opts;
    if (o.tls) {
      const t = o.tls;
      const srv = tls.createServer({
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        ciphers: (t.cipherSuites ?? ISO15118_20_CIPHER_SUITES).join(':'),
        ecdhCurve: ISO15118_20_GROUPS,
        cert: readFileSync(t.identity.chainFile),
        key: readFileSync(t.identity.keyFile),
        ca: t.trustedRootFiles.map((f) => readFileSync(f)),
        requestCert: t.requestClientCertificate ?? true,
        rejectUnauthorized: (t.requestClientCertificate ?? true) && (t.requireClientCertificate ?? true),
      });
      srv.on('secureConnection', (s) => this.accept(s));
      srv.on('tlsClientError', (e, s) => {
        // Node verifies the client chain after the handshake and just drops the socket ('socket hang up');
        // the real reason is left in authorizationError.
        const authError = (s as tls.TLSSocket & { authorizationError?: string }).authorizationError;
        const cause = authError ? Object.assign(new Error(`client chain: ${authError}`), { code: authError }) : e;
        const err = classifyTlsError(cause, this.where, 'server') ?? new TlsHandshakeError('handshake-failed', e.message, this.where, (e as NodeJS.ErrnoException).code, { cause: e });
        o.timeline.record('link', o.source, { event: 'handshake-failed', peer: `[${s.remoteAddress}]:${s.remotePort}`, reason: err.reason, code: err.code, error: err.message });
        this.emit('handshakeError', err);
      });
      if (o.keylogFile) {
        mkdirSync(dirname(o.keylogFile), { recursive: true });
        srv.on('keylog', (line) => appendFileSync(o.keylogFile!, line.toString('latin1')));
      }
      this.server = srv;
    } else {
      const srv = net.createServer({ noDelay: true }, (s) => this.accept(s));
      this.server = srv;
    }
    this.server.on('error', (e) => this.emit('error', e));
    const host = `${o.address}%${o.interface}`;
    const tryListen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        const onErr = (e: Error) => reject(e);
        this.server!.once('error', onErr);
        this.server!.listen({ host, port, ipv6Only: true }, () => {
          this.server!.off('error', onErr);
          resolve((this.server!.address() as net.AddressInfo).port);
        });
      });
    if (o.port) {
      this.port = await tryListen(o.port).catch((e) => {
        throw listenError(e, this.where, o);
      });
    } else {
      // The OS's ephemeral range (32768–60999 on Linux) overlaps the SDP range only partly: pick ourselves.
      for (let i = 0; ; i++) {
        const port = 49152 + Math.floor(Math.random() * (65535 - 49152 + 1));
        try {
          this.port = await tryListen(port);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i > 50) throw listenError(e as Error, this.where, o);
        }
      }
    }
    o.timeline.record('link', o.source, { event: 'listen', address: `[${host}]:${this.port}`, tls: !!o.tls });
    return this.port;
  }

  private accept(s: net.Socket | tls.TLSSocket): void {
    s.setNoDelay(true); // V2G messages are small request/response pairs: never wait for Nagle
    const conn = new V2gConnection(s, this.opts, { address: s.remoteAddress ?? '?', port: s.remotePort ?? 0 });
    this.connections.add(conn);
    conn.once('closed', () => this.connections.delete(conn));
    this.opts.timeline.record('link', this.opts.source, { event: 'accept', peer: `[${s.remoteAddress}]:${s.remotePort}`, ...(conn.tlsInfo() ? { tls: conn.tlsInfo() } : {}) });
    this.emit('connection', conn);
  }

  /** Stop listening and close every open connection. */
  async close(): Promise<void> {
    const srv = this.server;
    if (!srv) return;
    this.server = undefined;
    await Promise.all([...this.connections].map((c) => c.close()));
    await new Promise<void>((r) => srv.close(() => r()));
    this.opts.timeline.record('link', this.opts.source, { event: 'stop-listening', port: this.port });
  }
}

function listenError(e: Error, where: string, o: V2gServerOptions): BenchFault {
  const code = (e as NodeJS.ErrnoException).code;
  const fix =
    code === 'EADDRNOTAVAIL'
      ? `address ${o.address} is not on '${o.interface}' (run scripts/veth-link.sh up, or fix the bench's address)`
      : code === 'EADDRINUSE'
        ? `port ${o.port} is taken by another process`
        : e.message;
  return new BenchFault(`${where}: cannot listen: ${fix}`, o.source, { cause: e });
}

function subjectText(s: tls.Certificate): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
