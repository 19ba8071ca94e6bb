// pcap in, pcapng out: the V2G link's capture (tcpdump's classic pcap, written packet by packet) cut to one
// test's time window and written as pcapng with the TLS key log embedded as a Decryption Secrets Block,
// so Wireshark/tshark open it decrypted without a side file (pcapng spec §4.7, secrets type 'TLSK').

import { InputError } from '../core/errors.ts';

export interface CapturedPacket {
  /** Microseconds since the Unix epoch. */
  tsUs: number;
  origLen: number;
  data: Uint8Array;
}

export interface PcapFile {
  linkType: number;
  packets: CapturedPacket[];
}

/** Read a classic pcap (µs or ns, either byte order). A record cut short at the end (still being written) is left out. */
export function readPcap(buf: Uint8Array, what: string): PcapFile {
  if (buf.length < 24) return { linkType: 1, packets: [] };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicLe = dv.getUint32(0, true);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const magic = dv.getUint32(0, le);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new InputError(`${what} is not a pcap file (magic 0x${magicLe.toString(16)})`);
  const nano = magic === 0xa1b23c4d;
  const linkType = dv.getUint32(20, le);
  const packets: CapturedPacket[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    const orig = dv.getUint32(off + 12, le);
    if (off + 16 + incl > buf.length) break;
    packets.push({ tsUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac), origLen: orig, data: buf.slice(off + 16, off + 16 + incl) });
    off += 16 + incl;
  }
  return { linkType, packets };
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + body.length + pad4(body.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  out.set(body, 8);
  dv.setUint32(total - 4, total, true);
  return out;
}

function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Secrets type of an NSS key log in a Decryption Secrets Block. */
const TLS_KEY_LOG = 0x544c534b;

/** pcapng: section header, one interface (µs time stamps), the key log (when there is one), then the packets. */
export function writePcapng(o: {
  linkType: number;
  packets: readonly CapturedPacket[];
  keylog?: string;
  interfaceName?: string;
}): Uint8Array {
  const shb = block(0x0a0d0d0a, concat([u32s(0x1a2b3c4d), new Uint8Array([1, 0, 0, 0]), u32s(0xffffffff, 0xffffffff)]));
  const name = new TextEncoder().encode(o.interfaceName ?? '');
  const opts: Uint8Array[] = [];
  if (name.length) opts.push(new Uint8Array(new Uint16Array([2, name.length]).buffer), name, new Uint8Array(pad4(name.length)));
  opts.push(new Uint8Array(new Uint16Array([9, 1]).buffer), new Uint8Array([6, 0, 0, 0]), new Uint8Array(4)); // if_tsresol = µs, end
  const idb = block(1, concat([new Uint8Array(new Uint16Array([o.linkType, 0]).buffer), u32s(0), ...opts]));
  const parts = [shb, idb];
  if (o.keylog) {
    const secrets = new TextEncoder().encode(o.keylog);
    parts.push(block(0x0000000a, concat([u32s(TLS_KEY_LOG, secrets.length), secrets, new Uint8Array(pad4(secrets.length))])));
  }
  for (const p of o.packets) {
    const ts = BigInt(Math.round(p.tsUs));
    parts.push(
      block(
        6,
        concat([
          u32s(0, Number(ts >> 32n), Number(ts & 0xffffffffn), p.data.length, p.origLen),
          p.data,
          new Uint8Array(pad4(p.data.length)),
        ]),
      ),
    );
  }
  return concat(parts);
}
