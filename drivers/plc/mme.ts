// HomePlug AV / Green PHY management message (MME) framing: the Ethernet header with EtherType 0x88E1,
// then MMV (version), MMTYPE (little-endian; its two low bits say REQ/CNF/IND/RSP) and, from MMV 1 on,
// the fragment fields FMI and FMSN. The MMEs SLAC uses (ISO 15118-3) are never fragmented.

import { InputError } from '../core/errors.ts';
import { placeBytes } from './bytes.ts';

export const ETHERTYPE_HOMEPLUG_AV = 0x88e1;
/** An Ethernet frame is at least 60 bytes without FCS: shorter MMEs are padded. */
export const MIN_FRAME_BYTES = 60;
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
/** Every HomePlug AV modem answers MMEs to this address on its host interface ("local modem"). */
export const LOCAL_MODEM_MAC = '00:b0:52:00:00:01';

export class MmeDecodeError extends InputError {
  override name = 'MmeDecodeError';
}

/** Base MMTYPE of each message pair; the variant adds 0 REQ, 1 CNF, 2 IND, 3 RSP. */
export const MMTYPE = {
  CM_SET_KEY: 0x6008,
  CM_NW_INFO: 0x6038,
  CM_SLAC_PARM: 0x6064,
  CM_START_ATTEN_CHAR: 0x6068,
  CM_ATTEN_CHAR: 0x606c,
  CM_MNBC_SOUND: 0x6074,
  CM_SLAC_MATCH: 0x607c,
  CM_ATTEN_PROFILE: 0x6084,
} as const;

export type MmeVariant = 'REQ' | 'CNF' | 'IND' | 'RSP';
const VARIANTS: MmeVariant[] = ['REQ', 'CNF', 'IND', 'RSP'];

export function mmtypeOf(base: number, variant: MmeVariant): number {
  return base | VARIANTS.indexOf(variant);
}

/** 'CM_SLAC_PARM.CNF' for 0x6065; 'MMTYPE 0xa038' for types we do not know. */
export function mmtypeName(mmtype: number): string {
  const base = mmtype & ~3;
  const name = Object.entries(MMTYPE).find(([, v]) => v === base)?.[0];
  return name ? `${name}.${VARIANTS[mmtype & 3]}` : `MMTYPE 0x${mmtype.toString(16).padStart(4, '0')}`;
}

export interface MmeHeader {
  dst: string;
  src: string;
  /** 1 for HomePlug AV 1.1 / Green PHY (with FMI/FMSN), 0 for AV 1.0. */
  mmv: number;
  mmtype: number;
  /** Fragment management (MMV ≥ 1): 0 for an unfragmented MME. */
  fmi?: number;
  fmsn?: number;
}

export function macToString(b: Buffer, at = 0): string {
  return Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function macToBytes(mac: string): Buffer {
  const m = /^([0-9a-f]{2})(?::([0-9a-f]{2})){5}$/i.test(mac) ? Buffer.from(mac.replace(/:/g, ''), 'hex') : undefined;
  if (!m) throw new InputError(`'${mac}' is not a MAC address (six hex pairs separated by ':')`);
  return m;
}

/** Header length in bytes for a version (Ethernet 14 + MMV 1 + MMTYPE 2 + FMI/FMSN 2 from MMV 1). */
export function headerBytes(mmv: number): number {
  return mmv === 0 ? 17 : 19;
}

export function decodeHeader(frame: Buffer): MmeHeader {
  if (frame.length < 17) throw new MmeDecodeError(`frame of ${frame.length} bytes is shorter than an MME header`);
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const ethertype = b.readUInt16BE(12);
  if (ethertype !== ETHERTYPE_HOMEPLUG_AV) throw new MmeDecodeError(`EtherType 0x${ethertype.toString(16)} is not HomePlug AV (0x88e1)`);
  const mmv = b[14];
  const h: MmeHeader = { dst: macToString(b, 0), src: macToString(b, 6), mmv, mmtype: b.readUInt16LE(15) };
  if (mmv !== 0) {
    if (frame.length < 19) throw new MmeDecodeError(`MMV ${mmv} frame of ${frame.length} bytes lacks FMI/FMSN`);
    h.fmi = b[17];
    h.fmsn = b[18];
  }
  return h;
}

export function encodeHeader(h: MmeHeader): Buffer {
  const b = Buffer.alloc(headerBytes(h.mmv));
  placeBytes(b, macToBytes(h.dst), 0);
  placeBytes(b, macToBytes(h.src), 6);
  b.writeUInt16BE(ETHERTYPE_HOMEPLUG_AV, 12);
  b[14] = h.mmv;
  b.writeUInt16LE(h.mmtype, 15);
  if (h.mmv !== 0) {
    b[17] = h.fmi ?? 0;
    b[18] = h.fmsn ?? 0;
  }
  return b;
}
