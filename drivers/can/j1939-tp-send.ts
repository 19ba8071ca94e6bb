// The sending side of J1939-21 TP: BAM broadcasts, and the RTS/CTS connection as a small state machine
// (RTS sent → CTS → block of TP.DT → CTS again, or hold by CTS 0 → EndOfMsgAck), one connection per
// destination at a time, with T3/T4 guarding every wait.

import type { TimerHandle } from '../core/clock.ts';
import { GLOBAL_ADDRESS } from './j1939-id.ts';
import { bamPayload, CM_ABORT, CM_CTS, CM_EOMA, dtPayload, J1939TpAbort, packetCount, rtsPayload } from './j1939-tp-messages.ts';
import type { TpMutate, TpPort } from './j1939-tp-port.ts';

export interface SendOptions {
  /** Priority of a single-frame message (TP frames always use 7). Default 6. */
  priority?: number;
  dtGapMs?: number;
  /** Per-send negative-test hook (in addition to the node's). */
  mutate?: TpMutate;
  /** Called once, just before the message's last data packet goes on the wire: the receiver has it then. */
  onLastPacket?: () => void;
}

interface TxWaiter {
  pgn: number;
  onCm: (d: Uint8Array) => void;
}

export class TpSender {
  /** Outbound RTS/CTS sessions waiting for CM frames, by destination. */
  private readonly tx = new Map<number, TxWaiter>();
  /** Serialises our sessions per destination (one connection per address pair). */
  private readonly txChain = new Map<number, Promise<unknown>>();

  constructor(
    private readonly port: TpPort,
    private readonly gaps: { dtGapMs?: number; bamGapMs?: number },
  ) {}

  /** A message of 9…1785 bytes: BAM when `da` is 0xFF, else RTS/CTS; after any earlier send to `da`. */
  send(pgn: number, da: number, data: Uint8Array, o: SendOptions): Promise<void> {
    const run = () => (da === GLOBAL_ADDRESS ? this.sendBam(pgn, data, o) : this.sendRtsCts(pgn, da, data, o));
    const prev = this.txChain.get(da) ?? Promise.resolve();
    const next = prev.then(run, run);
    this.txChain.set(
      da,
      next.catch(() => undefined),
    );
    return next;
  }

  /** A CTS, EndOfMsgAck or Abort from `sa`: true when it belongs to our open session with `sa` for `pgn`. */
  onCm(sa: number, pgn: number, d: Uint8Array): boolean {
    const w = this.tx.get(sa);
    if (!w || w.pgn !== pgn) return false;
    w.onCm(d);
    return true;
  }

  private async sendBam(pgn: number, data: Uint8Array, o: SendOptions): Promise<void> {
    const { port } = this;
    await port.cm(GLOBAL_ADDRESS, bamPayload(data.length, pgn), 'bam', o.mutate);
    const n = packetCount(data.length);
    for (let seq = 1; seq <= n; seq++) {
      await port.clock.sleep(this.gaps.bamGapMs ?? 50);
      if (seq === n) o.onLastPacket?.();
      await port.dt(GLOBAL_ADDRESS, dtPayload(seq, data), o.mutate);
    }
    port.note('sent', { pgn, da: GLOBAL_ADDRESS, size: data.length, via: 'bam' });
  }

  private sendRtsCts(pgn: number, da: number, data: Uint8Array, o: SendOptions): Promise<void> {
    const n = packetCount(data.length);
    const gap = o.dtGapMs ?? this.gaps.dtGapMs ?? 10;
    const { port } = this;
    const { clock, timeouts } = port;
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      let finished = false;
      const finish = (err?: Error) => {
        if (finished) return;
        finished = true;
        timer?.cancel();
        if (this.tx.get(da) === waiter) this.tx.delete(da);
        if (err) {
          port.note('send-failed', { pgn, da, size: data.length, message: err.message });
          reject(err);
        } else {
          port.note('sent', { pgn, da, size: data.length, via: 'rts-cts' });
          resolve();
        }
      };
      const ourAbort = (reason: number, detail?: string) => {
        void port.abort(da, pgn, reason, o.mutate);
        finish(new J1939TpAbort(pgn, reason, 'us', da, detail));
      };
      const expect = (ms: number, what: string) => {
        timer?.cancel();
        timer = clock.setTimer(ms, () => ourAbort(3, `no ${what} within ${ms} ms`));
      };
      let block = 0;
      let inTransfer = false;
      let lastPacketSent = false;
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
              expect(timeouts.T3Ms, 'CTS or EndOfMsgAck after the data');
            }
            if (seq === n && !lastPacketSent) {
              lastPacketSent = true;
              o.onLastPacket?.();
            }
            await port.dt(da, dtPayload(seq, data), o.mutate);
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
            if (inTransfer) return ourAbort(4);
            const count = d[1];
            const next = d[2];
            if (count === 0) return expect(timeouts.T4Ms, 'CTS after a hold (CTS 0)');
            if (next < 1 || next > n) return ourAbort(7, `CTS asks for packet ${next} of ${n}`);
            timer?.cancel();
            void sendBlock(count, next);
          }
        },
      };
      if (this.tx.has(da)) return finish(new J1939TpAbort(pgn, 1, 'us', da, 'a session with this address is open'));
      this.tx.set(da, waiter);
      expect(timeouts.T3Ms, 'CTS after RTS');
      port.cm(da, rtsPayload(data.length, pgn), 'rts', o.mutate).catch((err) => finish(err as Error));
    });
  }
}
