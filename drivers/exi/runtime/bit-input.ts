// Bit-level access to a bit-packed EXI stream (W3C EXI 1.0 §7, alignment bit-packed): n-bit reads,
// octets at any bit offset, and errors that say where. Every read checks the remaining bits first.

import { ExiDecodeError } from '../errors.ts';

export class BitInput {
  pos: number;
  readonly end: number;
  /** Octets of the string or binary being read (grown on demand; both are bounded by the stream's length). */
  protected static scratch = new Uint8Array(256);

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
    const pos = this.pos;
    if (pos + n > this.end) this.fail(`stream ends, ${n} more bit(s) needed`, state);
    if (n > 25) return this.wideBits(n);
    if (n === 0) return 0;
    // The 1..4 octets that hold the value, as one window; then drop the bits after it and mask.
    const buf = this.buf;
    const stop = pos + n;
    let i = pos >>> 3;
    const last = (stop - 1) >>> 3;
    let v = buf[i];
    while (i < last) v = (v << 8) | buf[++i];
    this.pos = stop;
    return ((v >>> ((8 - (stop & 7)) & 7)) & ((1 << n) - 1)) >>> 0;
  }

  /** One octet at any bit offset (the 7-bit groups of integers and the characters of strings). */
  protected octet(state: string): number {
    const pos = this.pos;
    if (pos + 8 > this.end) this.fail('stream ends, 8 more bit(s) needed', state);
    this.pos = pos + 8;
    const i = pos >>> 3;
    const off = pos & 7;
    return off === 0 ? this.buf[i] : ((this.buf[i] << off) | (this.buf[i + 1] >>> (8 - off))) & 0xff;
  }

  /** Over 25 bits the window would need a fifth octet: take it in octet-sized steps (bounds already checked). */
  private wideBits(n: number): number {
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

  /**
   * The next n octets (at any bit offset) into scratch, without consuming them; returns all of them or-ed
   * together. The caller has checked that n octets remain.
   */
  protected copyOctets(n: number): number {
    if (n > BitInput.scratch.length) BitInput.scratch = new Uint8Array(Math.max(n, BitInput.scratch.length * 2));
    const scratch = BitInput.scratch;
    const buf = this.buf;
    const at = this.pos >>> 3;
    const off = this.pos & 7;
    let all = 0;
    if (off === 0) {
      for (let k = 0; k < n; k++) all |= scratch[k] = buf[at + k];
    } else {
      // Octet k straddles at + k and at + k + 1; the last of those exists because n whole octets remain.
      for (let k = 0; k < n; k++) all |= scratch[k] = ((buf[at + k] << off) | (buf[at + k + 1] >>> (8 - off))) & 0xff;
    }
    return all;
  }
}
