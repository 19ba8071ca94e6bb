// Field descriptors of the GB/T 27930 byte layouts and the bit-level read/write they share.
// Byte numbers are 1-based as printed in the standard; bits are numbered from the least-significant bit
// of a little-endian integer that starts at `byte` ("bits 1–2" of the standard = bit 0, width 2).

export interface NumField {
  kind: 'num';
  name: string;
  byte: number;
  /** First bit (0-based, LSB first) inside the little-endian integer starting at `byte`. */
  bit?: number;
  bits: number;
  /** physical = raw × scale + offset. */
  scale?: number;
  offset?: number;
  /** May be absent (short frame) or "not sent" (all ones): decodes to undefined, encodes as all ones. */
  optional?: boolean;
  unit?: string;
}

export interface AsciiField {
  kind: 'ascii';
  name: string;
  byte: number;
  length: number;
  optional?: boolean;
}

export interface BytesField {
  kind: 'bytes';
  name: string;
  byte: number;
  length: number;
  optional?: boolean;
}

/** CTS time: compressed BCD sec, min, hour, day, month, year (2 bytes, century first). */
export interface BcdTimeField {
  kind: 'bcd-time';
  name: string;
  byte: number;
  optional?: boolean;
}

/** A repeated record filling the rest of a variable-length message (BMV cells, BMT probes, BSP bytes). */
export interface ArrayField {
  kind: 'array';
  name: string;
  byte: number;
  itemBytes: number;
  maxItems: number;
  /** Sub-fields of one item; their `byte` is 1-based inside the item. */
  item: NumField[];
}

export type FieldDef = NumField | AsciiField | BytesField | BcdTimeField | ArrayField;

/** Last byte (1-based) a fixed field occupies. */
export function fieldEnd(f: FieldDef): number {
  switch (f.kind) {
    case 'num':
      return f.byte + Math.ceil(((f.bit ?? 0) + f.bits) / 8) - 1;
    case 'ascii':
    case 'bytes':
      return f.byte + f.length - 1;
    case 'bcd-time':
      return f.byte + 6;
    case 'array':
      return f.byte - 1;
  }
}

/** Read `width` bits LSB-first starting at absolute bit `start` of a little-endian byte string. */
export function readBits(data: Uint8Array, start: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) {
    const b = start + i;
    v = v * 2 + ((data[b >> 3] >> (b & 7)) & 1);
  }
  return v;
}

/** Write `width` bits of `value` LSB-first starting at absolute bit `start` (value must fit). */
export function writeBits(data: Uint8Array, start: number, width: number, value: number): void {
  let v = value;
  for (let i = 0; i < width; i++) {
    const b = start + i;
    const bit = v % 2;
    v = Math.floor(v / 2);
    if (bit) data[b >> 3] |= 1 << (b & 7);
    else data[b >> 3] &= ~(1 << (b & 7)) & 0xff;
  }
}

export function allOnes(bits: number): number {
  return 2 ** bits - 1;
}

// ---- builders the message tables are written with (they keep one field to one short call) ----

/** An unsigned integer of `bytes` whole bytes: physical = raw × scale + offset. */
export function uint(name: string, byte: number, bytes: number, scale = 1, offset = 0, unit?: string, optional?: boolean): NumField {
  return { kind: 'num', name, byte, bits: bytes * 8, scale, offset, unit, optional };
}

export function volt(name: string, byte: number, scale = 0.1): NumField {
  return uint(name, byte, 2, scale, 0, 'V');
}

/** Current: 0.1 A/bit, −400 A offset, charging negative on the wire → positive here. */
export function amp(name: string, byte: number): NumField {
  return uint(name, byte, 2, -0.1, 400, 'A');
}

export function temp(name: string, byte: number): NumField {
  return uint(name, byte, 1, 1, -50, '°C');
}

/** A 2-bit status field; `bit` is 0-based within the byte ("bits 1–2" → 0). */
export function status2(name: string, byte: number, bit: number): NumField {
  return { kind: 'num', name, byte, bit, bits: 2 };
}

/** 2-bit status fields packed from `firstByte` on: one row of names per byte, at bits 1–2, 3–4, 5–6, 7–8. */
export function statusBytes(firstByte: number, rows: readonly (readonly string[])[]): NumField[] {
  return rows.flatMap((names, i) => names.map((name, j) => status2(name, firstByte + i, 2 * j)));
}
