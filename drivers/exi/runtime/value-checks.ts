// Encoder-side checks: a document value that does not fit its schema type becomes an ExiEncodeError
// naming the type and key, never a silently wrapped number or a truncated string.

import { ExiEncodeError } from '../errors.ts';
import type { BitWriter } from './bit-writer.ts';
import { codePointLength } from './bit-writer.ts';

export function chkBool(v: unknown, at: string): boolean {
  if (typeof v !== 'boolean') throw new ExiEncodeError(`expected a boolean, got ${describe(v)}`, at);
  return v;
}

export function chkInt(v: unknown, min: number, max: number, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ExiEncodeError(`expected an integer, got ${describe(v)}`, at);
  if (v < min || v > max) throw new ExiEncodeError(`${v} outside ${min}..${max}`, at);
  return v;
}

/** Integers that may exceed 2^53: number (safe integer), decimal string or bigint. */
export function chkBig(v: unknown, min: bigint | undefined, max: bigint | undefined, at: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^-?[0-9]{1,200}$/.test(v)) b = BigInt(v);
  else throw new ExiEncodeError(`expected an integer (number, or decimal string beyond 2^53), got ${describe(v)}`, at);
  if ((min !== undefined && b < min) || (max !== undefined && b > max)) throw new ExiEncodeError(`${b} out of range`, at);
  return b;
}

/**
 * Unsigned variable-length integer (unsignedLong: TimeStamp in every header). A safe number within
 * min..maxNumber (the type's maximum, or 2^53 - 1 when that is larger) takes the plain-number path;
 * only strings, bigints and values out of that range meet BigInt.
 */
export function writeUnsignedBig(w: BitWriter, v: unknown, min: number, maxNumber: number, minBig: bigint, max: bigint, at: string): void {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= maxNumber) w.uint(v);
  else w.ubig(chkBig(v, minBig, max, at));
}

export function chkString(v: unknown, maxLength: number, at: string): string {
  if (typeof v !== 'string') throw new ExiEncodeError(`expected a string, got ${describe(v)}`, at);
  if (v.length > maxLength && codePointLength(v) > maxLength) throw new ExiEncodeError(`string longer than ${maxLength} characters`, at);
  return v;
}

export function chkOctets(b: Uint8Array, maxLength: number, length: number | undefined, at: string): Uint8Array {
  if (length !== undefined && b.length !== length)
    throw new ExiEncodeError(`${b.length} octets, the schema requires exactly ${length}`, at);
  if (b.length > maxLength) throw new ExiEncodeError(`${b.length} octets, the schema allows at most ${maxLength}`, at);
  return b;
}

export function enumIndex(values: ReadonlyMap<string, number>, v: unknown, at: string): number {
  const i = typeof v === 'string' ? values.get(v) : undefined;
  if (i === undefined) throw new ExiEncodeError(`${describe(v)} is not one of ${[...values.keys()].join(', ')}`, at);
  return i;
}

export function chkObject(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ExiEncodeError(`expected an object, got ${describe(v)}`, at);
  return v as Record<string, unknown>;
}

export function chkArray(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new ExiEncodeError(`expected an array (the element may repeat), got ${describe(v)}`, at);
  return v;
}

/** After EE: every key of the object must have been written. */
export function chkAllKeysUsed(v: Record<string, unknown>, used: number, allowed: ReadonlySet<string>, at: string): void {
  // Common case first: as many keys as were written (a count over the object's cached key list, no lookups).
  let keys = 0;
  for (const _k in v) keys++;
  if (keys === used) return;
  // Else keys holding undefined count as absent.
  let n = 0;
  for (const k in v) if (v[k] !== undefined) n++;
  if (n === used) return;
  const extra = Object.keys(v).filter((k) => v[k] !== undefined && !allowed.has(k));
  if (extra.length > 0) throw new ExiEncodeError(`unknown key(s) ${extra.join(', ')}; allowed: ${[...allowed].join(', ')}`, at);
  throw new ExiEncodeError('element(s) in an order or combination the schema does not allow (or more items than maxOccurs)', at);
}

/** After EE: every item of a repeated element must have been written (else: more than maxOccurs, or out of order). */
export function chkAllItemsUsed(v: unknown, used: number, at: string): void {
  if (v !== undefined && (v as unknown[]).length !== used)
    throw new ExiEncodeError(
      `${(v as unknown[]).length} items but only ${used} fit the schema here (more than maxOccurs, or out of order)`,
      at,
    );
}

export function missing(expected: string, at: string): never {
  throw new ExiEncodeError(`missing content: expected ${expected}`, at);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
