// Our own pcapng reader (pcapng spec: Section Header, Interface Description with if_tsresol, Enhanced and
// Simple Packet blocks, Decryption Secrets Block with an NSS key log): enough to read back the per-test
// captures the runner writes and a lab's own dumpcap/Wireshark captures. A classic pcap is read too.
// Unknown blocks are skipped; a block cut short at the end keeps every packet before it.

import { InputError } from '../core/errors.ts';
import { readPcap } from './capture-pcapng.ts';

export interface PcapngPacket {
  /** Capture time stamp in ns since the Unix epoch. */
  tNs: number;
  linkType: number;
  data: Uint8Array;
}

export interface PcapngFile {
  packets: PcapngPacket[];
  /** NSS key log lines from every Decryption Secrets Block of type TLS key log. */
  keylog: string;
}

const SHB = 0x0a0d0d0a;
const IDB = 1;
const SPB = 3;
const EPB = 6;
const DSB = 10;
const TLS_KEY_LOG = 0x544c534b;

interface Iface {
  linkType: number;
  /** Time stamp units per second. */
  unitsPerS: number;
}

/** if_tsresol (option 9): 10^-n or 2^-n seconds; absent means µs. */
function tsResolution(dv: DataView, off: number, end: number, le: boolean): number {
  while (off + 4 <= end) {
    const code = dv.getUint16(off, le);
    const len = dv.getUint16(off + 2, le);
    if (code === 0) break;
    if (code === 9 && len >= 1) {
      const r = dv.getUint8(off + 4);
      return r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
    }
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return 1e6;
}

/** Read a pcapng (or classic pcap) capture; `what` names it in errors. */
export function readCapture(buf: Uint8Array, what: string): PcapngFile {
  if (buf.length < 12) throw new InputError('not a pcapng or pcap file (too short)', what);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0, true) !== SHB) {
    const pcap = readPcap(buf, what);
    const packets = pcap.packets.map((p) => ({ tNs: p.tsUs * 1000, linkType: pcap.linkType, data: p.data }));
    return { packets, keylog: '' };
  }
  const packets: PcapngPacket[] = [];
  let keylog = '';
  let ifaces: Iface[] = [];
  let le = true;
  for (let off = 0; off + 12 <= buf.length;) {
    let type = dv.getUint32(off, le);
    if (type === SHB || dv.getUint32(off, true) === SHB) {
      const magic = dv.getUint32(off + 8, true);
      if (magic !== 0x1a2b3c4d && magic !== 0x4d3c2b1a) throw new InputError(`bad byte-order magic at offset ${off}`, what);
      le = magic === 0x1a2b3c4d;
      type = SHB;
      ifaces = []; // interface ids are per section
    }
    const len = dv.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0) throw new InputError(`bad block length ${len} at offset ${off}`, what);
    if (off + len > buf.length) break; // cut short: keep what came before
    const body = off + 8;
    const end = off + len - 4;
    if (type === IDB) {
      ifaces.push({ linkType: dv.getUint16(body, le), unitsPerS: tsResolution(dv, body + 8, end, le) });
    } else if (type === EPB) {
      const iface = ifaces[dv.getUint32(body, le)];
      if (!iface) throw new InputError(`packet at offset ${off} names an interface that was not described`, what);
      const ts = dv.getUint32(body + 4, le) * 2 ** 32 + dv.getUint32(body + 8, le);
      const caplen = dv.getUint32(body + 12, le);
      const tNs = Math.round((ts / iface.unitsPerS) * 1e9);
      packets.push({ tNs, linkType: iface.linkType, data: buf.slice(body + 20, body + 20 + Math.min(caplen, end - body - 20)) });
    } else if (type === SPB && ifaces[0]) {
      // No time stamp: it takes the previous packet's, so the order stays what the file says.
      const caplen = Math.min(dv.getUint32(body, le), end - body - 4);
      packets.push({ tNs: packets.at(-1)?.tNs ?? 0, linkType: ifaces[0].linkType, data: buf.slice(body + 4, body + 4 + caplen) });
    } else if (type === DSB && dv.getUint32(body, le) === TLS_KEY_LOG) {
      const n = dv.getUint32(body + 4, le);
      keylog += new TextDecoder('latin1').decode(buf.subarray(body + 8, body + 8 + n));
      if (!keylog.endsWith('\n')) keylog += '\n';
    }
    off += len;
  }
  return { packets, keylog };
}
