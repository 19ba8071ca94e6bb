// A V2GTP message link: whole frames in, whole frames out, over any byte stream (TCP, TLS, or an
// in-memory pipe for in-process tests). Receiving is pull-style with a timeout on the injected clock,
// which is how both session engines are written (send a request, wait for the answer or the timer).
// Sending takes raw bytes so a test can put malformed frames on the wire on purpose.

import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Clock } from '../../core/clock.ts';
import { memoryStreamPair } from '../../core/memory-stream.ts';
import { memoryLinkTap } from '../memory-capture.ts';
import type { Timeline } from '../../core/timeline.ts';
import { V2gReceiveTimeout, type CloseInfo, type V2gConnection } from '../connection.ts';
import { encodeV2gtp, payloadTypeLabel, toHex, V2gtpError, V2gtpReader, type V2gtpFrame } from '../v2gtp.ts';

export type ReceiveResult =
  | { kind: 'frame'; frame: V2gtpFrame; atNs: number }
  | { kind: 'timeout' }
  | { kind: 'closed'; reason: string; atNs: number }
  | { kind: 'malformed'; error: V2gtpError; atNs: number };

/** Adds fields (decoded message, codec, response time) to a frame's 'v2g' timeline record. */
export type FrameDecorator = (dir: 'tx' | 'rx', payloadType: number, payload: Uint8Array) => Record<string, unknown> | undefined;

export interface MessageLink {
  /** 'tls [fe80::1%mcs-ev0]:50000', 'memory', … */
  readonly description: string;
  readonly closed: boolean;
  /** Why it closed (peer closed, local close, error), once closed. */
  readonly closeReason: string | undefined;
  /** Clock time (ns) it closed at. */
  readonly closedAtNs: number | undefined;
  /** Set by the session engine: decodes each frame into its timeline record. */
  decorate: FrameDecorator | undefined;
  /** Frame and send one message (recorded on the timeline as kind 'v2g'). */
  send(payloadType: number, payload: Uint8Array): Promise<void>;
  /** Write bytes as they are (malformed V2GTP on purpose); recorded raw. */
  sendRaw(bytes: Uint8Array, note: string): Promise<void>;
  /** The next frame, or why there is none within timeoutMs. A header error ends the link for reading. */
  receive(timeoutMs: number): Promise<ReceiveResult>;
  /** Close our side gracefully (idempotent). */
  close(reason?: string): Promise<void>;
  /** Drop the link without a goodbye (TCP RST where there is TCP). */
  abort(): void;
  /** Called once when the link closes, from either side. */
  onClose(fn: (reason: string) => void): void;
  /** Extra facts about the connection (TLS version, cipher, peer chain verdict) for the evidence. */
  readonly info: Record<string, unknown>;
}

/** MessageLink over a Node byte stream (net.Socket, tls.TLSSocket, or one end of memoryStreamPair()). */
export class StreamMessageLink implements MessageLink {
  private readonly reader: V2gtpReader;
  private queue: ReceiveResult[] = [];
  private waiter: ((r: ReceiveResult) => void) | undefined;
  private closeFns: Array<(reason: string) => void> = [];
  closed = false;
  closeReason: string | undefined;
  closedAtNs: number | undefined;
  private readFailed = false;

  decorate: FrameDecorator | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly clock: Clock,
    readonly description: string,
    /** Where frames are recorded; omit to record nothing (the peer end usually records). */
    private readonly rec?: { timeline: Timeline; source: string },
    readonly info: Record<string, unknown> = {},
  ) {
    this.reader = new V2gtpReader({ where: description });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.markClosed('peer closed the connection'));
    stream.on('close', () => this.markClosed('connection closed'));
    stream.on('error', (e: Error) => this.markClosed(`connection error: ${e.message}`));
  }

  private onData(chunk: Buffer): void {
    if (this.readFailed) return;
    try {
      for (const frame of this.reader.push(new Uint8Array(chunk))) {
        this.record('rx', frame.payloadType, frame.payload);
        this.deliver({ kind: 'frame', frame, atNs: this.clock.now() });
      }
    } catch (e) {
      this.readFailed = true;
      const err = e as V2gtpError;
      this.rec?.timeline.record('v2g', this.rec.source, {
        dir: 'rx',
        malformed: true,
        reason: err.reason,
        error: err.message,
        hex: chunk.toString('hex'),
      });
      this.deliver({ kind: 'malformed', error: err, atNs: this.clock.now() });
    }
  }

  private deliver(r: ReceiveResult): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(r);
    } else this.queue.push(r);
  }

  private markClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.closedAtNs = this.clock.now();
    this.deliver({ kind: 'closed', reason, atNs: this.closedAtNs });
    for (const fn of this.closeFns) {
      try {
        fn(reason);
      } catch {
        /* a listener's bug must not break the link */
      }
    }
  }

  private record(dir: 'tx' | 'rx', payloadType: number, payload: Uint8Array): void {
    if (!this.rec) return;
    let extra: Record<string, unknown> | undefined;
    try {
      extra = this.decorate?.(dir, payloadType, payload);
    } catch (e) {
      extra = { decorateError: (e as Error).message };
    }
    this.rec.timeline.record('v2g', this.rec.source, {
      dir,
      payloadType,
      payloadTypeName: payloadTypeLabel(payloadType),
      hex: toHex(encodeV2gtp(payloadType, payload)),
      ...extra,
    });
    // A peer encoder's deviation from EXI 1.0 that still decoded: a warning to read, the session goes on.
    const deviations = extra?.exiDeviations as Array<{ message: string }> | undefined;
    for (const d of deviations ?? []) {
      this.rec.timeline.record('warning', this.rec.source, { dir, message: `peer EXI deviation: ${d.message}`, deviation: d });
    }
  }

  async send(payloadType: number, payload: Uint8Array): Promise<void> {
    if (this.closed) throw new Error(`${this.description}: connection closed (${this.closeReason})`);
    this.record('tx', payloadType, payload);
    this.stream.write(Buffer.from(encodeV2gtp(payloadType, payload)));
  }

  async sendRaw(bytes: Uint8Array, note: string): Promise<void> {
    if (this.closed) throw new Error(`${this.description}: connection closed (${this.closeReason})`);
    this.rec?.timeline.record('v2g', this.rec.source, { dir: 'tx', raw: true, note, hex: toHex(bytes) });
    this.stream.write(Buffer.from(bytes));
  }

  receive(timeoutMs: number): Promise<ReceiveResult> {
    const next = this.queue.shift();
    if (next) {
      // A 'closed' result stays readable for later callers too.
      if (next.kind === 'closed') this.queue.unshift(next);
      return Promise.resolve(next);
    }
    if (this.waiter) throw new Error('MessageLink.receive called while another receive is pending');
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(timeoutMs, () =>
        // Data that became readable during a stall is read before this runs (see connection.ts).
        setImmediate(() => {
          if (this.waiter !== done) return; // delivered in the meantime
          this.waiter = undefined;
          resolve({ kind: 'timeout' });
        }),
      );
      const done = (r: ReceiveResult) => {
        timer.cancel();
        if (r.kind === 'closed') this.queue.unshift(r);
        resolve(r);
      };
      this.waiter = done;
    });
  }

  async close(reason = 'closed by this side'): Promise<void> {
    if (this.closed) return;
    // TLS on the in-memory link (memory-tls.ts) hands its records down asynchronously: destroyed at once it would drop
    // the last response before it left, where a kernel socket would still send it.
    if (this.stream instanceof TLSSocket) this.stream.end(() => this.stream.destroy());
    else {
      this.stream.end();
      this.stream.destroy();
    }
    this.markClosed(reason);
  }

  abort(): void {
    if (this.closed) return;
    this.stream.destroy();
    this.markClosed('aborted by this side');
  }

  onClose(fn: (reason: string) => void): void {
    if (this.closed) fn(this.closeReason ?? 'closed');
    else this.closeFns.push(fn);
  }
}

/** A connected pair of message links in memory: [vehicle end, charger end]. */
export function memoryLinkPair(clock: Clock, rec?: { timeline: Timeline; ev: string; charger: string }): [MessageLink, MessageLink] {
  // The run's capture of the in-process link sees what crosses it, as tcpdump sees a socket's (memory-capture.ts).
  const [a, b] = memoryStreamPair(rec && memoryLinkTap(rec.ev, clock));
  return [
    new StreamMessageLink(a, clock, 'memory (EV end)', rec && { timeline: rec.timeline, source: rec.ev }),
    new StreamMessageLink(b, clock, 'memory (charger end)', rec && { timeline: rec.timeline, source: rec.charger }),
  ];
}

/** MessageLink over the transport's V2gConnection (TCP or TLS 1.3 on the real link). */
export class ConnectionMessageLink implements MessageLink {
  closedAtNs: number | undefined;
  closeReason: string | undefined;
  readonly info: Record<string, unknown>;
  private closeFns: Array<(reason: string) => void> = [];

  constructor(
    readonly conn: V2gConnection,
    private readonly clock: Clock,
    info: Record<string, unknown> = {},
  ) {
    this.info = { ...info, ...(conn.tlsInfo() ? { tls: conn.tlsInfo() } : {}) };
    const onClosed = (ci: CloseInfo) => {
      this.closedAtNs = this.clock.now();
      this.closeReason = `${ci.reason}${ci.error ? `: ${ci.error.message}` : ''}`;
      for (const fn of this.closeFns.splice(0)) {
        try {
          fn(this.closeReason);
        } catch {
          /* listener bug */
        }
      }
    };
    if (conn.closed) onClosed({ reason: 'peer' });
    else conn.once('closed', onClosed);
  }

  get description(): string {
    return this.conn.where;
  }
  get closed(): boolean {
    return this.conn.closed;
  }
  get decorate(): FrameDecorator | undefined {
    return this.conn.decorate;
  }
  set decorate(d: FrameDecorator | undefined) {
    this.conn.decorate = d;
  }

  send(payloadType: number, payload: Uint8Array): Promise<void> {
    return this.conn.send(payloadType, payload);
  }
  sendRaw(bytes: Uint8Array, note: string): Promise<void> {
    return this.conn.sendRaw(bytes, note);
  }

  async receive(timeoutMs: number): Promise<ReceiveResult> {
    try {
      const frame = await this.conn.receive(timeoutMs);
      return { kind: 'frame', frame, atNs: this.clock.now() };
    } catch (e) {
      if (e instanceof V2gReceiveTimeout) return { kind: 'timeout' };
      if (e instanceof V2gtpError) return { kind: 'malformed', error: e, atNs: this.clock.now() };
      return { kind: 'closed', reason: this.closeReason ?? (e as Error).message, atNs: this.closedAtNs ?? this.clock.now() };
    }
  }

  close(): Promise<void> {
    return this.conn.close();
  }
  abort(): void {
    this.conn.abort();
  }
  onClose(fn: (reason: string) => void): void {
    if (this.closedAtNs !== undefined) fn(this.closeReason ?? 'closed');
    else this.closeFns.push(fn);
  }
}
