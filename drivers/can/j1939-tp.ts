// SAE J1939-21 transport protocol over one CAN transport, for one node address (GB/T 27930: BMS 0xF4,
// charger 0x56). Sends and receives multi-packet messages (9…1785 bytes) with TP.CM RTS/CTS/EndOfMsgAck/
// Abort (PGN 0xEC00) and TP.DT (0xEB00), receives BAM broadcasts, and delivers single-frame messages too,
// so a protocol session sees every message through one onMessage().
//
// This file is the node: it routes frames to the sending side (j1939-tp-send.ts) and the receiving side
// (j1939-tp-receive.ts), and owns the wire hooks and the timeline notes both use. The frame layouts are in
// j1939-tp-messages.ts, the ids in j1939-id.ts.
//
// Timeouts (Tr, Th, T1–T4) come from fixtures/limits/j1939.yaml. A timeout or an abort is not decided
// here to be the product's fault or the bench's: send() rejects with J1939TpAbort and the session judges.

import type { Clock } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';
import { CanFrameError, type CanFrame } from './frame.ts';
import { GLOBAL_ADDRESS, j1939Id, parseJ1939Id } from './j1939-id.ts';
import {
  abortPayload,
  ABORT_REASONS,
  CM_ABORT,
  CM_BAM,
  CM_CTS,
  CM_EOMA,
  CM_RTS,
  cmPgn,
  PGN_TP_CM,
  PGN_TP_DT,
  TP_MAX_BYTES,
  type J1939Message,
  type TpFrameRole,
} from './j1939-tp-messages.ts';
import type { TpMutate, TpPort } from './j1939-tp-port.ts';
import { TpReceiver } from './j1939-tp-receive.ts';
import { TpSender, type SendOptions } from './j1939-tp-send.ts';
import { loadJ1939Timeouts, type J1939Timeouts } from './j1939-tp-timeouts.ts';
import type { CanTransport } from './transport.ts';

// The API this module has always offered, now defined in the files of each concern.
export { GLOBAL_ADDRESS, j1939Id, parseJ1939Id } from './j1939-id.ts';
export { J1939TpAbort } from './j1939-tp-messages.ts';
export { ABORT_REASONS, PGN_TP_CM, PGN_TP_DT, TP_MAX_BYTES, type J1939Message, type TpFrameRole };
export type { SendOptions } from './j1939-tp-send.ts';
export { loadJ1939Timeouts, type J1939Timeouts } from './j1939-tp-timeouts.ts';

export interface J1939TpOptions {
  transport: CanTransport;
  clock: Clock;
  /** Our node address. */
  sa: number;
  timeline?: Timeline;
  /** Timeline source (default: transport channel). */
  source?: string;
  timeouts?: J1939Timeouts;
  /** Gap between our TP.DT packets (GB/T BMSs use ~10 ms). Default 10. */
  dtGapMs?: number;
  /** Gap between BAM packets (50–200 ms by J1939-21). Default 50. */
  bamGapMs?: number;
  /** Packets we allow per CTS when receiving (≤ 255). Default 255: the whole message in one block. */
  maxPacketsPerCts?: number;
  /**
   * Negative-test hook: see every frame this node is about to send; return it (possibly changed),
   * or null to drop it. Roles: single, rts, cts, dt, eoma, abort, bam.
   */
  mutate?: (frame: CanFrame, role: TpFrameRole) => CanFrame | null;
}

export class J1939Tp {
  private readonly listeners = new Set<(m: J1939Message) => void>();
  private readonly sender: TpSender;
  private readonly receiver: TpReceiver;
  private readonly unsubscribe: () => void;
  private closed = false;
  readonly source: string;

  constructor(private readonly opts: J1939TpOptions) {
    if (!Number.isInteger(opts.sa) || opts.sa < 0 || opts.sa > 0xfd)
      throw new RangeError(`J1939 source address must be 0..253, got ${opts.sa}`);
    this.source = opts.source ?? opts.transport.channel;
    const port = this.port(opts.timeouts ?? loadJ1939Timeouts());
    this.sender = new TpSender(port, opts);
    this.receiver = new TpReceiver(port, opts.maxPacketsPerCts ?? 255, (m) => this.deliver(m));
    this.unsubscribe = opts.transport.onFrame((f) => this.onFrame(f));
  }

  /** Every message addressed to us (or broadcast): single frames and reassembled TP messages alike. */
  onMessage(cb: (m: J1939Message) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * Send a message of any length: ≤ 8 bytes as one frame; longer by RTS/CTS to `da`, or BAM when `da` is
   * 0xFF. Resolves when the peer acknowledged (EndOfMsgAck) / the last BAM packet is out.
   */
  send(pgn: number, da: number, bytes: ArrayLike<number>, o: SendOptions = {}): Promise<void> {
    const data = Uint8Array.from(bytes);
    if (data.length > TP_MAX_BYTES) {
      return Promise.reject(new CanFrameError(`J1939 message of ${data.length} bytes (max ${TP_MAX_BYTES})`, `PGN 0x${pgn.toString(16)}`));
    }
    if (data.length <= 8) return this.emit(j1939Id(o.priority ?? 6, pgn, da, this.opts.sa), data, 'single', o.mutate);
    return this.sender.send(pgn, da, data, o);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.receiver.close();
    this.listeners.clear();
  }

  // ---- the wire, as both sides see it --------------------------------------------------------------

  private port(timeouts: J1939Timeouts): TpPort {
    const { sa, clock } = this.opts;
    const cm = (da: number, bytes: number[], role: TpFrameRole, mutate?: TpMutate) =>
      this.emit(j1939Id(7, PGN_TP_CM, da, sa), Uint8Array.from(bytes), role, mutate);
    return {
      sa,
      clock,
      timeouts,
      cm,
      dt: (da, payload, mutate) => this.emit(j1939Id(7, PGN_TP_DT, da, sa), payload, 'dt', mutate),
      abort: (da, pgn, reason, mutate) => {
        this.note('abort-sent', { peer: da, pgn, reason, text: ABORT_REASONS[reason] });
        return cm(da, abortPayload(reason, pgn), 'abort', mutate).catch(() => undefined);
      },
      note: (event, data) => this.note(event, data),
    };
  }

  private async emit(id: number, data: Uint8Array, role: TpFrameRole, mutate?: TpMutate): Promise<void> {
    let frame: CanFrame | null = { id, extended: true, data };
    if (mutate) frame = mutate(frame, role);
    if (frame && this.opts.mutate) frame = this.opts.mutate(frame, role);
    if (!frame) return;
    await this.opts.transport.send(frame);
  }

  private onFrame(f: CanFrame): void {
    if (this.closed || !f.extended || f.error || f.rtr) return;
    const { priority, pgn, da, sa } = parseJ1939Id(f.id);
    const pf = pgn & 0xff00;
    if (pf === PGN_TP_CM || pf === PGN_TP_DT) {
      const dest = (f.id >> 8) & 0xff;
      if (dest !== this.opts.sa && dest !== GLOBAL_ADDRESS) return;
      if (f.data.length < 8) {
        this.note('bad-frame', { peer: sa, message: `TP frame with ${f.data.length} bytes (needs 8)` });
        return;
      }
      if (pf === PGN_TP_CM) this.onCm(sa, dest, f.data, priority);
      else this.receiver.onDt(sa, dest, f.data, f.t ?? this.opts.clock.now());
      return;
    }
    if (da !== this.opts.sa && da !== GLOBAL_ADDRESS) return;
    this.deliver({ pgn, sa, da, priority, data: f.data, t: f.t ?? this.opts.clock.now(), via: 'single' });
  }

  private onCm(sa: number, dest: number, d: Uint8Array, priority: number): void {
    const ctrl = d[0];
    const pgn = cmPgn(d);
    if (ctrl === CM_CTS || ctrl === CM_EOMA) {
      if (!this.sender.onCm(sa, pgn, d)) this.note('unexpected-cm', { peer: sa, pgn, ctrl });
    } else if (ctrl === CM_ABORT) {
      // The peer may abort our send to it, or its own send to us.
      this.sender.onCm(sa, pgn, d);
      this.receiver.onAbort(sa, pgn, d[1]);
    } else if (ctrl === CM_RTS || ctrl === CM_BAM) {
      this.receiver.onAnnounce(sa, dest, d, pgn, priority);
    }
  }

  private deliver(m: J1939Message): void {
    if (m.via !== 'single') this.note('received', { pgn: m.pgn, sa: m.sa, da: m.da, size: m.data.length, via: m.via });
    for (const l of this.listeners) {
      try {
        l(m);
      } catch (err) {
        this.opts.timeline?.record('note', this.source, { message: `J1939 listener threw: ${(err as Error)?.message ?? String(err)}` });
      }
    }
  }

  private note(event: string, data: Record<string, unknown>): void {
    this.opts.timeline?.record('j1939', this.source, { event, sa: this.opts.sa, ...data });
  }
}
