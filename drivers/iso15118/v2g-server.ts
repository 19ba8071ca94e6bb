// The charger's end of the V2G link, for the emulated SECC: listens on the link-local address (TCP, or
// TLS 1.3 with a CertificateRequest, policy in tls-policy.ts) and hands each accepted socket over as a
// V2gConnection; a vehicle that fails the handshake is recorded with the reason.

import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { BenchFault } from '../core/errors.ts';
import { V2gConnection, type ConnectionRecording } from './connection.ts';
import { serverHandshakeError } from './tls-errors.ts';
import { serverTlsOptions, writeKeylog, type TlsServerSettings } from './tls-policy.ts';

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
      const srv = tls.createServer(serverTlsOptions(o.tls));
      srv.on('secureConnection', (s) => this.accept(s));
      srv.on('tlsClientError', (e, s) => {
        const err = serverHandshakeError(e, s as tls.TLSSocket & { authorizationError?: string }, this.where);
        o.timeline.record('link', o.source, {
          event: 'handshake-failed',
          peer: `[${s.remoteAddress}]:${s.remotePort}`,
          reason: err.reason,
          code: err.code,
          error: err.message,
        });
        this.emit('handshakeError', err);
      });
      if (o.keylogFile) writeKeylog(srv, o.keylogFile);
      this.server = srv;
    } else {
      const srv = net.createServer({ noDelay: true }, (s) => this.accept(s));
      this.server = srv;
    }
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
    // Only now: a listen error is the caller's to retry or report, and would otherwise also be re-emitted here
    // with nobody listening (an unhandled 'error' that ended a run when a picked port was taken).
    this.server.on('error', (e) => this.emit('error', e));
    o.timeline.record('link', o.source, { event: 'listen', address: `[${host}]:${this.port}`, tls: !!o.tls });
    return this.port;
  }

  private accept(s: net.Socket | tls.TLSSocket): void {
    s.setNoDelay(true); // V2G messages are small request/response pairs: never wait for Nagle
    const conn = new V2gConnection(s, this.opts, { address: s.remoteAddress ?? '?', port: s.remotePort ?? 0 });
    this.connections.add(conn);
    conn.once('closed', () => this.connections.delete(conn));
    this.opts.timeline.record('link', this.opts.source, {
      event: 'accept',
      peer: `[${s.remoteAddress}]:${s.remotePort}`,
      ...(conn.tlsInfo() ? { tls: conn.tlsInfo() } : {}),
    });
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
