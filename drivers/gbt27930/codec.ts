// Table-driven GB/T 27930 codec. Encode strictly (standard length, unused/reserved/optional bits all 1,
// values range-checked); decode tolerantly (DLC padding, short CCS/BRM/BCS, 0-filled reserved bits),
// with a typed error saying which message and which field was unusable.

import { InputError } from '../core/errors.ts';
import { allOnes, fieldEnd, readBits, writeBits, type FieldDef, type NumField } from './fields.ts';
import { MESSAGE_BY_PGN, messageDef, type GbtCode, type GbtMessageMap, type MessageDef } from './messages.ts';

/** A GB/T frame or reassembled message that cannot be decoded. */
export class GbtDecodeError extends InputError {
  override name = 'GbtDecodeError';
}

/** A value the caller asked us to encode does not fit the standard's field. */
export class GbtEncodeError extends InputError {
  override name = 'GbtEncodeError';
}

export interface EncodeOptions {
  /** Override the encoded length (BRM 41 for vehicles that follow Table 3; CCS 7 as many chargers send). */
  length?: number;
}

type Values = Record<string, unknown>;

export function encodeMessage<K extends GbtCode>(code: K, values: GbtMessageMap[K], opts: EncodeOptions = {}): Uint8Array {
  const def = messageDef(code);
  const v = values as unknown as Values;
  let length = opts.length ?? def.length;
  if (def.variable) {
    const arr = def.fields[0];
    if (arr.kind === 'array') {
      const items = (v[arr.name] as unknown[] | undefined) ?? [];
      if (items.length > arr.maxItems)
        throw new GbtEncodeError(`${items.length} items exceed the maximum of ${arr.maxItems}`, `${code}.${arr.name}`);
      length = opts.length ?? items.length * arr.itemBytes;
    }
  }
  if (length < def.minLength) throw new GbtEncodeError(`length ${length} is shorter than the minimum ${def.minLength}`, code);
  const out = new Uint8Array(length).fill(0xff);
  for (const f of def.fields) {
    if (f.kind !== 'array' && fieldEnd(f) > length) {
      if (!f.optional) throw new GbtEncodeError(`length ${length} cuts off required field '${f.name}'`, code);
      continue;
    }
    encodeField(out, f, v[f.name], `${code}.${f.name}`);
  }
  return out;
}

function encodeField(out: Uint8Array, f: FieldDef, value: unknown, where: string): void {
  switch (f.kind) {
    case 'num':
      return encodeNum(out, (f.byte - 1) * 8 + (f.bit ?? 0), f, value, where);
    case 'ascii': {
      if (value === undefined) return;
      if (typeof value !== 'string') throw new GbtEncodeError(`expects a string, got ${typeof value}`, where);
      if (value.length > f.length || !/^[\x20-\x7e]*$/.test(value))
        throw new GbtEncodeError(`'${value}' is not printable ASCII of at most ${f.length} characters`, where);
      // Shorter strings keep the 0xFF fill after them.
      for (let i = 0; i < value.length; i++) out[f.byte - 1 + i] = value.charCodeAt(i);
      return;
    }
    case 'bytes': {
      if (value === undefined) return;
      if (!(value instanceof Uint8Array) || value.length > f.length) throw new GbtEncodeError(`expects at most ${f.length} bytes`, where);
      out.set(value, f.byte - 1);
      return;
    }
    case 'bcd-time': {
      if (value === undefined) return;
      const t = value as { second: number; minute: number; hour: number; day: number; month: number; year: number };
      const parts = [t.second, t.minute, t.hour, t.day, t.month, Math.floor(t.year / 100), t.year % 100];
      parts.forEach((p, i) => {
        if (!Number.isInteger(p) || p < 0 || p > 99) throw new GbtEncodeError(`time part ${i + 1} = ${p} is not 0..99`, where);
        out[f.byte - 1 + i] = ((Math.floor(p / 10) << 4) | (p % 10)) & 0xff;
      });
      return;
    }
    case 'array': {
      const items = (value as Values[] | undefined) ?? [];
      items.forEach((item, k) => {
        for (const sub of f.item) {
          const start = (f.byte - 1 + k * f.itemBytes + sub.byte - 1) * 8 + (sub.bit ?? 0);
          encodeNum(out, start, sub, item[sub.name], `${where}[${k}].${sub.name}`);
        }
      });
      return;
    }
  }
}

function encodeNum(out: Uint8Array, start: number, f: NumField, value: unknown, where: string): void {
  if (value === undefined) {
    if (f.optional) return; // not sent: stays all ones
    throw new GbtEncodeError('is required', where);
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new GbtEncodeError(`expects a finite number, got ${String(value)}`, where);
  const raw = Math.round((value - (f.offset ?? 0)) / (f.scale ?? 1));
  // All ones means "not available" for optional fields: a real value must stay below it.
  const max = allOnes(f.bits) - (f.optional ? 1 : 0);
  if (raw < 0 || raw > max) throw new GbtEncodeError(`${value}${f.unit ?? ''} is outside the field's range (raw ${raw}, 0..${max})`, where);
  writeBits(out, start, f.bits, raw);
}

export function decodeMessage<K extends GbtCode>(code: K, data: Uint8Array, where = code as string): GbtMessageMap[K] {
  return decodeWith(messageDef(code), data, where) as unknown as GbtMessageMap[K];
}

function decodeWith(def: MessageDef, data: Uint8Array, where: string): Values {
  if (data.length < def.minLength) throw new GbtDecodeError(`${def.code} needs at least ${def.minLength} bytes, got ${data.length}`, where);
  const out: Values = {};
  for (const f of def.fields) {
    if (f.kind === 'array') {
      const n = Math.min(f.maxItems, Math.floor((data.length - (f.byte - 1)) / f.itemBytes));
      const items: Values[] = [];
      for (let k = 0; k < n; k++) {
        const item: Values = {};
        for (const sub of f.item) item[sub.name] = decodeNum(data, (f.byte - 1 + k * f.itemBytes + sub.byte - 1) * 8 + (sub.bit ?? 0), sub);
        items.push(item);
      }
      out[f.name] = items;
      continue;
    }
    if (fieldEnd(f) > data.length) {
      if (f.optional) continue;
      throw new GbtDecodeError(`${def.code} field '${f.name}' is cut off (${data.length} bytes)`, where);
    }
    out[f.name] = decodeField(data, f, `${where} ${def.code}.${f.name}`);
  }
  return out;
}

function decodeField(data: Uint8Array, f: Exclude<FieldDef, { kind: 'array' }>, where: string): unknown {
  switch (f.kind) {
    case 'num':
      return decodeNum(data, (f.byte - 1) * 8 + (f.bit ?? 0), f);
    case 'ascii': {
      const bytes = data.subarray(f.byte - 1, f.byte - 1 + f.length);
      // Devices pad ASCII with 0xFF (the fill rule) or 0x00: both end the string.
      let end = bytes.findIndex((b) => b === 0xff || b === 0x00);
      if (end < 0) end = bytes.length;
      if (end === 0 && f.optional) return undefined;
      return String.fromCharCode(...bytes.subarray(0, end));
    }
    case 'bytes': {
      const bytes = data.slice(f.byte - 1, f.byte - 1 + f.length);
      if (f.optional && bytes.every((b) => b === 0xff)) return undefined;
      return bytes;
    }
    case 'bcd-time': {
      const bytes = data.subarray(f.byte - 1, f.byte + 6);
      if (bytes.every((b) => b === 0xff)) return undefined; // charger does not provide the time
      const d = [...bytes].map((b, i) => {
        const hi = b >> 4;
        const lo = b & 15;
        if (hi > 9 || lo > 9) throw new GbtDecodeError(`byte ${f.byte + i} = 0x${b.toString(16)} is not BCD`, where);
        return hi * 10 + lo;
      });
      return { second: d[0], minute: d[1], hour: d[2], day: d[3], month: d[4], year: d[5] * 100 + d[6] };
    }
  }
}

function decodeNum(data: Uint8Array, start: number, f: NumField): number | undefined {
  const raw = readBits(data, start, f.bits);
  if (f.optional && raw === allOnes(f.bits)) return undefined;
  const v = raw * (f.scale ?? 1) + (f.offset ?? 0);
  // Scaled values like 0.1 × 3861 must print as 386.1, not 386.09999999999997.
  return f.scale !== undefined && !Number.isInteger(f.scale) ? Math.round(v * 1e6) / 1e6 : v;
}

/** A decoded GB/T message of any code (discriminated by `code`). */
export type GbtMessage = { [K in GbtCode]: { code: K; values: GbtMessageMap[K] } }[GbtCode];

/** Decode by PGN (a reassembled TP payload or a single frame's data); undefined for a PGN that is not GB/T. */
export function decodeByPgn(pgn: number, data: Uint8Array, where?: string): GbtMessage | undefined {
  const def = MESSAGE_BY_PGN.get(pgn);
  if (!def) return undefined;
  return { code: def.code, values: decodeWith(def, data, where ?? def.code) } as GbtMessage;
}
