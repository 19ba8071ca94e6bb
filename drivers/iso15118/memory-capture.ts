// The capture of an in-process V2G link (the virtual bench's memory link): what crosses it at the socket layer
// (each connection's byte stream both ways, TLS records as they are when TLS runs on it, SDP datagrams) written
// as the Ethernet frames the real link would carry, stamped on the bench clock, to a pcap file that grows as
// tcpdump's does. The addresses are the veth bench's link-local ones; ports and initial sequence numbers are
// fixed per connection number, so a virtual run writes the same capture every time.

import type { Clock } from '../core/clock.ts';
import type { StreamTap } from '../core/memory-stream.ts';
import { ipv6ToBytes } from './ipv6-text.ts';
import { PcapWriter } from './pcap-writer.ts';
import { SDP_MULTICAST_ADDRESS } from './sdp-codec.ts';
import { TCP_FLAGS, TCP_MSS, tcpFrame, udpFrame, type LinkEnd } from './synth-frames.ts';
import { VETH_CHARGER_ADDRESS, VETH_EV_ADDRESS } from './veth.ts';

/** Locally administered MACs, one per end; the multicast MAC of ff02::1 (RFC 2464 §7). */
const EV_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x02]);
const CHARGER_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x01]);
const ALL_NODES_MAC = new Uint8Array([0x33, 0x33, 0, 0, 0, 0x01]);
/** The charger's V2G port: one from the dynamic range, as an SDP response would announce it. */
const CHARGER_TCP_PORT = 50000;
/** The vehicle's ephemeral ports, one per connection or SDP exchange. */
const EV_FIRST_PORT = 49152;
/** ISO 15118-2 / -20 SDP server port. */
const SDP_PORT = 15118;

const evEnd = (port: number): LinkEnd => ({ mac: EV_MAC, ip: ipv6ToBytes(VETH_EV_ADDRESS), port });
const chargerEnd = (port: number): LinkEnd => ({ mac: CHARGER_MAC, ip: ipv6ToBytes(VETH_CHARGER_ADDRESS), port });

/** Which end of an in-process connection: 0 the vehicle's, 1 the charger's (memoryLinkPair's order). */
type Side = 0 | 1;

/** One in-process connection as TCP: the handshake when it opens, a segment per MSS of what each side writes, FIN on close. */
class TcpConversation implements StreamTap {
  private readonly ends: [LinkEnd, LinkEnd];
  /** Each side's next sequence number. */
  private readonly seq: [number, number];
  private readonly closed: [boolean, boolean] = [false, false];

  constructor(
    private readonly put: (frame: Uint8Array) => void,
    n: number,
  ) {
    this.ends = [evEnd(EV_FIRST_PORT + (n % 16384)), chargerEnd(CHARGER_TCP_PORT)];
    // Initial sequence numbers: fixed per connection (deterministic), far apart so the two directions never look alike.
    this.seq = [Math.imul(n + 1, 0x9e3779b1) >>> 0, Math.imul(n + 1, 0x85ebca6b) >>> 0];
    this.segment(0, TCP_FLAGS.syn);
    this.seq[0]++;
    this.segment(1, TCP_FLAGS.syn | TCP_FLAGS.ack);
    this.seq[1]++;
    this.segment(0, TCP_FLAGS.ack);
  }

  private segment(from: Side, flags: number, data?: Uint8Array): void {
    const to = from === 0 ? 1 : 0;
    this.put(tcpFrame(this.ends[from], this.ends[to], { seq: this.seq[from], ack: this.seq[to], flags, data }));
  }

  data(from: Side, chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length; off += TCP_MSS) {
      const data = chunk.subarray(off, off + TCP_MSS);
      this.segment(from, TCP_FLAGS.ack | TCP_FLAGS.psh, data);
      this.seq[from] = (this.seq[from] + data.length) >>> 0;
    }
  }

  end(from: Side): void {
    if (this.closed[from]) return;
    this.closed[from] = true;
    this.segment(from, TCP_FLAGS.fin | TCP_FLAGS.ack);
    this.seq[from] = (this.seq[from] + 1) >>> 0;
    this.segment(from === 0 ? 1 : 0, TCP_FLAGS.ack);
  }
}

/** The capture of one in-process link: every connection and datagram on it, in one pcap file. */
export class MemoryLinkRecorder {
  private readonly writer: PcapWriter;
  private ports = 0;

  constructor(file: string) {
    this.writer = new PcapWriter(file);
  }

  get file(): string {
    return this.writer.file;
  }

  private stamped(clock: Clock): (frame: Uint8Array) => void {
    return (frame) => this.writer.write(clock.wallMs() * 1000, frame);
  }

  /** A connection the vehicle opens now: its handshake is written at once, its bytes and close as they cross. */
  connection(clock: Clock): StreamTap {
    return new TcpConversation(this.stamped(clock), this.ports++);
  }

  /** An SDP datagram: the vehicle's request to the all-nodes group, the charger's response back to the vehicle's port. */
  sdp(clock: Clock, from: Side, data: Uint8Array): void {
    if (from === 0) this.ports++;
    const ev = evEnd(EV_FIRST_PORT + ((this.ports - 1) % 16384));
    const group: LinkEnd = { mac: ALL_NODES_MAC, ip: ipv6ToBytes(SDP_MULTICAST_ADDRESS), port: SDP_PORT };
    const frame = from === 0 ? udpFrame(ev, group, data) : udpFrame(chargerEnd(SDP_PORT), ev, data);
    this.stamped(clock)(frame);
  }

  /** What was recorded is in the file (before a test's window is cut from it). */
  flush(): void {
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
  }
}

/** The tap of a new in-process connection of vehicle `ev`, or none when its link is not captured. */
type TapFor = (ev: string, clock: Clock) => StreamTap | undefined;

let tapFor: TapFor | undefined;

/** The run sets who records in-process connections (undefined: nobody). */
export function setMemoryLinkTaps(fn: TapFor | undefined): void {
  tapFor = fn;
}

/** Called where an in-process connection is made (memoryLinkPair). */
export function memoryLinkTap(ev: string, clock: Clock): StreamTap | undefined {
  return tapFor?.(ev, clock);
}
