// SAE J1939-21 transport protocol over one CAN transport, for one node address (GB/T 27930: BMS 0xF4,
// charger 0x56). Sends and receives multi-packet messages (9…1785 bytes) with TP.CM RTS/CTS/EndOfMsgAck/
// Abort (PGN 0xEC00) and TP.DT (0xEB00), receives BAM broadcasts, and delivers single-frame messages too,
// so a protocol session sees every message through one onMessage().
//
// Timeouts (Tr, Th, T1–T4) come from fixtures/limits/j1939.yaml. A timeout or an abort is not decided
// here to be the product's fault or the bench's: send() rejects with J1939TpAbort and the session judges.

import type { Clock, TimerHandle } from '../core/clock.ts';
import { Limits } from '../core/limits.ts';
import type { Timeline } from '../core/timeline.ts';
import { CanFrameError, type CanFrame } from './frame.ts';
import type { CanTransport } from './transport.ts';

export const PGN_TP_CM = 0xec00;
export const PGN_TP_DT = 0xeb00;
export const GLOBAL_ADDRESS = 0xff;
export const TP_MAX_BYTES = 1785;

const CM_RTS = 0x10;
const CM_CTS = 0x11;
const CM_EOMA = 0x13;
const CM_BAM = 0x20;
const CM_ABORT = 0xff;

export const ABORT_REASONS: Record<number, string> = {
  1: 'already in a connection-managed session',
  2: 'system resources needed for another task',
  3: 'timeout',
  4: 'CTS received while a data transfer was in progress',
  5: 'maximum retransmit requests reached',
  6: 'unexpected data transfer packet',
  7: 'bad sequence number',
  8: 'duplicate sequence number',
  9: 'message size greater than 1785 bytes',
};

export interface J1939Timeouts {
  TrMs: number;
  ThMs: number;
  T1Ms: number;
  T2Ms: number;
  T3Ms: number;
  T4Ms: number;
}

/** The J1939-21 TP timeouts from fixtures/limits/j1939.yaml. */
export function loadJ1939Timeouts(limits: Limits = Limits.load('j1939')): J1939Timeouts {
  return {
    TrMs: limits.num('tp.TrMs'),
    ThMs: limits.num('tp.ThMs'),
    T1Ms: limits.num('tp.T1Ms'),
    T2Ms: limits.num('tp.T2Ms'),
    T3Ms: limits.num('tp.T3Ms'),
    T4Ms: limits.num('tp.T4Ms'),
  };
}

export interface J1939Message {
  pgn: number;
  /** Source address. */
  sa: number;
  /** Destination address (0xFF for broadcast / PDU2). */
  da: number;
  priority: number;
  data: Uint8Array;
  /** Clock ns of the frame that completed the message. */
  t: number;
  /** How it came: one frame, an RTS/CTS session, or a BAM broadcast. */
  via: 'single' | 'rts-cts' | 'bam';
}

/** A TP session ended without its message: aborted by the peer or by us (timeout, bad sequence…). */
export class J1939TpAbort extends Error {
  override name = 'J1939TpAbort';
  constructor(
    readonly pgn: number,
    readonly reason: number,
    readonly by: 'peer' | 'us',
    readonly peer: number,
    detail?: string,
  ) {
    super(`J1939 TP of PGN 0x${pgn.toString(16).toUpperCase().padStart(4, '0')} with 0x${peer.toString(16).toUpperCase()} aborted by ${by === 'us' ? 'us' : 'the peer'}: ${ABORT_REASONS[reason] ?? `reason ${reason}`}${detail ? ` (${detail})` : ''}`);
  }
}

/** Which TP frame a mutate hook is looking at. */
export type TpFrameRole = 'single' | 'rts' | 'cts' | 'dt' | 'eoma' | 'abort' | 'bam';

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

export interface SendOptions {
  /** Priority of a single-frame message (TP frames always use 7). Default 6. */
  priority?: number;
  dtGapMs?: number;
  /** Per-send negative-test hook (in addition to the node's). */
  mutate?: (frame: CanFrame, role: TpFrameRole) => CanFrame | null;
}

/** 29-bit id of a J1939 frame (PDU1 when PF < 240: PS = destination; PDU2: PS is part of the PGN). */
export function j1939Id(priority: number, pgn: number, da: number, sa: number): number {
  const pf = (pgn >> 8) & 0xff;
  const dpEdp = (pgn >> 16) & 0x3;
  const ps = pf < 240 ? da & 0xff : pgn & 0xff;
  return (((priority & 7) << 26) | (dpEdp << 24) | (pf << 16) | (ps << 8) | (sa & 0xff)) >>> 0;
}

/** The parts of a 29-bit J1939 id. */
export function parseJ1939Id(id: number): { priority: number; pgn: number; da: number; sa: number } {
  const priority = (id >> 26) & 7;
  const dpEdp = (id >> 24) & 3;
  const pf = (id >> 16) & 0xff;
  const ps = (id >> 8) & 0xff;
  const sa = id & 0xff;
  if (pf < 240) return { priority, pgn: (dpEdp << 16) | (pf << 8), da: ps, sa };
  return { priority, pgn: (dpEdp << 16) | (pf << 8) | ps, da: GLOBAL_ADDRESS, sa };
}

function pgnBytes(pgn: number): number[] {
  return [pgn & 0xff, (pgn >> 8) & 0xff, (pgn >> 16) & 0xff];
}

function pgnOf(d: Uint8Array): number {
  return d[5] | (d[6] << 8) | (d[7] << 16);
}

interface RxSession {
  peer: number;
  pgn: number;
  size: number;
  packets: number;
  /** Packets the sender allows per CTS (RTS byte 5). */
  senderMax: number;
  data: Uint8Array;
  nextSeq: number;
  /** Last sequence number of the block the current CTS asked for. */
  blockEnd: number;
  timer?: TimerHandle;
  bam: boolean;
  priority: number;
}

interface TxWaiter {
  pgn: number;
  onCm: (d: Uint8Array) => void;
}

export class J1939Tp {
  private readonly timeouts: J1939Timeouts;
  private readonly listeners = new Set<(m: J1939Message) => void>();
  private readonly rx = new Map<string, RxSession>();
  /** Outbound RTS/CTS sessions waiting for CM frames, by destination. */
  private readonly tx = new Map<number, TxWaiter>();
  /** Serialises our sessions per destination (one connection per address pair). */
  private readonly txChain = new Map<number, Promise<unknown>>();
  private readonly unsubscribe: () => void;
  private closed = false;
  readonly source: string;

  constructor(private readonly opts: J1939TpOptions) {
    if (!Number.isInteger(opts.sa) || opts.sa < 0 || opts.sa > 0xfd) throw new RangeError(`J1939 source address must be 0..253, got ${opts.sa}`);
    this.timeouts = opts.timeouts ?? loadJ1939Timeouts();
    this.source = opts.source ?? opts.transport.channel;
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
    if (data.length > TP_MAX_BYTES) return Promise.reject(new CanFrameError(`J1939 message of ${data.length} bytes (max ${TP_MAX_BYTES})`, `PGN 0x${pgn.toString(16)}`));
    if (data.length <= 8) return this.emit(j1939Id(o.priority ?? 6, pgn, da, this.opts.sa), data, 'single', o);
    const run = () => (da === GLOBAL_ADDRESS ? this.sendBam(pgn, data, o) : this.sendRtsCts(pgn, da, data, o));
    const prev = this.txChain.get(da) ?? Promise.resolve();
    const next = prev.then(run, run);
    this.txChain.set(
      da,
      next.catch(() => undefined),
    );
    return next;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const s of this.rx.values()) s.timer?.cancel();
    this.rx.clear();
    this.listeners.clear();
  }

  // ---- sending -------------------------------------------------------------------------------------

  private async emit(id: number, data: Uint8Array, role: TpFrameRole, o?: SendOptions): Promise<void> {
    let frame: CanFrame | null = { id, extended: true, data };
    if (o?.mutate) frame = o.mutate(frame, role);
    if (frame && this.opts.mutate) frame = this.opts.mutate(frame, role);
    if (!frame) return;
    await this.opts.transport.send(frame);
  }

  private cm(da: number, bytes: number[], role: TpFrameRole, o?: SendOptions): Promise<void> {
    return this.emit(j1939Id(7, PGN_TP_CM, da, this.opts.sa), Uint8Array.from(bytes), role, o);
  }

  private abort(da: number, pgn: number, reason: number, o?: SendOptions): Promise<void> {
    this.note('abort-sent', { peer: da, pgn, reason, text: ABORT_REASONS[reason] });
    return this.cm(da, [CM_ABORT, reason, 0xff, 0xff, 0xff, ...pgnBytes(pgn)], 'abort', o).catch(() => undefined);
  }

  private dtFrame(da: number, seq: number, data: Uint8Array): Uint8Array {
    const d = new Uint8Array(8).fill(0xff); // J1939-21: unused bytes of the last packet are 0xFF
    d[0] = seq;
    d.set(data.subarray((seq - 1) * 7, Math.min(data.length, seq * 7)), 1);
    return d;
  }

  private async sendBam(pgn: number, data: Uint8Array, o: SendOptions): Promise<void> {
    const n = Math.ceil(data.length / 7);
    await this.cm(GLOBAL_ADDRESS, [CM_BAM, data.length & 0xff, data.length >> 8, n, 0xff, ...pgnBytes(pgn)], 'bam', o);
    for (let seq = 1; seq <= n; seq++) {
      await this.opts.clock.sleep(this.opts.bamGapMs ?? 50);
      await this.emit(j1939Id(7, PGN_TP_DT, GLOBAL_ADDRESS, this.opts.sa), this.dtFrame(GLOBAL_ADDRESS, seq, data), 'dt', o);
    }
    this.note('sent', { pgn, da: GLOBAL_ADDRESS, size: data.length, via: 'bam' });
  }

  private sendRtsCts(pgn: number, da: number, data: Uint8Array, o: SendOptions): Promise<void> {
    const n = Math.ceil(data.length / 7);
    const gap = o.dtGapMs ?? this.opts.dtGapMs ?? 10;
    const { clock } = this.opts;
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      let finished = false;
      const finish = (err?: Error) => {
        if (finished) return;
        finished = true;
        timer?.cancel();
        if (this.tx.get(da) === waiter) this.tx.delete(da);
        if (err) {
          this.note('send-failed', { pgn, da, size: data.length, message: err.message });
          reject(err);
        } else {
          this.note('sent', { pgn, da, size: data.length, via: 'rts-cts' });
          resolve();
        }
      };
      const expect = (ms: number, what: string) => {
        timer?.cancel();
        timer = clock.setTimer(ms, () => {
          void this.abort(da, pgn, 3, o);
          finish(new J1939TpAbort(pgn, 3, 'us', da, `no ${what} within ${ms} ms`));
        });
      };
      let block = 0;
      let inTransfer = false;
      const sendBlock = async (count: number, next: number) => {
        const mine = ++block;
        const last = Math.min(n, next + count - 1);
        inTransfer = true;
        try {
          for (let seq = next; seq <= last; seq++) {
            if (finished || block !== mine) return;
            if (seq > next) await clock.sleep(gap);
            if (finished || block !== mine) return;
            if (seq === last) {
              // The answer to the last packet can arrive before send() resolves: be ready for it now.
              inTransfer = false;
              expect(this.timeouts.T3Ms, 'CTS or EndOfMsgAck after the data');
            }
            await this.emit(j1939Id(7, PGN_TP_DT, da, this.opts.sa), this.dtFrame(da, seq, data), 'dt', o);
          }
        } catch (err) {
          finish(err as Error);
        }
      };
      const waiter: TxWaiter = {
        pgn,
        onCm: (d) => {
          if (finished) return;
          const ctrl = d[0];
          if (ctrl === CM_ABORT) return finish(new J1939TpAbort(pgn, d[1], 'peer', da));
          if (ctrl === CM_EOMA) return finish();
          if (ctrl === CM_CTS) {
            if (inTransfer) {
              void this.abort(da, pgn, 4, o);
              return finish(new J1939TpAbort(pgn, 4, 'us', da));
            }
            const count = d[1];
            const next = d[2];
            if (count === 0) return expect(this.timeouts.T4Ms, 'CTS after a hold (CTS 0)');
            if (next < 1 || next > n) {
              void this.abort(da, pgn, 7, o);
              return finish(new J1939TpAbort(pgn, 7, 'us', da, `CTS asks for packet ${next} of ${n}`));
            }
            timer?.cancel();
            void sendBlock(count, next);
          }
        },
      };
      if (this.tx.has(da)) return finish(new J1939TpAbort(pgn, 1, 'us', da, 'a session with this address is open'));
      this.tx.set(da, waiter);
      expect(this.timeouts.T3Ms, 'CTS after RTS');
      this.cm(da, [CM_RTS, data.length & 0xff, data.length >> 8, n, 0xff, ...pgnBytes(pgn)], 'rts', o).catch((err) => finish(err as Error));
    });
  }

  // ---- receiving -----------------------------------------------------------------------------------

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
      else this.onDt(sa, dest, f.data, f.t ?? this.opts.clock.now());
      return;
    }
    if (da !== this.opts.sa && da !== GLOBAL_ADDRESS) return;
    this.deliver({ pgn, sa, da, priority, data: f.data, t: f.t ?? this.opts.clock.now(), via: 'single' });
  }

  private onCm(sa: number, dest: number, d: Uint8Array, priority: number): void {
    const ctrl = d[0];
    const pgn = pgnOf(d);
    if (ctrl === CM_CTS || ctrl === CM_EOMA) {
      const w = this.tx.get(sa);
      if (w && w.pgn === pgn) w.onCm(d);
      else this.note('unexpected-cm', { peer: sa, pgn, ctrl });
      return;
    }
    if (ctrl === CM_ABORT) {
      // The peer may abort our send to it, or its own send to us.
      const w = this.tx.get(sa);
      if (w && w.pgn === pgn) w.onCm(d);
      const s = this.rx.get(`${sa}`);
      if (s && s.pgn === pgn) {
        s.timer?.cancel();
        this.rx.delete(`${sa}`);
        this.note('aborted-by-peer', { peer: sa, pgn, reason: d[1], text: ABORT_REASONS[d[1]] });
      }
      return;
    }
    if (ctrl === CM_RTS || ctrl === CM_BAM) {
      const bam = ctrl === CM_BAM;
      if (bam !== (dest === GLOBAL_ADDRESS)) return; // an RTS must be addressed, a BAM broadcast
      const size = d[1] | (d[2] << 8);
      if (size < 9 || size > TP_MAX_BYTES) {
        this.note('bad-rts', { peer: sa, pgn, size, packets: d[3] });
        if (!bam) void this.abort(sa, pgn, size > TP_MAX_BYTES ? 9 : 2);
        return;
      }
      // Decode tolerantly: the packet count follows from the size, whatever byte 4 claims.
      const packets = Math.ceil(size / 7);
      if (d[3] !== packets) this.note('rts-packet-count', { peer: sa, pgn, size, claimed: d[3], used: packets });
      const key = bam ? `bam:${sa}` : `${sa}`;
      const old = this.rx.get(key);
      if (old) {
        old.timer?.cancel();
        // A repeated RTS for the same PGN restarts the transfer (a sender that retried); another PGN is refused.
        if (!bam && old.pgn !== pgn) {
          void this.abort(sa, pgn, 1);
          old.timer = this.rxTimer(key, old, this.timeouts.T1Ms);
          return;
        }
        this.rx.delete(key);
      }
      const s: RxSession = { peer: sa, pgn, size, packets, senderMax: d[4], data: new Uint8Array(size), nextSeq: 1, blockEnd: 0, bam, priority };
      this.rx.set(key, s);
      if (bam) s.timer = this.rxTimer(key, s, this.timeouts.T1Ms);
      else this.sendCts(key, s);
    }
  }

  private sendCts(key: string, s: RxSession): void {
    const remaining = s.packets - s.nextSeq + 1;
    const allowed = Math.min(remaining, s.senderMax || 255, this.opts.maxPacketsPerCts ?? 255);
    s.blockEnd = s.nextSeq + allowed - 1;
    s.timer = this.rxTimer(key, s, this.timeouts.T2Ms);
    void this.cm(s.peer, [CM_CTS, allowed, s.nextSeq, 0xff, 0xff, ...pgnBytes(s.pgn)], 'cts').catch(() => undefined);
  }

  private rxTimer(key: string, s: RxSession, ms: number): TimerHandle {
    return this.opts.clock.setTimer(ms, () => {
      if (this.rx.get(key) !== s) return;
      this.rx.delete(key);
      this.note('receive-timeout', { peer: s.peer, pgn: s.pgn, afterPacket: s.nextSeq - 1, of: s.packets, waitedMs: ms });
      if (!s.bam) void this.abort(s.peer, s.pgn, 3);
    });
  }

  private onDt(sa: number, dest: number, d: Uint8Array, t: number): void {
    const key = dest === GLOBAL_ADDRESS ? `bam:${sa}` : `${sa}`;
    const s = this.rx.get(key);
    if (!s) return; // a DT outside a session: not ours to judge (J1939 ignores it)
    const seq = d[0];
    if (seq < s.nextSeq) return; // a duplicate after a retransmit request: ignore
    if (seq !== s.nextSeq || (!s.bam && seq > s.blockEnd)) {
      s.timer?.cancel();
      this.rx.delete(key);
      this.note('bad-sequence', { peer: sa, pgn: s.pgn, expected: s.nextSeq, got: seq });
      if (!s.bam) void this.abort(sa, s.pgn, 7);
      return;
    }
    const off = (seq - 1) * 7;
    s.data.set(d.subarray(1, 1 + Math.min(7, s.size - off)), off);
    s.nextSeq++;
    s.timer?.cancel();
    if (seq === s.packets) {
      this.rx.delete(key);
      if (!s.bam) void this.cm(sa, [CM_EOMA, s.size & 0xff, s.size >> 8, s.packets, 0xff, ...pgnBytes(s.pgn)], 'eoma').catch(() => undefined);
      this.deliver({ pgn: s.pgn, sa, da: s.bam ? GLOBAL_ADDRESS : this.opts.sa, priority: s.priority, data: s.data, t, via: s.bam ? 'bam' : 'rts-cts' });
      return;
    }
    if (!s.bam && seq === s.blockEnd) this.sendCts(key, s);
    else s.timer = this.rxTimer(key, s, this.timeouts.T1Ms);
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
