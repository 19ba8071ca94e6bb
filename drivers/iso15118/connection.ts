// The V2G message connection: one TCP or TLS 1.3 socket carrying V2GTP frames. The same class serves both
// ends (the EVCC's client socket and each socket the emulated SECC accepts; see v2g-client.ts and
// v2g-server.ts for how they are made). Every frame in and out goes on the timeline (kind 'v2g',
// {dir, payloadType, hex}), the close as kind 'link'. A malformed frame from the peer is recorded, surfaces
// as a typed V2gtpError on receive(), and closes the connection — the standard's reaction to a failed
// V2GTP header check.

import { EventEmitter } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { classifyTlsError } from './tls-errors.ts';
import { encodeV2gtp, payloadTypeLabel, toHex, V2gtpError, V2gtpReader, type V2gtpFrame } from './v2gtp.ts';

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
    super(
      `${where}: connection closed (${closeInfo.reason}` +
        `${closeInfo.error ? `: ${closeInfo.error.message}` : ''}${closeInfo.note ? `; ${closeInfo.note}` : ''})`,
    );
  }
}

export interface CloseInfo {
  reason: 'local' | 'peer' | 'error' | 'malformed-frame';
  error?: Error;
  /** Hint for the evidence, e.g. a TLS peer closing before any message (how some SECCs reject a client chain). */
  note?: string;
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

export interface TlsSessionInfo {
  protocol: string | null;
  cipher: string;
  /** Subjects of the peer's chain as received, leaf first. */
  peerChain: string[];
  /** Whether the peer's chain verified against our anchors. */
  authorized: boolean;
}

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
    return this.socket instanceof tls.TLSSocket ? tlsSessionInfo(this.socket) : undefined;
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

  private record(dir: 'tx' | 'rx', payloadType: number, payload: Uint8Array, frame: Uint8Array, t?: number): void {
    let extra: Record<string, unknown> | undefined;
    try {
      extra = this.decorate?.(dir, payloadType, payload);
    } catch (e) {
      extra = { decorateError: (e as Error).message };
    }
    this.rec.timeline.record(
      'v2g',
      this.rec.source,
      {
        dir,
        payloadType,
        payloadTypeName: payloadTypeLabel(payloadType),
        hex: toHex(frame),
        ...extra,
      },
      t,
    );
  }

  private onData(chunk: Buffer): void {
    // A message is stamped when its last byte arrived, before reassembly and decoding (harness reaction is measured from here).
    const arrivedAt = this.rec.clock.now();
    let frames: V2gtpFrame[];
    try {
      frames = this.reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      const err = e as V2gtpError;
      this.rec.timeline.record('v2g', this.rec.source, {
        dir: 'rx',
        malformed: true,
        reason: err.reason,
        error: err.message,
        hex: chunk.toString('hex'),
      });
      this.pendingError = err;
      this.failWaiters(err);
      this.finish({ reason: 'malformed-frame', error: err });
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      this.received++;
      const full = encodeV2gtp(f.payloadType, f.payload);
      this.record('rx', f.payloadType, f.payload, full, arrivedAt);
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
      info = {
        ...info,
        note:
          'the charger closed the TLS connection before sending any message ' +
          '(a charger may reject the client certificate this way, without an alert)',
      };
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

/** A TLS socket's session for the evidence: version, suite, the peer's chain as received, Node's verdict on it. */
export function tlsSessionInfo(s: tls.TLSSocket): TlsSessionInfo {
  const chain: string[] = [];
  let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (c && c.subject && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    chain.push(subjectText(c.subject));
    c = c.issuerCertificate;
  }
  return {
    protocol: s.getProtocol(),
    cipher: s.getCipher()?.standardName ?? s.getCipher()?.name ?? '',
    peerChain: chain,
    authorized: s.authorized,
  };
}

function subjectText(s: tls.Certificate): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
