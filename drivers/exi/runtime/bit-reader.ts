// EXI values from a bit-packed stream (W3C EXI 1.0 §7): integers, strings with the string table,
// binary, enumerations, the simple-element shortcuts the generated decoders use, and the lenient
// reading of libcbv2g's LOOP streams. Every length is checked against what is left BEFORE anything is
// allocated, so a hostile stream can neither hang the decoder nor make it allocate without bound.

import { BitInput } from './bit-input.ts';
import type { PendingDeviation } from '../deviations.ts';
import { hexString } from './hex.ts';
import { asciiString } from './ascii.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);

export class BitReader extends BitInput {
  /** String table (§7.3.3): global value partition and one local partition per qname id (made on the first string). */
  private globalValues: string[] | undefined;
  private localValues: string[][] | undefined;
  /** Second pass (see ../deviations.ts): decode a repetition at maxOccurs with the C encoders' LOOP grammar. */
  lenient = false;
  /** Set when a strict pass went through a repetition at maxOccurs (only then is a lenient pass worth trying). */
  reachedMaxOccurs = false;
  private pending: PendingDeviation[] | undefined;

  /** Deviations the lenient pass accepted, in stream order. */
  get deviations(): readonly PendingDeviation[] {
    return this.pending ?? [];
  }

  /** Unsigned integer (§7.1.6): 7-bit groups, least significant first; must fit a safe integer. */
  uint(state: string): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.octet(state);
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (v > MAX_SAFE) this.fail('unsigned integer beyond 2^53', state);
        return v;
      }
      mul *= 128;
    }
    return this.fail('unsigned integer too long', state);
  }

  /**
   * Unsigned integer of any size up to maxOctets 7-bit groups: a plain number while it has at most 7
   * groups (49 bits, exact in a double), a bigint only beyond.
   */
  unsignedAny(maxOctets: number, state: string): number | bigint {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < maxOctets; i++) {
      const b = this.octet(state);
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      if (i === 6) return this.ubigTail(BigInt(v), maxOctets - 7, state);
      mul *= 128;
    }
    return this.fail(`unsigned integer longer than ${maxOctets} octets`, state);
  }

  /** The groups after the first seven (shift 49), as bigint. */
  private ubigTail(v: bigint, maxOctets: number, state: string): bigint {
    let shift = 49n;
    for (let i = 0; i < maxOctets; i++) {
      const b = this.octet(state);
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
    return this.fail(`unsigned integer longer than ${maxOctets + 7} octets`, state);
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
      c === declared
        ? 'undeclared (second-level) event: not produced by V2G codecs and not supported'
        : `event code ${c} not defined (${declared} productions)`,
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
      (this.pending ??= []).push({
        kind,
        repeated,
        maxOccurs,
        state,
        bitPosition: at,
        expected,
        found: { bits: fullBits, code: found },
        owner,
      });
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

  /**
   * Unsigned integer as a JSON value: a number up to 2^53 - 1, a decimal string beyond. maxNumber is the
   * type's maximum when that is a safe integer, else MAX_SAFE_INTEGER (max then bounds the bigint path).
   */
  ulong(maxNumber: number, max: bigint, maxOctets: number, state: string): number | string {
    const v = this.unsignedAny(maxOctets, state);
    if (typeof v === 'number') {
      // At most 49 bits: only a type maximum below 2^53 can be exceeded here.
      if (v > maxNumber) this.fail(`value ${v} above ${max}`, state);
      return v;
    }
    if (v > max) this.fail(`value ${v} above ${max}`, state);
    return v <= MAX_SAFE_BIG ? Number(v) : v.toString();
  }

  /**
   * CH, an n-bit value and EE of a simple element: one read when both event codes are the expected 0
   * bits (n ≤ 23); else the three reads one by one, so a bad stream fails exactly where it did before.
   */
  wrappedBits(n: number, state: string): number {
    const pos = this.pos;
    if (n <= 23 && pos + n + 2 <= this.end) {
      const x = this.bits(n + 2, state);
      if ((x & 1) === 0 && x >>> (n + 1) === 0) return x >>> 1;
      this.pos = pos;
    }
    this.simpleStart(state);
    const v = this.bits(n, state);
    this.simpleEnd(state);
    return v;
  }

  /** CH, an enumeration index and EE in one read when well-formed (as wrappedBits). */
  wrappedEnum(values: readonly string[], n: number, state: string): string {
    const pos = this.pos;
    if (n <= 23 && pos + n + 2 <= this.end) {
      const x = this.bits(n + 2, state);
      const i = x >>> 1;
      if ((x & 1) === 0 && i < values.length) return values[i]; // i < length also says the CH bit was 0
      this.pos = pos;
    }
    this.simpleStart(state);
    const v = this.enumerated(values, n, state);
    this.simpleEnd(state);
    return v;
  }

  /**
   * CH, a signed integer and EE of a simple element: one read for a magnitude of one or two 7-bit groups
   * (|v| < 16384: exponents, most physical values). Window, MSB first: CH, sign, group 1, then EE (one
   * group) or group 2 and EE. Anything else is read step by step for the exact error.
   */
  intElement(min: number, max: number, state: string): number {
    const pos = this.pos;
    if (pos + 19 <= this.end) {
      const x = this.bits(19, state);
      const m = twoGroups(x, 0x40000);
      if (m >= 0) {
        const v = x & 0x20000 ? -m - 1 : m;
        if (v >= min && v <= max) {
          this.pos = pos + (m < 128 ? 11 : 19);
          return v;
        }
      }
      this.pos = pos;
    }
    this.simpleStart(state);
    const v = this.int(min, max, state);
    this.simpleEnd(state);
    return v;
  }

  /** As intElement for an unsigned integer (CH, group 1, then EE or group 2 and EE). */
  uintElement(max: number, state: string): number {
    const pos = this.pos;
    if (pos + 18 <= this.end) {
      const y = this.bits(18, state);
      const x = ((y & 0x20000) << 1) | (y & 0x1ffff); // intElement's layout: CH to bit 18, a 0 where the sign would be
      const m = twoGroups(x, 0x40000);
      if (m >= 0 && m <= max) {
        this.pos = pos + (m < 128 ? 10 : 18);
        return m;
      }
      this.pos = pos;
    }
    this.simpleStart(state);
    const v = this.uintMax(max, state);
    this.simpleEnd(state);
    return v;
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
    const u = this.unsignedAny(maxOctets, state);
    const m = typeof u === 'number' ? BigInt(u) : u;
    const v = neg ? -m - 1n : m;
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) this.fail(`value ${v} out of range`, state);
    return v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v.toString();
  }

  /** Length-prefixed octets (hexBinary / base64Binary, §7.1.1). */
  private octets(maxLength: number, state: string): Uint8Array {
    const n = this.uint(state);
    if (n > maxLength) this.fail(`binary length ${n} above ${maxLength}`, state);
    if (this.pos + n * 8 > this.end) this.fail(`binary length ${n} runs past the end of the stream`, state);
    this.copyOctets(n);
    this.pos += n * 8;
    return BitInput.scratch.slice(0, n);
  }

  /** hexBinary as uppercase text (the SessionID of every message). */
  hex(maxLength: number, state: string): string {
    const n = this.uint(state);
    if (n > maxLength) this.fail(`binary length ${n} above ${maxLength}`, state);
    if (this.pos + n * 8 > this.end) this.fail(`binary length ${n} runs past the end of the stream`, state);
    this.copyOctets(n);
    this.pos += n * 8;
    return hexString(BitInput.scratch, n);
  }

  base64(maxLength: number, state: string): string {
    return Buffer.from(this.octets(maxLength, state)).toString('base64');
  }

  /** String value (§7.1.10 + string table §7.3.3): 0 = local hit, 1 = global hit, else length + 2. */
  string(qnameId: number, maxLength: number, state: string): string {
    const code = this.uint(state);
    const local = ((this.localValues ??= [])[qnameId] ??= []);
    if (code === 0) {
      if (local.length === 0) this.fail('local string-table hit with an empty table', state);
      const i = this.bits(bitsFor(local.length), state);
      if (i >= local.length) this.fail(`local string-table index ${i} out of range`, state);
      return local[i];
    }
    if (code === 1) {
      const g = this.globalValues;
      if (g === undefined || g.length === 0) this.fail('global string-table hit with an empty table', state);
      const i = this.bits(bitsFor(g.length), state);
      if (i >= g.length) this.fail(`global string-table index ${i} out of range`, state);
      return g[i];
    }
    const n = code - 2;
    if (n > maxLength) this.fail(`string length ${n} above ${maxLength}`, state);
    // Each character takes at least 8 bits.
    if (this.pos + n * 8 > this.end) this.fail(`string length ${n} runs past the end of the stream`, state);
    const s = this.asciiRun(n) ?? this.codePoints(n, state);
    if (n > 0) {
      local.push(s);
      (this.globalValues ??= []).push(s);
    }
    return s;
  }

  /** n characters that are all one-octet groups (< 128), or undefined (nothing consumed) if one is not. */
  private asciiRun(n: number): string | undefined {
    if (this.copyOctets(n) & 0x80) return undefined;
    this.pos += n * 8;
    return asciiString(BitInput.scratch, n);
  }

  /** n characters as code points of one or more 7-bit groups each (§7.1.10). */
  private codePoints(n: number, state: string): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      const cp = this.uint(state);
      if (cp > 0x10ffff) this.fail(`character code ${cp} is not Unicode`, state);
      s += String.fromCodePoint(cp);
    }
    return s;
  }
}

/**
 * The magnitude in a 19-bit window (bit 18 CH, bit 17 sign, bits 16..9 group 1, bits 8..1 group 2 or bit 8
 * EE, bit 0 EE), or -1 when the window is not a well-formed one- or two-group value (zeroMask: bits that
 * must be 0, CH and for unsigned values the sign). Groups are least significant first (§7.1.6).
 */
function twoGroups(x: number, zeroMask: number): number {
  const g1 = (x >>> 9) & 0xff;
  if (g1 < 0x80) return (x & (zeroMask | 0x100)) === 0 ? g1 : -1;
  if ((x & (zeroMask | 0x101)) !== 0) return -1; // group 2 must be the last (no continuation) and EE 0
  const m = (g1 & 0x7f) | (((x >>> 1) & 0x7f) << 7);
  return m < 128 ? -1 : m; // a two-group encoding of a one-group value: leave it to the exact path
}

export function bitsFor(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}
