// One GB/T node on a CAN transport: encodes messages into single frames (≤ 8 bytes) or hands them to the
// J1939 transport protocol (BRM, BCP, BCS, BMV, BMT, BSP), decodes what the peer sends, and records
// every message, decoded, on the timeline (kind 'gbt') next to the raw frames the transport records.

import type { Clock } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';
import type { CanFrame } from '../can/frame.ts';
import type { CanTransport } from '../can/transport.ts';
import { decodeByPgn, encodeMessage, GbtDecodeError, type EncodeOptions, type GbtMessage } from './codec.ts';
import { buildId, parseId, PGN_TP_CM, PGN_TP_DT } from './ids.ts';
import { MESSAGE_BY_PGN, messageDef, type GbtCode, type GbtMessageMap } from './messages.ts';

/** A reassembled multi-packet message. */
export interface TpMessage {
  pgn: number;
  sa: number;
  da: number;
  data: Uint8Array;
  /** Clock ns when the last packet arrived. */
  t?: number;
  /** How it arrived (J1939Tp also delivers single frames: the link takes those from the bus itself). */
  via?: string;
}

/** What the link needs from a J1939-21 transport protocol engine (RTS/CTS). */
export interface MultiPacketTransport {
  /** `onLastPacket` runs just before the last data packet goes on the wire (the receiver has the message then). */
  send(pgn: number, da: number, data: Uint8Array, o?: { onLastPacket?: () => void }): Promise<void>;
  onMessage(cb: (m: TpMessage) => void): () => void;
  close?(): void | Promise<void>;
}

export type ReceivedMessage = GbtMessage & { t: number; sa: number; da: number; raw: Uint8Array };

/** A GB/T message as seen on the wire: decoded, or the bytes and why they could not be. */
export interface GbtWireMessage {
  code?: GbtCode;
  phase?: string;
  sa: number;
  da: number;
  hex: string;
  values?: Record<string, unknown>;
  /** Present when the payload could not be decoded. */
  error?: string;
}

/** Payload of a 'gbt' timeline event. */
export interface GbtEventData extends GbtWireMessage, Record<string, unknown> {
  dir: 'tx' | 'rx';
  /** A multi-packet transfer that did not complete (the receiver never had the message). */
  undelivered?: string;
}

export interface GbtLinkOptions {
  transport: CanTransport;
  clock: Clock;
  timeline?: Timeline;
  /** Timeline source for the 'gbt' events ('bms', 'gbt-charger'). */
  source: string;
  sa: number;
  da: number;
  tp: MultiPacketTransport;
}

export class GbtLink {
  private listeners = new Set<(m: ReceivedMessage) => void>();
  private unsubscribe: Array<() => void> = [];
  private closed = false;

  constructor(readonly opts: GbtLinkOptions) {
    this.unsubscribe.push(
      opts.transport.onFrame((f) => {
        if (!f.extended || f.error || f.rtr) return;
        const id = parseId(f.id);
        if (id.pgn === PGN_TP_CM || id.pgn === PGN_TP_DT) return; // the TP engine's business
        if (!MESSAGE_BY_PGN.has(id.pgn)) return; // foreign traffic shares the bus
        if (id.sa !== opts.da || id.da !== opts.sa) return;
        this.receive(id.pgn, id.sa, id.da, f.data, f.t ?? opts.clock.now());
      }),
      opts.tp.onMessage((m) => {
        if (m.via === 'single' || m.sa !== opts.da || !MESSAGE_BY_PGN.has(m.pgn)) return;
        this.receive(m.pgn, m.sa, m.da, m.data, m.t ?? opts.clock.now());
      }),
    );
  }

  onMessage(cb: (m: ReceivedMessage) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Encode strictly and send; multi-packet messages go through the TP engine. */
  async send<K extends GbtCode>(code: K, values: GbtMessageMap[K], opts?: EncodeOptions): Promise<void> {
    const data = encodeMessage(code, values, opts);
    await this.sendRaw(code, data, values as unknown as Record<string, unknown>);
  }

  /** The single frame `code` goes out as (a transport's periodic wire sends it itself); undefined when it needs TP. */
  frameOf(code: GbtCode, data: Uint8Array): CanFrame | undefined {
    const def = messageDef(code);
    return data.length <= 8 ? { id: buildId(def.priority, def.pgn, this.opts.da, this.opts.sa), extended: true, data } : undefined;
  }

  /** Record a message sent at t (clock ns; default now), as send() records its own: a periodic wire's sends. */
  recordSent(code: GbtCode, data: Uint8Array, values?: Record<string, unknown>, t?: number): void {
    const event = { dir: 'tx' as const, code, phase: messageDef(code).phase, sa: this.opts.sa, da: this.opts.da, hex: hex(data), values };
    this.record(event, t);
  }

  /** Send bytes as `code` without encoding them (negative tests: wrong lengths, bad fields). */
  async sendRaw(code: GbtCode, data: Uint8Array, values?: Record<string, unknown>): Promise<void> {
    if (this.closed) return;
    const def = messageDef(code);
    const event = { dir: 'tx' as const, code, phase: def.phase, sa: this.opts.sa, da: this.opts.da, hex: hex(data), values };
    const single = this.frameOf(code, data);
    if (single) {
      this.recordSent(code, data, values);
      await this.opts.transport.send(single);
      return;
    }
    // A multi-packet message is sent when its last packet goes on the wire: that is when the receiver has it
    // and its timers start (a timeout judged from the first TP frame would charge the charger with the
    // transfer time).
    let recorded = false;
    const onLastPacket = () => {
      recorded = true;
      this.record(event);
    };
    try {
      await this.opts.tp.send(def.pgn, this.opts.da, data, { onLastPacket });
    } catch (e) {
      if (!recorded) this.record({ ...event, undelivered: String((e as Error)?.message ?? e) });
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const u of this.unsubscribe) u();
    this.listeners.clear();
  }

  private receive(pgn: number, sa: number, da: number, data: Uint8Array, t: number): void {
    if (this.closed) return;
    const where = `${this.opts.transport.channel} PGN 0x${pgn.toString(16).padStart(4, '0')} from 0x${sa.toString(16)}`;
    let msg: GbtMessage | undefined;
    try {
      msg = decodeByPgn(pgn, data, where);
    } catch (err) {
      // A malformed frame is evidence, not a crash: record it and let the session's timeouts judge.
      if (!(err instanceof GbtDecodeError)) throw err;
      const def = MESSAGE_BY_PGN.get(pgn);
      this.record({ dir: 'rx', code: def?.code, phase: def?.phase, sa, da, hex: hex(data), error: err.message }, t);
      return;
    }
    if (!msg) return;
    this.record(
      {
        dir: 'rx',
        code: msg.code,
        phase: messageDef(msg.code).phase,
        sa,
        da,
        hex: hex(data),
        values: msg.values as unknown as Record<string, unknown>,
      },
      t,
    );
    const rx = { ...msg, t, sa, da, raw: data } as ReceivedMessage;
    for (const l of this.listeners) l(rx);
  }

  private record(d: GbtEventData, t?: number): void {
    this.opts.timeline?.record('gbt', this.opts.source, d, t);
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}
