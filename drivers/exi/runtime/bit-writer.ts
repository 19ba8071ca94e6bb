// Bit-packed EXI writer. One growable buffer reused across documents: encoding a charge-loop message
// allocates only the returned copy.

import { ExiEncodeError } from '../errors.ts';

const HEX_RE = /^(?:[0-9A-Fa-f]{2})*$/;
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class BitWriter {
  private buf = new Uint8Array(256);
  private byte = 0;
  /** Bits already used in the current byte (0..7). */
  private used = 0;
  private cur = 0;

  reset(): void {
    this.byte = 0;
    this.used = 0;
    this.cur = 0;
  }

  private push(b: number): void {
    if (this.byte === this.buf.length) {
      const nb = new Uint8Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.byte++] = b;
  }

  /** n-bit unsigned value, MSB first; n ≤ 31. */
  bits(v: number, n: number): void {
    while (n > 0) {
      const free = 8 - this.used;
      if (n >= free) {
        n -= free;
        this.push(this.cur | ((v >>> n) & ((1 << free) - 1)));
        this.cur = 0;
        this.used = 0;
      } else {
        this.cur |= (v & ((1 << n) - 1)) << (free - n);
        this.used += n;
        n = 0;
      }
    }
  }

  /** Unsigned integer (§7.1.6), v a safe non-negative integer. */
  uint(v: number): void {
    while (v >= 128) {
      this.bits((v % 128) | 0x80, 8);
      v = Math.floor(v / 128);
    }
    this.bits(v, 8);
  }

  ubig(v: bigint): void {
    while (v >= 128n) {
      this.bits(Number(v & 0x7fn) | 0x80, 8);
      v >>= 7n;
    }
    this.bits(Number(v), 8);
  }

  int(v: number): void {
    if (v < 0) {
      this.bits(1, 1);
      this.uint(-v - 1);
    } else {
      this.bits(0, 1);
      this.uint(v);
    }
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
    this.uint(codePointLength(s) + 2);
    for (let i = 0; i < s.length; i++) {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      this.uint(cp);
    }
  }

  octets(b: Uint8Array): void {
    this.uint(b.length);
    for (let i = 0; i < b.length; i++) this.bits(b[i], 8);
  }

  /** The bytes written so far, padded with zero bits to a whole byte. */
  finish(): Uint8Array {
    if (this.used > 0) {
      this.push(this.cur);
      this.cur = 0;
      this.used = 0;
    }
    return this.buf.slice(0, this.byte);
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

export function hexToBytes(s: unknown, at: string): Uint8Array {
  if (typeof s !== 'string' || !HEX_RE.test(s)) throw new ExiEncodeError('expected hexBinary (even number of hex digits)', at);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

export function base64ToBytes(s: unknown, at: string): Uint8Array {
  if (typeof s !== 'string' || !B64_RE.test(s)) throw new ExiEncodeError('expected base64Binary (padded base64)', at);
  return new Uint8Array(Buffer.from(s, 'base64'));
}
