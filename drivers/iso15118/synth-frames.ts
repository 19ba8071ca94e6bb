// Ethernet frames carrying IPv6 TCP segments and UDP datagrams, built from what crossed an in-process link at
// the socket layer, so that its capture reads in Wireshark like the real link's: link-local addresses, the
// ports, TCP sequence and acknowledgement numbers, and checksums that tshark's reassembly and TLS decryption
// accept (RFC 8200 §8.1 pseudo-header; RFC 9293 header; RFC 768).

export interface LinkEnd {
  mac: Uint8Array;
  /** The 16 bytes of an IPv6 address. */
  ip: Uint8Array;
  port: number;
}

export const TCP_FLAGS = { fin: 0x01, syn: 0x02, ack: 0x10, psh: 0x08 } as const;

const ETHERTYPE_IPV6 = 0x86dd;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const HOP_LIMIT = 64;
/** Maximum segment size a 1500-byte Ethernet MTU leaves for TCP over IPv6: offered in SYNs, used to split what was written. */
export const TCP_MSS = 1500 - 40 - 20;
/** The receive window every segment advertises: an in-process link never runs out of buffer. */
const TCP_WINDOW = 64240;

/** The Internet checksum of the IPv6 pseudo-header and the upper-layer packet (its checksum field zero). */
function checksum(src: Uint8Array, dst: Uint8Array, proto: number, packet: Uint8Array): number {
  let sum = 0;
  const add = (b: Uint8Array) => {
    for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0);
  };
  add(src);
  add(dst);
  sum += (packet.length >>> 16) + (packet.length & 0xffff) + proto;
  add(packet);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  return c === 0 ? 0xffff : c; // UDP sends an all-zero result as all ones; the same value is right for TCP
}

/** Ethernet II + IPv6 around an upper-layer packet whose checksum field sits at checksumAt. */
function frame(from: LinkEnd, to: LinkEnd, proto: number, packet: Uint8Array, checksumAt: number): Uint8Array {
  new DataView(packet.buffer, packet.byteOffset).setUint16(checksumAt, checksum(from.ip, to.ip, proto, packet));
  const out = new Uint8Array(14 + 40 + packet.length);
  const dv = new DataView(out.buffer);
  out.set(to.mac, 0);
  out.set(from.mac, 6);
  dv.setUint16(12, ETHERTYPE_IPV6);
  dv.setUint32(14, 0x60000000); // version 6, traffic class and flow label 0
  dv.setUint16(18, packet.length);
  out[20] = proto;
  out[21] = HOP_LIMIT;
  out.set(from.ip, 22);
  out.set(to.ip, 38);
  out.set(packet, 54);
  return out;
}

/** One TCP segment; a SYN offers the MSS (the only option). */
export function tcpFrame(from: LinkEnd, to: LinkEnd, seg: { seq: number; ack: number; flags: number; data?: Uint8Array }): Uint8Array {
  const options = seg.flags & TCP_FLAGS.syn ? new Uint8Array([2, 4, TCP_MSS >> 8, TCP_MSS & 0xff]) : new Uint8Array(0);
  const headerLen = 20 + options.length;
  const data = seg.data ?? new Uint8Array(0);
  const packet = new Uint8Array(headerLen + data.length);
  const dv = new DataView(packet.buffer);
  dv.setUint16(0, from.port);
  dv.setUint16(2, to.port);
  dv.setUint32(4, seg.seq >>> 0);
  dv.setUint32(8, seg.flags & TCP_FLAGS.ack ? seg.ack >>> 0 : 0);
  dv.setUint16(12, ((headerLen / 4) << 12) | seg.flags);
  dv.setUint16(14, TCP_WINDOW);
  packet.set(options, 20);
  packet.set(data, headerLen);
  return frame(from, to, PROTO_TCP, packet, 16);
}

/** One UDP datagram (SDP). */
export function udpFrame(from: LinkEnd, to: LinkEnd, data: Uint8Array): Uint8Array {
  const packet = new Uint8Array(8 + data.length);
  const dv = new DataView(packet.buffer);
  dv.setUint16(0, from.port);
  dv.setUint16(2, to.port);
  dv.setUint16(4, packet.length);
  packet.set(data, 8);
  return frame(from, to, PROTO_UDP, packet, 6);
}
