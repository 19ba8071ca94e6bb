// TLS on the in-process link (the virtual bench's memory link): the same TLS 1.3 as on a socket, with the same
// policy (tls-policy.ts), certificates and key logs, run over the two ends of an in-memory byte stream instead
// of a TCP connection. The charger's end goes through a tls.Server that never listens (a connection is handed
// to it), so Node judges the vehicle's chain exactly as it does for the socket server. The handshake is all
// stream callbacks in this process: the virtual clock sees it as work in flight and stands still meanwhile.

import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import { memoryStreamPair } from '../core/memory-stream.ts';
import type { Timeline } from '../core/timeline.ts';
import { StreamMessageLink, type MessageLink } from './evcc/link.ts';
import { memoryLinkTap } from './memory-capture.ts';
import { tlsSessionInfo } from './connection.ts';
import { classifyTlsError, serverHandshakeError, TlsHandshakeError } from './tls-errors.ts';
import { clientTlsOptions, serverTlsOptions, writeKeylog, type TlsClientSettings, type TlsServerSettings } from './tls-policy.ts';

/** The vehicle's side of one TLS connection on the memory link. */
export interface MemoryTlsClient {
  settings: TlsClientSettings;
  /** NSS key log of this connection (Wireshark decrypts the link capture with it). */
  keylogFile?: string;
  /** Bound on the handshake on the bench clock (limits: tls.handshakeTimeoutMs). */
  timeoutMs: number;
}

/** The charger's side: its server settings (faults included) and its own key log. */
export interface MemoryTlsServer {
  settings: TlsServerSettings;
  keylogFile?: string;
}

/** Where each end records its link events ('connect', 'accept', 'handshake-failed'). */
export interface MemoryTlsRecording {
  clock: Clock;
  timeline: Timeline;
  ev: string;
  charger: string;
}

/**
 * Run TLS over an in-process stream pair ([vehicle end, charger end]). Resolves with the vehicle's socket once
 * its handshake is done (in TLS 1.3 the server may still refuse the client's certificate after that, as on a
 * socket); `accepted` gets the charger's socket once the server's handshake is done and the vehicle's chain passed.
 */
export function tlsOverMemory(
  ends: [Duplex, Duplex],
  client: MemoryTlsClient,
  server: MemoryTlsServer,
  rec: MemoryTlsRecording,
  accepted: (s: tls.TLSSocket) => void,
): Promise<tls.TLSSocket> {
  serveTls(ends[1], server, rec, accepted);
  return connectTls(ends[0], client, rec);
}

function serveTls(end: Duplex, server: MemoryTlsServer, rec: MemoryTlsRecording, accepted: (s: tls.TLSSocket) => void): void {
  const where = `${rec.charger} tls server (in-process)`;
  // No handshake timeout of Node's own: it would run on the host's clock.
  const srv = tls.createServer({ ...serverTlsOptions(server.settings), handshakeTimeout: 0 });
  if (server.keylogFile) writeKeylog(srv, server.keylogFile);
  srv.on('secureConnection', (s) => {
    rec.timeline.record('link', rec.charger, { event: 'accept', peer: 'in-process', tls: tlsSessionInfo(s) });
    accepted(s);
  });
  srv.on('tlsClientError', (e, s) => {
    const err = serverHandshakeError(e, s as tls.TLSSocket & { authorizationError?: string }, where);
    rec.timeline.record('link', rec.charger, {
      event: 'handshake-failed',
      peer: 'in-process',
      reason: err.reason,
      code: err.code,
      error: err.message,
    });
  });
  srv.emit('connection', end);
}

function connectTls(end: Duplex, client: MemoryTlsClient, rec: MemoryTlsRecording): Promise<tls.TLSSocket> {
  const where = `${rec.ev} tls (in-process to ${rec.charger})`;
  rec.timeline.record('link', rec.ev, { event: 'connecting', peer: `in-process ${rec.charger}`, tls: true });
  const t0 = rec.clock.now();
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      if (!err) {
        rec.timeline.record('link', rec.ev, {
          event: 'connect',
          peer: `in-process ${rec.charger}`,
          setupMs: (rec.clock.now() - t0) / 1e6,
          tls: tlsSessionInfo(s),
        });
        return resolve(s);
      }
      s.destroy();
      const t = err instanceof TlsHandshakeError ? { reason: err.reason, code: err.code } : {};
      rec.timeline.record('link', rec.ev, { event: 'connect-failed', peer: `in-process ${rec.charger}`, error: err.message, ...t });
      reject(err);
    };
    const timer = rec.clock.setTimer(client.timeoutMs, () =>
      done(new BenchFault(`${where}: no TLS handshake within ${client.timeoutMs} ms`, rec.ev)),
    );
    // The chain is judged on secureConnect, as on the socket path (v2g-client.ts): an unverified one never passes.
    const s = tls.connect({ socket: end, ...clientTlsOptions(client.settings), rejectUnauthorized: false });
    if (client.keylogFile) writeKeylog(s, client.keylogFile);
    s.on('error', (e) => done(classifyTlsError(e, where) ?? e));
    s.once('secureConnect', () => {
      if (s.authorized) return done(undefined);
      const code = String(s.authorizationError ?? 'CERT_UNTRUSTED');
      const cause = Object.assign(new Error(`charger chain: ${code}`), { code });
      done(classifyTlsError(cause, where) ?? cause);
    });
  });
}

/**
 * A connected pair of message links over TLS in memory, captured like memoryLinkPair's: resolves the vehicle's
 * link and its TLS socket (for the chain verdict); `serve` gets the charger's link once the server accepted.
 */
export async function memoryTlsLinkPair(
  rec: MemoryTlsRecording,
  client: MemoryTlsClient,
  server: MemoryTlsServer,
  serve: (link: MessageLink) => void,
): Promise<{ link: MessageLink; socket: tls.TLSSocket }> {
  const ends = memoryStreamPair(memoryLinkTap(rec.ev, rec.clock));
  const tlsLink = (s: tls.TLSSocket, end: string, source: string) =>
    new StreamMessageLink(s, rec.clock, `memory tls (${end} end)`, { timeline: rec.timeline, source }, { tls: tlsSessionInfo(s) });
  const socket = await tlsOverMemory(ends, client, server, rec, (s) => serve(tlsLink(s, 'charger', rec.charger)));
  return { link: tlsLink(socket, 'EV', rec.ev), socket };
}
