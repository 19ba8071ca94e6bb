// TLS 1.3 application data of one captured connection, decrypted with the NSS key log's traffic secrets
// (RFC 8446 §7.1 HKDF-Expand-Label for key and IV, §5.3 per-record nonce, §5.2 inner plaintext) with
// node:crypto. Done here rather than through tshark: the judge then needs no Wireshark install, stamps each
// record with the time of the TCP segment that completed it, and reports which record failed and why.
// Each direction walks its handshake secret, then application secret 0, then any KeyUpdate's successor.

import { createDecipheriv, createHmac } from 'node:crypto';
import { InputError } from '../core/errors.ts';
import type { StreamChunk, TcpConnection } from './pcapng-reader-tcp.ts';

interface Suite {
  name: string;
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';
  keyLen: number;
  hash: 'sha256' | 'sha384';
}

const SUITES: Record<number, Suite> = {
  0x1301: { name: 'TLS_AES_128_GCM_SHA256', cipher: 'aes-128-gcm', keyLen: 16, hash: 'sha256' },
  0x1302: { name: 'TLS_AES_256_GCM_SHA384', cipher: 'aes-256-gcm', keyLen: 32, hash: 'sha384' },
  0x1303: { name: 'TLS_CHACHA20_POLY1305_SHA256', cipher: 'chacha20-poly1305', keyLen: 32, hash: 'sha256' },
  0x1304: { name: 'TLS_AES_128_CCM_SHA256', cipher: 'aes-128-ccm', keyLen: 16, hash: 'sha256' },
};

const HASH_LEN = { sha256: 32, sha384: 48 };

type Bytes = Uint8Array<ArrayBuffer>;
/** A copy on its own ArrayBuffer (what @types/node's crypto signatures accept). */
const u8 = (b: Buffer | Uint8Array): Bytes => new Uint8Array(b as ArrayLike<number>);
const cat = (...parts: (Buffer | Uint8Array)[]): Bytes => u8(Buffer.concat(parts.map(u8)));

function hkdfExpandLabel(hash: Suite['hash'], secret: Bytes, label: string, length: number): Bytes {
  const full = new TextEncoder().encode(`tls13 ${label}`);
  const info = cat(new Uint8Array([length >> 8, length & 0xff, full.length]), full, new Uint8Array([0]));
  let out: Bytes = new Uint8Array(0);
  let prev: Bytes = new Uint8Array(0);
  for (let i = 1; out.length < length; i++) {
    prev = u8(
      createHmac(hash, secret)
        .update(cat(prev, info, new Uint8Array([i])))
        .digest(),
    );
    out = cat(out, prev);
  }
  return out.slice(0, length);
}

/** One TLS record as it travelled: outer type, body, and when its last byte was captured. */
export interface TlsRecord {
  type: number;
  body: Uint8Array;
  header: Uint8Array;
  tNs: number;
}

/** Cut a reassembled direction into TLS records (a record cut short at the end of the capture is left out). */
export function tlsRecords(chunks: readonly StreamChunk[]): TlsRecord[] {
  const out: TlsRecord[] = [];
  let buf = new Uint8Array(0);
  for (const c of chunks) {
    const joined = new Uint8Array(buf.length + c.bytes.length);
    joined.set(buf);
    joined.set(c.bytes, buf.length);
    buf = joined;
    while (buf.length >= 5) {
      const len = (buf[3] << 8) | buf[4];
      if (buf.length < 5 + len) break;
      out.push({ type: buf[0], header: buf.slice(0, 5), body: buf.slice(5, 5 + len), tNs: c.tNs });
      buf = buf.subarray(5 + len);
    }
  }
  return out;
}

/** Does this direction start with a TLS handshake record (else it is plaintext V2GTP)? */
export const startsWithTls = (chunks: readonly StreamChunk[]) => chunks[0]?.bytes[0] === 22 && chunks[0]?.bytes[1] === 3;

/** NSS key log: label → client random (hex) → secret. */
export function parseKeylog(text: string): Map<string, Map<string, Bytes>> {
  const out = new Map<string, Map<string, Bytes>>();
  for (const line of text.split(/\r?\n/)) {
    const [label, random, secret] = line.trim().split(/\s+/);
    if (!label || label.startsWith('#') || !secret || !/^[0-9a-f]+$/i.test(secret)) continue;
    if (!out.has(label)) out.set(label, new Map());
    out.get(label)!.set(random.toLowerCase(), u8(Buffer.from(secret, 'hex')));
  }
  return out;
}

/** client_random from the ClientHello and the cipher suite from the ServerHello. */
function helloParams(client: TlsRecord[], server: TlsRecord[]): { random: string; suite: number } {
  const ch = client.find((r) => r.type === 22 && r.body[0] === 1);
  const sh = server.find((r) => r.type === 22 && r.body[0] === 2);
  if (!ch || !sh) throw new InputError('no ClientHello/ServerHello in the capture of this connection (capture started late?)');
  const random = Buffer.from(ch.body.subarray(6, 38)).toString('hex');
  const sidLen = sh.body[38];
  const suite = (sh.body[39 + sidLen] << 8) | sh.body[40 + sidLen];
  return { random, suite };
}

interface Keys {
  key: Bytes;
  iv: Bytes;
  secret: Bytes;
}

function keysOf(s: Suite, secret: Bytes): Keys {
  return { secret, key: hkdfExpandLabel(s.hash, secret, 'key', s.keyLen), iv: hkdfExpandLabel(s.hash, secret, 'iv', 12) };
}

function open(s: Suite, k: Keys, seq: bigint, r: TlsRecord): Uint8Array | undefined {
  const nonce = u8(k.iv);
  for (let i = 0; i < 8; i++) nonce[11 - i] ^= Number((seq >> BigInt(8 * i)) & 0xffn);
  if (r.body.length < 16) return undefined;
  try {
    const d = createDecipheriv(s.cipher, k.key, nonce, { authTagLength: 16 } as never) as ReturnType<typeof createDecipheriv> & {
      setAuthTag(t: Uint8Array): void;
      setAAD(a: Uint8Array, o?: object): void;
    };
    d.setAuthTag(u8(r.body.subarray(r.body.length - 16)));
    d.setAAD(u8(r.header), { plaintextLength: r.body.length - 16 });
    const head = d.update(u8(r.body.subarray(0, r.body.length - 16))) as Buffer | Uint8Array;
    return cat(head, d.final() as Buffer | Uint8Array);
  } catch {
    return undefined;
  }
}

/** Application data of one direction, each piece with the time of its record. */
export interface DecryptedDirection {
  chunks: StreamChunk[];
  /** Records that none of the direction's keys opened (a key log from another session, a damaged capture). */
  undecryptable: number;
}

function decryptDirection(s: Suite, records: TlsRecord[], secrets: Bytes[]): DecryptedDirection {
  const keys = secrets.map((x) => keysOf(s, x));
  let ki = 0;
  let seq = 0n;
  const chunks: StreamChunk[] = [];
  let undecryptable = 0;
  for (const r of records) {
    if (r.type !== 23) continue; // ChangeCipherSpec and the plaintext hellos
    let plain = ki < keys.length ? open(s, keys[ki], seq, r) : undefined;
    // The first record that the current key does not open is the first one under the next secret.
    for (let next = ki + 1; !plain && next < keys.length; next++) {
      plain = open(s, keys[next], 0n, r);
      if (plain) [ki, seq] = [next, 0n];
    }
    if (!plain) {
      undecryptable++;
      continue;
    }
    seq++;
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    const inner = plain[end - 1];
    const content = plain.subarray(0, end - 1);
    if (inner === 23) chunks.push({ tNs: r.tNs, bytes: content });
    else if (inner === 22 && content[0] === 24 && ki === keys.length - 1) {
      // KeyUpdate: the next application secret follows from this one (RFC 8446 §7.2).
      keys.push(keysOf(s, hkdfExpandLabel(s.hash, keys[ki].secret, 'traffic upd', HASH_LEN[s.hash])));
    }
  }
  return { chunks, undecryptable };
}

/** Both directions' application data of a TLS 1.3 connection, with the suite used. */
export function decryptTls13(
  conn: TcpConnection,
  keylog: Map<string, Map<string, Bytes>>,
): { suite: string; client: DecryptedDirection; server: DecryptedDirection } {
  const client = tlsRecords(conn.client.chunks);
  const server = tlsRecords(conn.server.chunks);
  const { random, suite: id } = helloParams(client, server);
  const s = SUITES[id];
  if (!s) throw new InputError(`cipher suite 0x${id.toString(16).padStart(4, '0')} is not a TLS 1.3 suite this reader decrypts`);
  const get = (label: string) => keylog.get(label)?.get(random);
  const need = (label: string) => {
    const v = get(label);
    if (!v) throw new InputError(`the key log has no ${label} for client random ${random.slice(0, 16)}… (another session's key log?)`);
    return v;
  };
  const cs = [get('CLIENT_HANDSHAKE_TRAFFIC_SECRET'), need('CLIENT_TRAFFIC_SECRET_0')].filter((x): x is Bytes => !!x);
  const ss = [get('SERVER_HANDSHAKE_TRAFFIC_SECRET'), need('SERVER_TRAFFIC_SECRET_0')].filter((x): x is Bytes => !!x);
  return { suite: s.name, client: decryptDirection(s, client, cs), server: decryptDirection(s, server, ss) };
}
