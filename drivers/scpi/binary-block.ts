// IEEE 488.2 definite-length arbitrary block ('#<n><length><bytes>'): how an instrument answers a binary
// query (FORM REAL Elog records). A reply that does not follow the form is bad input, named by command.

import { ScpiReplyError } from './errors.ts';

/** Bytes a block needs in total once its header is readable, or undefined while the header is incomplete. */
export function blockLength(text: string): number | undefined {
  if (text.length < 2) return undefined;
  const n = Number(text[1]);
  if (text[0] !== '#' || !Number.isInteger(n) || n < 1) return -1; // not a definite-length block
  if (text.length < 2 + n) return undefined;
  const len = Number(text.slice(2, 2 + n));
  return Number.isInteger(len) && len >= 0 ? 2 + n + len : -1;
}

/** The payload of a block held in a latin1 string (one char per byte). */
export function blockPayload(reply: string | Uint8Array, where: string): Uint8Array {
  const text = typeof reply === 'string' ? reply : Buffer.from(reply).toString('latin1');
  const total = blockLength(text);
  if (total === undefined || total < 0 || text.length < total)
    throw new ScpiReplyError('not an IEEE 488.2 definite-length block (#<n><length><bytes>)', where, text.slice(0, 40));
  return new Uint8Array(Buffer.from(text.slice(2 + Number(text[1]), total), 'latin1'));
}

/** Big-endian (FORM:BORD NORM) IEEE 754 single-precision values of a block. */
export function blockFloats(reply: string | Uint8Array, where: string): number[] {
  const bytes = blockPayload(reply, where);
  if (bytes.length % 4) throw new ScpiReplyError(`a REAL block holds 4-byte values; got ${bytes.length} bytes`, where, '');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Array<number>(bytes.length / 4);
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat32(4 * k, false);
  return out;
}

/** A block of big-endian floats (what the emulated instrument sends, and what transcripts hold). */
export function floatBlock(values: readonly number[]): string {
  const buf = Buffer.alloc(4 * values.length);
  values.forEach((v, k) => buf.writeFloatBE(v, 4 * k));
  const len = String(buf.length);
  return `#${len.length}${len}${buf.toString('latin1')}`;
}
