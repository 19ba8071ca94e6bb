// The wire form of the J1939-21 transport protocol: TP.CM (PGN 0xEC00: RTS, CTS, EndOfMsgAck, BAM, Abort)
// and TP.DT (PGN 0xEB00) payloads, the abort reasons, the error a failed session ends with, and the message
// a node delivers. No state: the sending and receiving sessions (j1939-tp-send.ts, j1939-tp-receive.ts)
// decide when each is sent.

export const PGN_TP_CM = 0xec00;
export const PGN_TP_DT = 0xeb00;
export const TP_MAX_BYTES = 1785;
/** Data bytes per TP.DT packet (byte 0 is the sequence number). */
const DT_BYTES = 7;

export const CM_RTS = 0x10;
export const CM_CTS = 0x11;
export const CM_EOMA = 0x13;
export const CM_BAM = 0x20;
export const CM_ABORT = 0xff;

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

/** A message as a node delivers it: single frames and reassembled TP messages alike. */
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

/** Which TP frame a mutate hook is looking at. */
export type TpFrameRole = 'single' | 'rts' | 'cts' | 'dt' | 'eoma' | 'abort' | 'bam';

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
    const pgnText = pgn.toString(16).toUpperCase().padStart(4, '0');
    const reasonText = ABORT_REASONS[reason] ?? `reason ${reason}`;
    super(
      `J1939 TP of PGN 0x${pgnText} with 0x${peer.toString(16).toUpperCase()} aborted by ${by === 'us' ? 'us' : 'the peer'}: ` +
        `${reasonText}${detail ? ` (${detail})` : ''}`,
    );
  }
}

/** How many TP.DT packets a message of `size` bytes takes. */
export function packetCount(size: number): number {
  return Math.ceil(size / DT_BYTES);
}

function pgnBytes(pgn: number): number[] {
  return [pgn & 0xff, (pgn >> 8) & 0xff, (pgn >> 16) & 0xff];
}

/** RTS, BAM and EndOfMsgAck share one layout: size, packet count, 0xFF (no per-CTS limit / reserved), PGN. */
function sizedCm(ctrl: number, size: number, pgn: number): number[] {
  return [ctrl, size & 0xff, size >> 8, packetCount(size), 0xff, ...pgnBytes(pgn)];
}

export const rtsPayload = (size: number, pgn: number): number[] => sizedCm(CM_RTS, size, pgn);
export const bamPayload = (size: number, pgn: number): number[] => sizedCm(CM_BAM, size, pgn);
export const eomaPayload = (size: number, pgn: number): number[] => sizedCm(CM_EOMA, size, pgn);
export const ctsPayload = (count: number, next: number, pgn: number): number[] => [CM_CTS, count, next, 0xff, 0xff, ...pgnBytes(pgn)];
export const abortPayload = (reason: number, pgn: number): number[] => [CM_ABORT, reason, 0xff, 0xff, 0xff, ...pgnBytes(pgn)];

/** The PGN a TP.CM frame is about (bytes 5–7). */
export function cmPgn(d: Uint8Array): number {
  return d[5] | (d[6] << 8) | (d[7] << 16);
}

/** The message size an RTS, BAM or EndOfMsgAck announces (bytes 1–2). */
export function cmSize(d: Uint8Array): number {
  return d[1] | (d[2] << 8);
}

/** TP.DT packet `seq` (1-based) of `data`. */
export function dtPayload(seq: number, data: Uint8Array): Uint8Array {
  const d = new Uint8Array(8).fill(0xff); // J1939-21: unused bytes of the last packet are 0xFF
  d[0] = seq;
  d.set(data.subarray((seq - 1) * DT_BYTES, Math.min(data.length, seq * DT_BYTES)), 1);
  return d;
}

/** Copy the data of TP.DT packet `d` into `into` (a message of `into.length` bytes). */
export function takeDt(d: Uint8Array, into: Uint8Array): void {
  const off = (d[0] - 1) * DT_BYTES;
  into.set(d.subarray(1, 1 + Math.min(DT_BYTES, into.length - off)), off);
}
