// Ethernet pcap files (LINKTYPE_ETHERNET): read real captures (tests re-decode the SLAC frames of recorded
// sessions) and write ours (the evidence tshark dissects). Classic libpcap format, either byte order,
// microsecond or nanosecond timestamps.

import { InputError } from '../core/errors.ts';
import { concatBytes } from './bytes.ts';

export const LINKTYPE_ETHERNET = 1;

export interface EthernetRecord {
  /** Capture time, ns since the epoch (or since the run's start, for files we write). */
  tNs: number;
  frame: Buffer;
}

export class PcapFormatError extends InputError {
  override name = 'PcapFormatError';
}

export function parseEthernetPcap(buf: Buffer, file = 'pcap'): EthernetRecord[] {
  if (buf.length < 24) throw new PcapFormatError('shorter than a pcap file header', file);
  const magicLe = buf.readUInt32LE(0);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const magic = le ? magicLe : buf.readUInt32BE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new PcapFormatError(`not a pcap file (magic 0x${magicLe.toString(16)})`, file);
  const nanos = magic === 0xa1b23c4d;
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linktype = u32(20) & 0x0fffffff;
  if (linktype !== LINKTYPE_ETHERNET) throw new PcapFormatError(`link type ${linktype} is not Ethernet (1)`, file);
  const out: EthernetRecord[] = [];
  let at = 24;
  while (at + 16 <= buf.length) {
    const capLen = u32(at + 8);
    const tNs = u32(at) * 1e9 + u32(at + 4) * (nanos ? 1 : 1e3);
    // A file cut off mid-record (capture stopped) keeps every whole record before it.
    if (at + 16 + capLen > buf.length) break;
    out.push({ tNs, frame: buf.subarray(at + 16, at + 16 + capLen) });
    at += 16 + capLen;
  }
  return out;
}

export function formatEthernetPcap(records: Iterable<EthernetRecord>): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b23c4d, 0); // nanosecond timestamps: the clock's own resolution
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  parts.push(h);
  for (const r of records) {
    const rh = Buffer.alloc(16);
    const t = Math.max(0, Math.round(r.tNs));
    rh.writeUInt32LE(Math.floor(t / 1e9), 0);
    rh.writeUInt32LE(t % 1e9, 4);
    rh.writeUInt32LE(r.frame.length, 8);
    rh.writeUInt32LE(r.frame.length, 12);
    parts.push(rh, r.frame);
  }
  return concatBytes(parts);
}
