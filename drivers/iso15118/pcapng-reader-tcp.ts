// The TCP connections of a capture, each direction reassembled in sequence order: every chunk of new
// stream bytes carries the time stamp of the packet that delivered it, so a message's time is the time
// its last byte was on the wire. Ethernet, Linux cooked (SLL/SLL2) and raw IP link types; IPv6 and IPv4.
// Retransmitted bytes are taken once; a segment past a gap waits until the gap is filled.

import type { PcapngPacket } from './pcapng-reader.ts';

export interface StreamChunk {
  tNs: number;
  bytes: Uint8Array;
}

export interface TcpDirection {
  /** 'addr.port' of the sender. */
  from: string;
  chunks: StreamChunk[];
  /** When this side sent FIN or RST (the first one), if it did. */
  closed?: { tNs: number; how: 'FIN' | 'RST' };
}

export interface TcpConnection {
  /** The side that sent the SYN (or, without one in the capture, sent the first payload byte). */
  client: TcpDirection;
  server: TcpDirection;
  firstNs: number;
}

interface Segment {
  tNs: number;
  src: string;
  dst: string;
  seq: number;
  flags: number;
  payload: Uint8Array;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;

function ipText(b: Uint8Array, v6: boolean): string {
  if (!v6) return [...b].join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i] << 8) | b[i + 1]).toString(16));
  return `[${words.join(':')}]`;
}

/** The IP packet inside a link-layer frame, or undefined for anything else. */
function ipPayload(p: PcapngPacket): Uint8Array | undefined {
  const d = p.data;
  let off: number;
  let etherType: number;
  if (p.linkType === 1) [off, etherType] = [14, (d[12] << 8) | d[13]];
  else if (p.linkType === 113) [off, etherType] = [16, (d[14] << 8) | d[15]];
  else if (p.linkType === 276) [off, etherType] = [20, (d[0] << 8) | d[1]];
  else if (p.linkType === 101 || p.linkType === 228 || p.linkType === 229) return d;
  else return undefined;
  while (etherType === 0x8100 && d.length >= off + 4) [etherType, off] = [(d[off + 2] << 8) | d[off + 3], off + 4]; // VLAN tags
  return etherType === 0x86dd || etherType === 0x0800 ? d.subarray(off) : undefined;
}

function tcpSegment(p: PcapngPacket): Segment | undefined {
  const ip = ipPayload(p);
  if (!ip || ip.length < 20) return undefined;
  const v6 = ip[0] >> 4 === 6;
  let proto: number;
  let off: number;
  let total: number;
  let src: string;
  let dst: string;
  if (v6) {
    if (ip.length < 40) return undefined;
    [proto, off, total] = [ip[6], 40, 40 + ((ip[4] << 8) | ip[5])];
    [src, dst] = [ipText(ip.subarray(8, 24), true), ipText(ip.subarray(24, 40), true)];
    // Extension headers (hop-by-hop, routing, destination options) before TCP.
    while ((proto === 0 || proto === 43 || proto === 60) && ip.length >= off + 8) [proto, off] = [ip[off], off + 8 * (ip[off + 1] + 1)];
  } else {
    [proto, off, total] = [ip[9], (ip[0] & 0x0f) * 4, (ip[2] << 8) | ip[3]];
    [src, dst] = [ipText(ip.subarray(12, 16), false), ipText(ip.subarray(16, 20), false)];
  }
  if (proto !== 6 || ip.length < off + 20) return undefined;
  const tcp = ip.subarray(off, Math.min(ip.length, total));
  const dv = new DataView(tcp.buffer, tcp.byteOffset, tcp.byteLength);
  const dataOff = (tcp[12] >> 4) * 4;
  return {
    tNs: p.tNs,
    src: `${src}.${dv.getUint16(0)}`,
    dst: `${dst}.${dv.getUint16(2)}`,
    seq: dv.getUint32(4),
    flags: tcp[13],
    payload: tcp.subarray(Math.min(dataOff, tcp.length)),
  };
}

class Reassembly {
  readonly dir: TcpDirection;
  private next: number | undefined;
  private pending: Segment[] = [];
  constructor(from: string) {
    this.dir = { from, chunks: [] };
  }

  add(s: Segment): void {
    if (s.flags & SYN) this.next = (s.seq + 1) >>> 0;
    if (s.flags & (FIN | RST) && !this.dir.closed) this.dir.closed = { tNs: s.tNs, how: s.flags & RST ? 'RST' : 'FIN' };
    if (!s.payload.length) return;
    this.next ??= s.seq; // capture started mid-connection
    this.pending.push(s);
    this.drain();
  }

  private drain(): void {
    for (let progress = true; progress;) {
      progress = false;
      for (const s of [...this.pending]) {
        const ahead = (s.seq - this.next!) | 0; // signed distance, wraps with the sequence space
        const end = ahead + s.payload.length;
        if (ahead > 0) continue;
        this.pending.splice(this.pending.indexOf(s), 1);
        if (end <= 0) continue; // a retransmission of bytes we have
        this.dir.chunks.push({ tNs: s.tNs, bytes: s.payload.subarray(-ahead) });
        this.next = (this.next! + end) >>> 0;
        progress = true;
      }
    }
  }
}

/** Every TCP connection of the capture, in the order they started. */
export function tcpConnections(packets: readonly PcapngPacket[]): TcpConnection[] {
  const byKey = new Map<string, { a: Reassembly; b: Reassembly; client?: string; firstNs: number; firstData?: string }>();
  for (const p of packets) {
    const s = tcpSegment(p);
    if (!s) continue;
    const key = [s.src, s.dst].sort().join(' ');
    let c = byKey.get(key);
    if (!c || (s.flags & SYN && !(s.flags & 0x10) && c.a.dir.closed && c.b.dir.closed)) {
      // A new SYN on a finished 4-tuple starts a new connection.
      if (c) byKey.set(`${key} #${byKey.size}`, c);
      c = { a: new Reassembly(s.src), b: new Reassembly(s.dst), firstNs: s.tNs };
      byKey.set(key, c);
    }
    if (s.flags & SYN && !(s.flags & 0x10)) c.client ??= s.src;
    if (s.payload.length) c.firstData ??= s.src;
    (s.src === c.a.dir.from ? c.a : c.b).add(s);
  }
  return [...byKey.values()]
    .sort((x, y) => x.firstNs - y.firstNs)
    .map((c) => {
      const client = c.client ?? c.firstData ?? c.a.dir.from;
      const [cl, sv] = client === c.a.dir.from ? [c.a, c.b] : [c.b, c.a];
      return { client: cl.dir, server: sv.dir, firstNs: c.firstNs };
    });
}
