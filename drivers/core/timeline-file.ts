// Reading a timeline JSON-lines file back. Streamed in chunks from a byte offset (the timeline keeps a
// sparse index of offsets), so a query over an hour-long run holds what it matches, never the whole file.

import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import type { TimelineEvent } from './timeline.ts';

/** Read size: small enough that each chunk's buffers and strings die young (no large-object garbage per MB read). */
const CHUNK = 64 * 1024;

/**
 * Calls fn with each event of the file from byte `offset` on, oldest first; fn returns false to stop.
 * `mayMatch` sees the raw line first and can skip it without parsing. A torn last line (crash
 * mid-write) is skipped, not fatal.
 */
export function forEachTimelineEvent(
  file: string,
  offset: number,
  fn: (e: TimelineEvent) => boolean | void,
  mayMatch?: (line: string) => boolean,
): void {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r');
  try {
    const buf = new Uint8Array(CHUNK);
    let pos = offset;
    // Bytes after the last newline read so far (kept as bytes: a multi-byte character may straddle chunks).
    let carry: Uint8Array[] = [];
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      pos += n;
      const last = buf.lastIndexOf(10, n - 1);
      if (last < 0) {
        carry.push(buf.slice(0, n));
        continue;
      }
      const text = utf8([...carry, buf.subarray(0, last + 1)]);
      carry = last + 1 < n ? [buf.slice(last + 1, n)] : [];
      if (!eachLine(text, fn, mayMatch)) return;
    }
    if (carry.length) eachLine(utf8(carry), fn, mayMatch);
  } finally {
    closeSync(fd);
  }
}

const decoder = new TextDecoder();

function utf8(parts: Uint8Array[]): string {
  if (parts.length === 1) return decoder.decode(parts[0]);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return decoder.decode(all);
}

function eachLine(text: string, fn: (e: TimelineEvent) => boolean | void, mayMatch?: (line: string) => boolean): boolean {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (!line || (mayMatch && !mayMatch(line))) continue;
    let e: TimelineEvent;
    try {
      e = JSON.parse(line) as TimelineEvent;
    } catch {
      continue; // only the last line can be torn; keep everything before it
    }
    if (fn(e) === false) return false;
  }
  return true;
}

/** Read a whole timeline JSON-lines file; a torn last line is skipped, not fatal. */
export function readTimelineFile(file: string): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  forEachTimelineEvent(file, 0, (e) => {
    out.push(e);
  });
  return out;
}
