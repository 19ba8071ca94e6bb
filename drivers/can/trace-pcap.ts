// pcap with LINKTYPE_CAN_SOCKETCAN (227), readable by Wireshark and tcpdump. Each packet is the Linux
// SocketCAN frame with the id word BIG-endian (tcpdump.org LINKTYPE_CAN_SOCKETCAN):
//   u32 can_id | EFF 0x80000000 | RTR 0x40000000 | ERR 0x20000000;  u8 len;  u8 fd flags (BRS 1, ESI 2, FDF 4);
//   u8 reserved; u8 reserved; data padded to 8 (classic, 16-byte packet) or 64 (FD, 72-byte packet).
// The file header and record headers are little-endian with µs timestamps (classic libpcap magic).

import { CAN_EFF_FLAG, CAN_EFF_MAX, CAN_ERR_FLAG, CAN_RTR_FLAG, type CanFrame } from './frame.ts';
import { TraceFormatError, type TraceRecord } from './trace-record.ts';

export const LINKTYPE_CAN_SOCKETCAN = 227;
const PCAP_MAGIC_US = 0xa1b2c3d4;

export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(PCAP_MAGIC_US, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(72, 16); // snaplen: the largest (FD) frame
  h.writeUInt32LE(LINKTYPE_CAN_SOCKETCAN, 20);
  return h;
}

export function socketcanPacket(frame: CanFrame): Buffer {
  const dataLen = frame.fd ? 64 : 8;
  const p = Buffer.alloc(8 + dataLen);
  let id = frame.id & CAN_EFF_MAX;
  if (frame.extended || frame.error) id |= CAN_EFF_FLAG;
  if (frame.rtr) id |= CAN_RTR_FLAG;
  if (frame.error) id = (frame.id & CAN_EFF_MAX) | CAN_ERR_FLAG;
  p.writeUInt32BE(id >>> 0, 0);
  p.writeUInt8(frame.data.length, 4);
  p.writeUInt8(frame.fd ? 0x04 | (frame.brs ? 1 : 0) | (frame.esi ? 2 : 0) : 0, 5);
  if (!frame.rtr) p.set(frame.data, 8);
  return p;
}

export function pcapRecord(r: TraceRecord): Buffer {
  const pkt = socketcanPacket(r.frame);
  const h = Buffer.alloc(16);
  const us = Math.max(0, Math.round(r.epochUs));
  h.writeUInt32LE(Math.floor(us / 1e6), 0);
  h.writeUInt32LE(us % 1e6, 4);
  h.writeUInt32LE(pkt.length, 8);
  h.writeUInt32LE(pkt.length, 12);
  return concatBytes([h, pkt]);
}

export function formatPcap(records: Iterable<TraceRecord>): Buffer {
  const parts: Buffer[] = [pcapHeader()];
  for (const r of records) parts.push(pcapRecord(r));
  return concatBytes(parts);
}

// Buffer.concat's typing clashes with TS 5.9's generic Uint8Array under @types/node 20; copy by hand.
function concatBytes(parts: Buffer[]): Buffer {
  const out = Buffer.alloc(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p as unknown as Uint8Array, off);
    off += p.length;
  }
  return out;
}

/** Read a LINKTYPE 227 capture (either byte order of the file header; µs or ns magic). */
export function parsePcap(buf: Buffer, file = 'pcap', bus = 'can0'): TraceRecord[] {
  if (buf.length < 24) throw new TraceFormatError('shorter than a pcap header', file);
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  let nanos = false;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nanos = magicLE === 0xa1b23c4d;
  } else if (buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d) {
    le = false;
    nanos = buf.readUInt32BE(0) === 0xa1b23c4d;
  } else throw new TraceFormatError('not a pcap file (bad magic; pcapng is not supported)', file);
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20);
  if (linktype !== LINKTYPE_CAN_SOCKETCAN)
    throw new TraceFormatError(`link type ${linktype}, expected ${LINKTYPE_CAN_SOCKETCAN} (CAN_SOCKETCAN)`, file);
  const out: TraceRecord[] = [];
  let off = 24;
  let n = 0;
  while (off < buf.length) {
    n++;
    const where = `${file} packet ${n}`;
    if (off + 16 > buf.length) throw new TraceFormatError('truncated record header', where);
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    off += 16;
    if (incl < 8 || off + incl > buf.length) throw new TraceFormatError(`truncated packet (${incl} bytes)`, where);
    const idw = buf.readUInt32BE(off);
    const len = buf.readUInt8(off + 4);
    const flags = buf.readUInt8(off + 5);
    const fd = !!(flags & 0x04) || incl === 72;
    if (len > (fd ? 64 : 8) || 8 + len > incl) throw new TraceFormatError(`payload length ${len} in a ${incl}-byte packet`, where);
    const frame: CanFrame = {
      id: idw & CAN_EFF_MAX,
      extended: !!(idw & CAN_EFF_FLAG),
      data: Uint8Array.from(buf.subarray(off + 8, off + 8 + len)),
    };
    if (idw & CAN_ERR_FLAG) Object.assign(frame, { error: true, extended: true }); // error class: 29 bits, like candump's reader
    if (idw & CAN_RTR_FLAG) frame.rtr = true;
    if (fd) Object.assign(frame, { fd: true, brs: !!(flags & 1), esi: !!(flags & 2) });
    if (!frame.extended && !frame.error) frame.id &= 0x7ff;
    out.push({ epochUs: sec * 1e6 + (nanos ? Math.round(frac / 1000) : frac), bus, frame });
    off += incl;
  }
  return out;
}
