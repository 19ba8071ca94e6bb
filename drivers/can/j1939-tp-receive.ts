// The receiving side of J1939-21 TP: one session per sender (RTS/CTS) and one per broadcaster (BAM),
// reassembling TP.DT packets in order, asking for blocks by CTS, guarding the gaps with T1/T2, and
// answering a bad sequence, a timeout or a second connection with the abort the standard names.

import type { TimerHandle } from '../core/clock.ts';
import { GLOBAL_ADDRESS } from './j1939-id.ts';
import { ABORT_REASONS, CM_BAM, cmSize, ctsPayload, eomaPayload, packetCount, takeDt, TP_MAX_BYTES } from './j1939-tp-messages.ts';
import type { J1939Message } from './j1939-tp-messages.ts';
import type { TpPort } from './j1939-tp-port.ts';

/** A message reassembled from TP.DT packets. */
export type TpReceived = J1939Message & { via: 'rts-cts' | 'bam' };

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

const sessionKey = (sa: number, bam: boolean): string => (bam ? `bam:${sa}` : `${sa}`);

export class TpReceiver {
  private readonly rx = new Map<string, RxSession>();

  constructor(
    private readonly port: TpPort,
    /** Packets we allow per CTS (≤ 255). */
    private readonly maxPacketsPerCts: number,
    private readonly deliver: (m: TpReceived) => void,
  ) {}

  /** An RTS (addressed to us) or a BAM (broadcast) from `sa` opens a session. */
  onAnnounce(sa: number, dest: number, d: Uint8Array, pgn: number, priority: number): void {
    const bam = d[0] === CM_BAM;
    if (bam !== (dest === GLOBAL_ADDRESS)) return; // an RTS must be addressed, a BAM broadcast
    const { port } = this;
    const size = cmSize(d);
    if (size < 9 || size > TP_MAX_BYTES) {
      port.note('bad-rts', { peer: sa, pgn, size, packets: d[3] });
      if (!bam) void port.abort(sa, pgn, size > TP_MAX_BYTES ? 9 : 2);
      return;
    }
    // Decode tolerantly: the packet count follows from the size, whatever byte 4 claims.
    const packets = packetCount(size);
    if (d[3] !== packets) port.note('rts-packet-count', { peer: sa, pgn, size, claimed: d[3], used: packets });
    const key = sessionKey(sa, bam);
    const old = this.rx.get(key);
    if (old) {
      old.timer?.cancel();
      // A repeated RTS for the same PGN restarts the transfer (a sender that retried); another PGN is refused.
      if (!bam && old.pgn !== pgn) {
        void port.abort(sa, pgn, 1);
        old.timer = this.timer(key, old, port.timeouts.T1Ms);
        return;
      }
      this.rx.delete(key);
    }
    const data = new Uint8Array(size);
    const s: RxSession = { peer: sa, pgn, size, packets, senderMax: d[4], data, nextSeq: 1, blockEnd: 0, bam, priority };
    this.rx.set(key, s);
    if (bam) s.timer = this.timer(key, s, port.timeouts.T1Ms);
    else this.sendCts(key, s);
  }

  /** The peer aborted its send to us. */
  onAbort(sa: number, pgn: number, reason: number): void {
    const key = sessionKey(sa, false);
    const s = this.rx.get(key);
    if (!s || s.pgn !== pgn) return;
    s.timer?.cancel();
    this.rx.delete(key);
    this.port.note('aborted-by-peer', { peer: sa, pgn, reason, text: ABORT_REASONS[reason] });
  }

  onDt(sa: number, dest: number, d: Uint8Array, t: number): void {
    const { port } = this;
    const key = sessionKey(sa, dest === GLOBAL_ADDRESS);
    const s = this.rx.get(key);
    if (!s) return; // a DT outside a session: not ours to judge (J1939 ignores it)
    const seq = d[0];
    if (seq < s.nextSeq) return; // a duplicate after a retransmit request: ignore
    if (seq !== s.nextSeq || (!s.bam && seq > s.blockEnd)) {
      s.timer?.cancel();
      this.rx.delete(key);
      port.note('bad-sequence', { peer: sa, pgn: s.pgn, expected: s.nextSeq, got: seq });
      if (!s.bam) void port.abort(sa, s.pgn, 7);
      return;
    }
    takeDt(d, s.data);
    s.nextSeq++;
    s.timer?.cancel();
    if (seq === s.packets) {
      this.rx.delete(key);
      if (!s.bam) void port.cm(sa, eomaPayload(s.size, s.pgn), 'eoma').catch(() => undefined);
      const da = s.bam ? GLOBAL_ADDRESS : port.sa;
      this.deliver({ pgn: s.pgn, sa, da, priority: s.priority, data: s.data, t, via: s.bam ? 'bam' : 'rts-cts' });
      return;
    }
    if (!s.bam && seq === s.blockEnd) this.sendCts(key, s);
    else s.timer = this.timer(key, s, port.timeouts.T1Ms);
  }

  close(): void {
    for (const s of this.rx.values()) s.timer?.cancel();
    this.rx.clear();
  }

  private sendCts(key: string, s: RxSession): void {
    const remaining = s.packets - s.nextSeq + 1;
    const allowed = Math.min(remaining, s.senderMax || 255, this.maxPacketsPerCts);
    s.blockEnd = s.nextSeq + allowed - 1;
    s.timer = this.timer(key, s, this.port.timeouts.T2Ms);
    void this.port.cm(s.peer, ctsPayload(allowed, s.nextSeq, s.pgn), 'cts').catch(() => undefined);
  }

  private timer(key: string, s: RxSession, ms: number): TimerHandle {
    return this.port.clock.setTimer(ms, () => {
      if (this.rx.get(key) !== s) return;
      this.rx.delete(key);
      this.port.note('receive-timeout', { peer: s.peer, pgn: s.pgn, afterPacket: s.nextSeq - 1, of: s.packets, waitedMs: ms });
      if (!s.bam) void this.port.abort(s.peer, s.pgn, 3);
    });
  }
}
