// The CAN frame model shared by every transport, trace format and codec, and the checks that keep a bad
// frame from reaching a bus or a trace file.

import { InputError } from '../core/errors.ts';

export interface CanFrame {
  /** 11-bit or 29-bit identifier (without flag bits). */
  id: number;
  /** True for a 29-bit (extended) identifier. */
  extended: boolean;
  /** Payload: 0..8 bytes (classic) or up to 64 (FD). */
  data: Uint8Array;
  /** CAN FD frame. */
  fd?: boolean;
  /** CAN FD bit-rate switch (only meaningful with fd). */
  brs?: boolean;
  /** CAN FD error-state indicator (only meaningful with fd). */
  esi?: boolean;
  /** Remote transmission request. */
  rtr?: boolean;
  /** Error frame (id holds the error class bits). */
  error?: boolean;
  /** Clock ns when seen on the bus (set by the transport on receive). */
  t?: number;
  /** Receive only: clock ns the bus or hub itself stamped the frame (virtual bus: its send time; socketcand: the
   *  hub's timestamp). `t − busT` is the harness's receive-to-stamp latency. */
  busT?: number;
}

export const CAN_SFF_MAX = 0x7ff;
export const CAN_EFF_MAX = 0x1fffffff;
/** Linux can.h flag bits, used by candump error ids and the pcap SocketCAN header. */
export const CAN_EFF_FLAG = 0x80000000;
export const CAN_RTR_FLAG = 0x40000000;
export const CAN_ERR_FLAG = 0x20000000;
export const CAN_MAX_DLEN = 8;
export const CANFD_MAX_DLEN = 64;
/** The payload lengths a CAN FD frame can have (DLC 0..15). */
export const FD_LENGTHS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/** A frame that cannot exist on a CAN bus (id out of range, too long, FD length not a DLC step…). */
export class CanFrameError extends InputError {
  override name = 'CanFrameError';
}

/** Throw CanFrameError when the frame cannot be put on a bus; `where` names the channel or file line. */
export function validateFrame(frame: CanFrame, where: string): void {
  if (!frame || typeof frame !== 'object') throw new CanFrameError('not a CAN frame object', where);
  const { id, data } = frame;
  if (!Number.isInteger(id) || id < 0) throw new CanFrameError(`identifier must be a non-negative integer, got ${String(id)}`, where);
  if (!(data instanceof Uint8Array)) throw new CanFrameError('data must be a Uint8Array', where);
  if (frame.error) {
    // Error frames carry the error class in the id (29 bits) and always 8 data bytes on Linux, but we accept 0..8.
    if (id > CAN_EFF_MAX) throw new CanFrameError(`error class 0x${id.toString(16)} exceeds 29 bits`, where);
    if (data.length > CAN_MAX_DLEN) throw new CanFrameError(`error frame has ${data.length} data bytes (max 8)`, where);
    return;
  }
  const max = frame.extended ? CAN_EFF_MAX : CAN_SFF_MAX;
  if (id > max)
    throw new CanFrameError(
      `identifier 0x${id.toString(16).toUpperCase()} exceeds ${frame.extended ? 29 : 11} bits${frame.extended ? '' : ' (set extended: true for a 29-bit id)'}`,
      where,
    );
  if (frame.fd) {
    if (frame.rtr) throw new CanFrameError('CAN FD frames have no remote-request form', where);
    if (data.length > CANFD_MAX_DLEN) throw new CanFrameError(`CAN FD frame has ${data.length} data bytes (max 64)`, where);
    if (!FD_LENGTHS.includes(data.length))
      throw new CanFrameError(`CAN FD length ${data.length} is not one of ${FD_LENGTHS.join(', ')}`, where);
  } else {
    if (data.length > CAN_MAX_DLEN)
      throw new CanFrameError(`classic CAN frame has ${data.length} data bytes (max 8; set fd: true for CAN FD)`, where);
    if (frame.brs || frame.esi) throw new CanFrameError('BRS/ESI flags need fd: true', where);
  }
}

/** Convenience constructor: `canFrame(0x1826F456, [1, 1, 0])` (extended when id > 0x7FF unless told). */
export function canFrame(id: number, data: ArrayLike<number> = [], opts: Partial<Omit<CanFrame, 'id' | 'data'>> = {}): CanFrame {
  return { id, extended: opts.extended ?? id > CAN_SFF_MAX, data: Uint8Array.from(data), ...stripUndefined(opts) };
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Upper-case hex of the payload, no separators ('' for no data). */
export function dataHex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex').toUpperCase();
}

/** Parse hex ('0A1b', '0a.1b', '0a 1b') into bytes; CanFrameError for odd length or non-hex. */
export function hexData(hex: string, where: string): Uint8Array {
  const clean = hex.replace(/[.\s]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new CanFrameError(`bad payload hex '${hex}'`, where);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** candump-style id text: 3 hex digits for 11-bit, 8 for 29-bit. */
export function idText(frame: Pick<CanFrame, 'id' | 'extended'>): string {
  return frame.id
    .toString(16)
    .toUpperCase()
    .padStart(frame.extended ? 8 : 3, '0');
}

/** Short human form: '1826F456#010100', '123#R', '123##1AABB'. */
export function frameText(frame: CanFrame): string {
  if (frame.error) return `${(frame.id | CAN_ERR_FLAG).toString(16).toUpperCase().padStart(8, '0')}#${dataHex(frame.data)}`;
  if (frame.fd) return `${idText(frame)}##${fdFlags(frame).toString(16).toUpperCase()}${dataHex(frame.data)}`;
  if (frame.rtr) return `${idText(frame)}#R${frame.data.length ? frame.data.length : ''}`;
  return `${idText(frame)}#${dataHex(frame.data)}`;
}

/** The canfd_frame flags byte: BRS 0x1, ESI 0x2, FDF 0x4. */
export function fdFlags(frame: CanFrame): number {
  return (frame.brs ? 1 : 0) | (frame.esi ? 2 : 0) | (frame.fd ? 4 : 0);
}

export function sameFrame(a: CanFrame, b: CanFrame): boolean {
  return (
    a.id === b.id &&
    a.extended === b.extended &&
    !!a.fd === !!b.fd &&
    !!a.rtr === !!b.rtr &&
    !!a.error === !!b.error &&
    a.data.length === b.data.length &&
    a.data.every((x, i) => x === b.data[i])
  );
}
