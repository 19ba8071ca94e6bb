// Codec for the MMEs of SLAC (ISO 15118-3 / HomePlug Green PHY) and the two local-modem MMEs the vehicle
// uses around it (CM_SET_KEY, CM_NW_INFO). Each message is a declared field layout, so decoding and
// encoding cannot drift apart. Decode tolerantly (unknown trailing bytes are kept as `padding`, so a frame
// re-encodes byte-exact), encode strictly (field widths and counts are checked).

import { InputError } from '../core/errors.ts';
import { concatBytes } from './bytes.ts';
import {
  decodeHeader,
  encodeHeader,
  headerBytes,
  macToBytes,
  macToString,
  MIN_FRAME_BYTES,
  MmeDecodeError,
  MMTYPE,
  mmtypeName,
  mmtypeOf,
  type MmeHeader,
  type MmeVariant,
} from './mme.ts';

type FieldType = 'u8' | 'u16le' | 'mac' | { hex: number } | { bytesCountedBy: string } | { listCountedBy: string; of: Layout };
type Layout = ReadonlyArray<readonly [name: string, type: FieldType]>;
export type FieldValue = number | string | number[] | MmeFields[];
export type MmeFields = { [name: string]: FieldValue };

const u8 = 'u8';
const mac = 'mac';
const hex = (n: number) => ({ hex: n });
const app: Layout = [
  ['applicationType', u8],
  ['securityType', u8],
];
const aag: Layout = [
  ['numGroups', u8],
  ['aag', { bytesCountedBy: 'numGroups' }],
];
const nonces: Layout = [
  ['myNonce', hex(4)],
  ['yourNonce', hex(4)],
  ['pid', u8],
  ['prn', 'u16le'],
  ['pmn', u8],
  ['ccoCapability', u8],
];
const matchIds: Layout = [
  ...app,
  ['mvfLength', 'u16le'],
  ['pevId', hex(17)],
  ['pevMac', mac],
  ['evseId', hex(17)],
  ['evseMac', mac],
  ['runId', hex(8)],
  ['reserved', hex(8)],
];
const attenIds: Layout = [...app, ['sourceAddress', mac], ['runId', hex(8)], ['sourceId', hex(17)], ['respId', hex(17)]];
const network: Layout = [
  ['nid', hex(7)],
  ['snid', u8],
  ['tei', u8],
  ['stationRole', u8],
  ['ccoMac', mac],
  ['access', u8],
  ['numCoordNetworks', u8],
];

/** Layouts by message name (from HomePlug GP 1.1 and ISO 15118-3 Annex A, field order as there). */
const LAYOUTS: Record<string, Layout> = {
  'CM_SET_KEY.REQ': [['keyType', u8], ...nonces, ['nid', hex(7)], ['newEks', u8], ['newKey', hex(16)]],
  'CM_SET_KEY.CNF': [['result', u8], ...nonces],
  'CM_NW_INFO.REQ': [],
  'CM_NW_INFO.CNF': [
    ['numNetworks', u8],
    ['networks', { listCountedBy: 'numNetworks', of: network }],
  ],
  'CM_SLAC_PARM.REQ': [...app, ['runId', hex(8)]],
  'CM_SLAC_PARM.CNF': [
    ['msoundTarget', mac],
    ['numSounds', u8],
    ['timeOut', u8],
    ['respType', u8],
    ['forwardingSta', mac],
    ...app,
    ['runId', hex(8)],
  ],
  'CM_START_ATTEN_CHAR.IND': [...app, ['numSounds', u8], ['timeOut', u8], ['respType', u8], ['forwardingSta', mac], ['runId', hex(8)]],
  'CM_MNBC_SOUND.IND': [...app, ['senderId', hex(17)], ['cnt', u8], ['runId', hex(8)], ['reserved', hex(8)], ['rnd', hex(16)]],
  'CM_ATTEN_PROFILE.IND': [
    ['pevMac', mac],
    ['numGroups', u8],
    ['reserved', u8],
    ['aag', { bytesCountedBy: 'numGroups' }],
  ],
  'CM_ATTEN_CHAR.IND': [...attenIds, ['numSounds', u8], ...aag],
  'CM_ATTEN_CHAR.RSP': [...attenIds, ['result', u8]],
  'CM_SLAC_MATCH.REQ': matchIds,
  'CM_SLAC_MATCH.CNF': [...matchIds, ['nid', hex(7)], ['reserved2', u8], ['nmk', hex(16)]],
};

export interface SlacMessage {
  /** 'CM_SLAC_PARM.REQ', … */
  name: string;
  header: MmeHeader;
  fields: MmeFields;
  /** Bytes after the message that are not plain zero padding to 60 bytes (hex), kept for byte-exact re-encoding. */
  padding?: string;
}

export function isKnownMessage(name: string): boolean {
  return name in LAYOUTS;
}

/** Decode one Ethernet frame holding an MME of the list above; MmeDecodeError for anything else. */
export function decodeSlac(frame: Buffer): SlacMessage {
  const header = decodeHeader(frame);
  const name = mmtypeName(header.mmtype);
  const layout = LAYOUTS[name];
  if (!layout) throw new MmeDecodeError(`${name} is not a SLAC or local-modem MME this codec knows`, `frame from ${header.src}`);
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const fields: MmeFields = {};
  const end = readLayout(b, headerBytes(header.mmv), layout, fields, name);
  const msg: SlacMessage = { name, header, fields };
  const rest = b.subarray(end);
  const plainPadding = rest.every((x) => x === 0) && b.length === Math.max(MIN_FRAME_BYTES, end);
  if (!plainPadding) msg.padding = rest.toString('hex');
  return msg;
}

/** Encode a message; header fields default to an unfragmented MMV 1 MME. */
export function encodeSlac(msg: {
  name: string;
  header: Omit<MmeHeader, 'mmtype' | 'mmv'> & { mmv?: number };
  fields: MmeFields;
  padding?: string;
}): Buffer {
  const layout = LAYOUTS[msg.name];
  if (!layout) throw new InputError(`cannot encode '${msg.name}': not a SLAC or local-modem MME this codec knows`);
  const [pair, variant] = msg.name.split('.') as [keyof typeof MMTYPE, MmeVariant];
  const head = encodeHeader({ ...msg.header, mmv: msg.header.mmv ?? 1, mmtype: mmtypeOf(MMTYPE[pair], variant) });
  const body = concatBytes([head, ...writeLayout(layout, msg.fields, msg.name)]);
  if (msg.padding !== undefined) return concatBytes([body, Buffer.from(msg.padding, 'hex')]);
  return body.length >= MIN_FRAME_BYTES ? body : concatBytes([body, Buffer.alloc(MIN_FRAME_BYTES - body.length)]);
}

function readLayout(b: Buffer, at: number, layout: Layout, out: MmeFields, where: string): number {
  for (const [name, type] of layout) {
    const need = typeof type === 'object' && 'listCountedBy' in type ? 0 : widthOf(type, out);
    if (at + need > b.length) throw new MmeDecodeError(`frame ends at byte ${b.length} inside field '${name}'`, where);
    if (type === 'u8') out[name] = b[at];
    else if (type === 'u16le') out[name] = b.readUInt16LE(at);
    else if (type === 'mac') out[name] = macToString(b, at);
    else if ('hex' in type) out[name] = b.subarray(at, at + type.hex).toString('hex');
    else if ('bytesCountedBy' in type) out[name] = Array.from(b.subarray(at, at + need));
    else {
      const items: MmeFields[] = [];
      for (let i = 0; i < (out[type.listCountedBy] as number); i++) {
        const item: MmeFields = {};
        at = readLayout(b, at, type.of, item, `${where} ${name}[${i}]`);
        items.push(item);
      }
      out[name] = items;
    }
    at += need;
  }
  return at;
}

function widthOf(type: FieldType, fields: MmeFields): number {
  if (type === 'u8') return 1;
  if (type === 'u16le') return 2;
  if (type === 'mac') return 6;
  if ('hex' in type) return type.hex;
  if ('bytesCountedBy' in type) return fields[type.bytesCountedBy] as number;
  return 0;
}

function writeLayout(layout: Layout, fields: MmeFields, where: string): Buffer[] {
  const parts: Buffer[] = [];
  for (const [name, type] of layout) {
    const v = fields[name];
    const bad = (what: string) => new InputError(`${where} field '${name}': ${what}, got ${JSON.stringify(v)}`);
    if (type === 'u8' || type === 'u16le') {
      const max = type === 'u8' ? 0xff : 0xffff;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw bad(`needs an integer 0…${max}`);
      const p = Buffer.alloc(type === 'u8' ? 1 : 2);
      if (type === 'u8') p[0] = v;
      else p.writeUInt16LE(v);
      parts.push(p);
    } else if (type === 'mac') {
      if (typeof v !== 'string') throw bad('needs a MAC address');
      parts.push(macToBytes(v));
    } else if ('hex' in type) {
      if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${type.hex * 2}}$`, 'i').test(v)) throw bad(`needs ${type.hex} bytes as hex`);
      parts.push(Buffer.from(v, 'hex'));
    } else if ('bytesCountedBy' in type) {
      if (!Array.isArray(v) || v.length !== fields[type.bytesCountedBy]) throw bad(`needs ${String(fields[type.bytesCountedBy])} bytes`);
      parts.push(Buffer.from(v as number[]));
    } else {
      if (!Array.isArray(v) || v.length !== fields[type.listCountedBy]) throw bad(`needs ${String(fields[type.listCountedBy])} entries`);
      for (const item of v as MmeFields[]) parts.push(...writeLayout(type.of, item, `${where} ${name}`));
    }
  }
  return parts;
}
