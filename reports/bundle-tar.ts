// A small ustar writer and reader for the reviewer bundle (tar.gz through node:zlib): regular files only,
// no links, names split into ustar's prefix/name fields. Enough for `bundle` and `verify`, and any tar reads it.

import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../drivers/core/errors.ts';
import { u8 } from './manifest.ts';

export interface TarEntry {
  path: string;
  data: Buffer;
}

const BLOCK = 512;

/** A tar.gz of the entries, in the order given. */
export function writeTarGz(entries: readonly TarEntry[], mtimeS: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.path, e.data.length, mtimeS), e.data, Buffer.alloc(padding(e.data.length)));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(u8(Buffer.concat(parts.map(u8))), { level: 9 });
}

/** The files of a tar.gz written by writeTarGz (or any ustar of regular files). */
export function readTarGz(archive: Buffer, what: string): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(u8(archive));
  } catch (e) {
    throw new InputError(`${what} is not a gzip archive (${(e as Error).message})`);
  }
  const out: TarEntry[] = [];
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) throw new InputError(`${what}: tar header at byte ${off} has a bad checksum (damaged archive)`);
    const name = field(h, 0, 100);
    const prefix = field(h, 345, 155);
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 0x30);
    off += BLOCK;
    if (off + size > tar.length) throw new InputError(`${what}: '${name}' is cut short (damaged archive)`);
    if (type === '0') out.push({ path: prefix ? `${prefix}/${name}` : name, data: Buffer.from(u8(tar).slice(off, off + size)) });
    off += size + padding(size);
  }
  return out;
}

function padding(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

function header(path: string, size: number, mtimeS: number): Buffer {
  const { prefix, name } = splitPath(path);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii');
  h.write('0000000\0', 116, 8, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  h.write(Math.floor(mtimeS).toString(8).padStart(11, '0') + '\0', 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h[156] = 0x30; // regular file
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const cut = path.lastIndexOf('/', path.length - 1);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
    throw new InputError(`path too long for a ustar archive: ${path}`);
  }
  return { prefix, name };
}

function field(h: Buffer, at: number, len: number): string {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function checksumOk(h: Buffer): boolean {
  const stored = parseInt(field(h, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum === stored;
}
