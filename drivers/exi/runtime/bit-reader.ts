// Bit-packed EXI reader (W3C EXI 1.0 §7, alignment bit-packed). Every read checks the remaining
// bits first and every length is checked against what is left BEFORE anything is allocated, so a
// hostile stream can neither hang the decoder nor make it allocate without bound.

import { ExiDecodeError } from '../errors.ts';
import type { PendingDeviation } from '../deviations.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

export class BitReader {
  pos: number;
  readonly end: number;
  /** String table (§7.3.3): global value partition and one local partition per qname id. */
  private readonly globalValues: string[] = [];
  private readonly localValues: string[][] = [];
  /** Second pass (see ../deviations.ts): decode a repetition at maxOccurs with the C encoders' LOOP grammar. */
  lenient = false;
  /** Set when a strict pass went through a repetition at maxOccurs (only then is a lenient pass worth trying). */
  reachedMaxOccurs = false;
  readonly deviations: PendingDeviation[] = [];

  constructor(
    readonly buf: Uint8Array,
    bitOffset = 0,
  ) {
    this.pos = bitOffset;
    this.end = buf.length * 8;
  }

  fail(reason: string, state: string): never {
    // The error is about the input (bit position + grammar state say where), not about our call stack.
    // Capturing a stack costs ~20x more than the rest of rejecting a hostile stream, so none is taken.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let e: ExiDecodeError;
    try {
      e = new ExiDecodeError(reason, this.pos, state);
    } finally {
      Error.stackTraceLimit = limit;
    }
    throw e;
  }

  /** n-bit unsigned integer, MSB first; n ≤ 31. */
  bits(n: number, state: string): number {
    if (this.pos + n > this.end) this.fail(`stream ends, ${n} more bit(s) needed`, state);
    let v = 0;
    let pos = this.pos;
    const buf = this.buf;
    while (n > 0) {
      const off = pos & 7;
      const avail = 8 - off;
      const take = n < avail ? n : avail;
      v = (v << take) | ((buf[pos >>> 3] >>> (avail - take)) & ((1 << take) - 1));
      pos += take;
      n -= take;
    }
    this.pos = pos;
    return v >>> 0;
  }

  /** Unsigned integer (§7.1.6): 7-bit groups, least significant first; must fit a safe integer. */
  uint(state: string): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.bits(8, state);
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (v > MAX_SAFE) this.fail('unsigned integer beyond 2^53', state);
        return v;
      }
      mul *= 128;
    }
    return this.fail('unsigned integer too long', state);
  }

  /** Unsigned integer of any size up to maxOctets 7-bit groups, as bigint. */
  ubig(maxOctets: number, state: string): bigint {
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < maxOctets; i++) {
      const b = this.bits(8, state);
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
    return this.fail(`unsigned integer longer than ${maxOctets} octets`, state);
  }

  /** Unsigned integer no larger than max (the built-in type's range). */
  uintMax(max: number, state: string): number {
    const v = this.uint(state);
    if (v > max) this.fail(`value ${v} above ${max}`, state);
    return v;
  }

  /** Enumeration (§7.2): index into the schema's value list. */
  enumerated(values: readonly string[], nbits: number, state: string): string {
    const i = this.bits(nbits, state);
    if (i >= values.length) this.fail(`enumeration index ${i} beyond ${values.length - 1}`, state);
    return values[i];
  }

  /** Event code that is not a declared production: c == n is the escape to undeclared productions. */
  badCode(c: number, declared: number, state: string): never {
    return this.fail(
      c === declared ? 'undeclared (second-level) event: not produced by V2G codecs and not supported' : `event code ${c} not defined (${declared} productions)`,
      state,
    );
  }

  /**
   * Event code of a state whose bounded repetition has reached maxOccurs; returns the strict code.
   * Strict: strictBits wide. Lenient: the peer kept the LOOP production (code loopCode of fullBits), so
   * read that wide code, refuse the item beyond maxOccurs, and map the rest onto the strict codes.
   */
  codeAtMaxOccurs(
    strictBits: number,
    fullBits: number,
    loopCode: number,
    repeated: string,
    maxOccurs: number,
    owner: object,
    state: string,
  ): number {
    if (!this.lenient) {
      this.reachedMaxOccurs = true;
      return this.bits(strictBits, state);
    }
    const at = this.pos;
    const found = this.bits(fullBits, state);
    if (found === loopCode) this.fail(`more than ${maxOccurs} ${repeated} (maxOccurs)`, state);
    const code = found > loopCode ? found - 1 : found;
    if (code !== found || strictBits !== fullBits) {
      const expected = { bits: strictBits, code };
      const kind = 'loop-end-after-maxOccurs';
      this.deviations.push({ kind, repeated, maxOccurs, state, bitPosition: at, expected, found: { bits: fullBits, code: found }, owner });
    }
    return code;
  }

  /** CH then value then EE of an element with a simple type: both events are 1-bit codes that must be 0. */
  simpleStart(state: string): void {
    if (this.bits(1, state) !== 0) this.fail('undeclared event instead of the character content of a simple element', state);
  }
  simpleEnd(state: string): void {
    if (this.bits(1, state) !== 0) this.fail('undeclared event instead of the end of a simple element', state);
  }

  /** Unsigned integer as a JSON value: a number up to 2^53 - 1, a decimal string beyond. */
  ulong(max: bigint, maxOctets: number, state: string): number | string {
    const v = this.ubig(maxOctets, state);
    if (v > max) this.fail(`value ${v} above ${max}`, state);
    return v <= BigInt(MAX_SAFE) ? Number(v) : v.toString();
  }

  /** Signed integer (§7.1.5): sign bit, then the magnitude (negative values store -v - 1). */
  int(min: number, max: number, state: string): number {
    const neg = this.bits(1, state);
    const m = this.uint(state);
    const v = neg ? -m - 1 : m;
    if (v < min || v > max) this.fail(`value ${v} outside ${min}..${max}`, state);
    return v;
  }

  /** Signed integer of any size as a JSON value (number when safe, decimal string beyond). */
  intBig(min: bigint | undefined, max: bigint | undefined, maxOctets: number, state: string): number | string {
    const neg = this.bits(1, state);
    const m = this.ubig(maxOctets, state);
    const v = neg ? -m - 1n : m;
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) this.fail(`value ${v} out of range`, state);
    return v >= -BigInt(MAX_SAFE) && v <= BigInt(MAX_SAFE) ? Number(v) : v.toString();
  }

  /** Length-prefixed octets (hexBinary / base64Binary, §7.1.1). */
  private octets(maxLength: number, state: string): Uint8Array {
    const n = this.uint(state);
    if (n > maxLength) this.fail(`binary length ${n} above ${maxLength}`, state);
    if (this.pos + n * 8 > this.end) this.fail(`binary length ${n} runs past the end of the stream`, state);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.bits(8, state);
    return out;
  }

  hex(maxLength: number, state: string): string {
    const b = this.octets(maxLength, state);
    let s = '';
    for (let i = 0; i < b.length; i++) s += HEX[b[i]];
    return s;
  }

  base64(maxLength: number, state: string): string {
    return Buffer.from(this.octets(maxLength, state)).toString('base64');
  }

  /** String value (§7.1.10 + string table §7.3.3): 0 = local hit, 1 = global hit, else length + 2. */
  string(qnameId: number, maxLength: number, state: string): string {
    const code = this.uint(state);
    const local = (this.localValues[qnameId] ??= []);
    if (code === 0) {
      if (local.length === 0) this.fail('local string-table hit with an empty table', state);
      const i = this.bits(bitsFor(local.length), state);
      if (i >= local.length) this.fail(`local string-table index ${i} out of range`, state);
      return local[i];
    }
    if (code === 1) {
      const g = this.globalValues;
      if (g.length === 0) this.fail('global string-table hit with an empty table', state);
      const i = this.bits(bitsFor(g.length), state);
      if (i >= g.length) this.fail(`global string-table index ${i} out of range`, state);
      return g[i];
    }
    const n = code - 2;
    if (n > maxLength) this.fail(`string length ${n} above ${maxLength}`, state);
    // Each character takes at least 8 bits.
    if (this.pos + n * 8 > this.end) this.fail(`string length ${n} runs past the end of the stream`, state);
    let s = '';
    for (let i = 0; i < n; i++) {
      const cp = this.uint(state);
      if (cp > 0x10ffff) this.fail(`character code ${cp} is not Unicode`, state);
      s += String.fromCodePoint(cp);
    }
    if (n > 0) {
      local.push(s);
      this.globalValues.push(s);
    }
    return s;
  }
}

export function bitsFor(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}
