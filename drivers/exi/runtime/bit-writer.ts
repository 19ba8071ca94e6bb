// Bit-packed EXI writer. One growable buffer reused across documents: encoding a charge-loop message
// allocates only the returned copy. Bits collect in a small accumulator and leave it a whole byte at a
// time, so a write is a shift, an or and at most a few byte stores (no per-bit loop).

import { ExiEncodeError } from '../errors.ts';
import { hexNibble } from './hex.ts';

/** Octets of the string or hexBinary being written (grown on demand). */
let scratch = new Uint8Array(256);

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class BitWriter {
  private buf = new Uint8Array(256);
  private byte = 0;
  /** Pending bits, right-aligned; fewer than 8 between calls. */
  private acc = 0;
  private nacc = 0;

  reset(): void {
    this.byte = 0;
    this.acc = 0;
    this.nacc = 0;
  }

  /** Room for at least n more bytes. */
  private room(n: number): void {
    if (this.byte + n <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.byte + n));
    nb.set(this.buf);
    this.buf = nb;
  }

  /** n-bit unsigned value, MSB first; n ≤ 31. */
  bits(v: number, n: number): void {
    if (n > 24) {
      // 7 pending + 24 new bits is what the 31-bit accumulator holds: split wider values.
      this.bits(v >>> 16, n - 16);
      this.bits(v & 0xffff, 16);
      return;
    }
    let nacc = this.nacc + n;
    let acc = (this.acc << n) | (v & ((1 << n) - 1));
    if (nacc >= 8) {
      this.room(4);
      const buf = this.buf;
      let byte = this.byte;
      do {
        nacc -= 8;
        buf[byte++] = acc >>> nacc;
      } while (nacc >= 8);
      this.byte = byte;
      acc &= (1 << nacc) - 1;
    }
    this.acc = acc;
    this.nacc = nacc;
  }

  /** Unsigned integer (§7.1.6), v a safe non-negative integer: 7-bit groups, least significant first. */
  uint(v: number): void {
    // Up to three groups (v < 2^21: lengths, counts, most values) in one write.
    if (v < 128) return this.bits(v, 8);
    if (v < 16384) return this.bits((((v & 0x7f) | 0x80) << 8) | (v >>> 7), 16);
    if (v < 2097152) return this.bits((((v & 0x7f) | 0x80) << 16) | ((((v >>> 7) & 0x7f) | 0x80) << 8) | (v >>> 14), 24);
    while (v >= 128) {
      const low = v & 0x7f; // ToInt32 keeps the low bits of any safe integer exactly
      this.bits(low | 0x80, 8);
      v = (v - low) / 128;
    }
    this.bits(v, 8);
  }

  ubig(v: bigint): void {
    if (v <= 9007199254740991n) return this.uint(Number(v));
    while (v >= 128n) {
      this.bits(Number(v & 0x7fn) | 0x80, 8);
      v >>= 7n;
    }
    this.bits(Number(v), 8);
  }

  int(v: number): void {
    // Sign and a one-group magnitude (|v| ≤ 128: exponents, small values) in one write.
    if (v >= 0 && v < 128) return this.bits(v, 9);
    if (v < 0 && v >= -128) return this.bits(256 | (-v - 1), 9);
    if (v < 0) {
      this.bits(1, 1);
      this.uint(-v - 1);
    } else {
      this.bits(0, 1);
      this.uint(v);
    }
  }

  /**
   * A simple element with an integer value: the event code with CH (head, headBits wide), the value, EE.
   * One write for a magnitude of one or two 7-bit groups (< 16384): exponents, SOC, most physical values.
   */
  intElement(head: number, headBits: number, v: number): void {
    const neg = v < 0 ? 1 : 0;
    const m = neg ? -v - 1 : v;
    if (m < 16384 && headBits <= 12) {
      const one = m < 128;
      const groups = one ? m : (((m & 0x7f) | 0x80) << 8) | (m >>> 7);
      const gBits = one ? 8 : 16;
      return this.bits((((head << 1) | neg) << (gBits + 1)) | (groups << 1), headBits + gBits + 2); // ≤ 30 bits
    }
    this.bits(head, headBits);
    this.int(v);
    this.bits(0, 1);
  }

  uintElement(head: number, headBits: number, v: number): void {
    if (v < 16384 && headBits <= 13) {
      const one = v < 128;
      const groups = one ? v : (((v & 0x7f) | 0x80) << 8) | (v >>> 7);
      const gBits = one ? 8 : 16;
      return this.bits((head << (gBits + 1)) | (groups << 1), headBits + gBits + 1); // ≤ 30 bits
    }
    this.bits(head, headBits);
    this.uint(v);
    this.bits(0, 1);
  }

  intBig(v: bigint): void {
    if (v < 0n) {
      this.bits(1, 1);
      this.ubig(-v - 1n);
    } else {
      this.bits(0, 1);
      this.ubig(v);
    }
  }

  /** String miss (length + 2, then code points): what every V2G codec writes; no table hits. */
  string(s: string): void {
    const n = s.length;
    if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    let all = 0;
    for (let i = 0; i < n; i++) all |= scratch[i] = s.charCodeAt(i);
    if (all >= 128) return this.unicodeString(s);
    // ASCII (the V2G identifiers and names): each character is one 8-bit group.
    this.uint(n + 2);
    this.rawOctets(scratch, n);
  }

  private unicodeString(s: string): void {
    this.uint(codePointLength(s) + 2);
    for (let i = 0; i < s.length; i++) {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      this.uint(cp);
    }
  }

  octets(b: Uint8Array): void {
    this.uint(b.length);
    this.rawOctets(b, b.length);
  }

  /**
   * hexBinary straight from its text (§7.1.1: length, then the octets): checked and converted in one
   * pass, no intermediate allocation. The length rules are the schema's (exact length, or at most maxLength).
   */
  hex(s: unknown, maxLength: number, length: number | undefined, at: string): void {
    if (typeof s !== 'string' || (s.length & 1) !== 0) throw new ExiEncodeError('expected hexBinary (even number of hex digits)', at);
    const n = s.length >>> 1;
    if (n > scratch.length) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const hi = hexNibble(s.charCodeAt(2 * i));
      const lo = hexNibble(s.charCodeAt(2 * i + 1));
      bad |= hi | lo; // -1 for a non-digit sets the sign bit
      scratch[i] = (hi << 4) | lo;
    }
    if (bad < 0) throw new ExiEncodeError('expected hexBinary (even number of hex digits)', at);
    if (length !== undefined && n !== length) throw new ExiEncodeError(`${n} octets, the schema requires exactly ${length}`, at);
    if (n > maxLength) throw new ExiEncodeError(`${n} octets, the schema allows at most ${maxLength}`, at);
    this.uint(n);
    this.rawOctets(scratch, n);
  }

  /** The first n octets of src, at the current bit offset: a copy when aligned, else one shift per octet. */
  private rawOctets(src: Uint8Array, n: number): void {
    this.room(n + 1);
    const buf = this.buf;
    let byte = this.byte;
    const k = this.nacc;
    if (k === 0) {
      for (let i = 0; i < n; i++) buf[byte++] = src[i];
    } else {
      // The k pending bits stay pending: each octet leaves with the k bits before it.
      let acc = this.acc;
      const keep = (1 << k) - 1;
      for (let i = 0; i < n; i++) {
        acc = (acc << 8) | src[i];
        buf[byte++] = acc >>> k;
        acc &= keep;
      }
      this.acc = acc;
    }
    this.byte = byte;
  }

  /** The bytes written so far, padded with zero bits to a whole byte. */
  finish(): Uint8Array {
    if (this.nacc > 0) this.bits(0, 8 - this.nacc);
    const n = this.byte;
    const out = new Uint8Array(n);
    const buf = this.buf;
    // A loop beats slice()/set() for the tens of bytes of a typical message (no species or range checks).
    for (let i = 0; i < n; i++) out[i] = buf[i];
    return out;
  }
}

/** Characters (code points) in s, as EXI counts string length. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

export function base64ToBytes(s: unknown, at: string): Uint8Array {
  if (typeof s !== 'string' || !B64_RE.test(s)) throw new ExiEncodeError('expected base64Binary (padded base64)', at);
  return new Uint8Array(Buffer.from(s, 'base64'));
}
