// The V2G messages of the real cars' DC sessions in ../shared/captures (read there, never copied): each
// pcap's IPv6/TCP streams reassembled per direction, cut into V2GTP frames, and each EXI payload labelled
// with its grammar: supportedAppProtocol first (app), then what its response selected (din or iso2).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeExi, type ExiGrammar } from '../../../drivers/exi/index.ts';
import { parseEthernetPcap } from '../../../drivers/plc/pcap-ethernet.ts';
import { sharedDir } from './vectors.ts';

export const capturesDir = join(sharedDir, 'captures');

export interface CapturedMessage {
  /** Index in the capture's V2G message order (both directions by time). */
  index: number;
  from: 'ev' | 'evse';
  grammar: ExiGrammar;
  payloadType: number;
  exi: Uint8Array;
}

export interface CapturedSession {
  file: string;
  messages: CapturedMessage[];
}

/** The namespaces a supportedAppProtocolReq offers, as our grammars (the -2 first edition of 2010 is not one). */
const GRAMMAR_OF_NAMESPACE: Record<string, ExiGrammar> = {
  'urn:din:70121:2012:MsgDef': 'din',
  'urn:iso:15118:2:2013:MsgDef': 'iso2',
};

export function captureFiles(): string[] {
  if (!existsSync(capturesDir)) return [];
  return readdirSync(capturesDir)
    .filter((f) => f.endsWith('.pcap'))
    .sort();
}

interface Segment {
  tNs: number;
  seq: number;
  payload: Buffer;
}

/** TCP payload segments per direction ('src.port>dst.port'), from Ethernet (optionally VLAN-tagged) IPv6 frames. */
function tcpSegments(file: string): Map<string, Segment[]> {
  const flows = new Map<string, Segment[]>();
  for (const { tNs, frame } of parseEthernetPcap(readFileSync(file), file)) {
    let at = 12;
    while (frame.readUInt16BE(at) === 0x8100) at += 4;
    if (frame.readUInt16BE(at) !== 0x86dd || frame[at + 2 + 6] !== 6) continue; // IPv6 carrying TCP directly
    const ip = at + 2;
    const tcp = ip + 40;
    const payloadLen = frame.readUInt16BE(ip + 4) - (frame[tcp + 12] >> 4) * 4;
    if (payloadLen <= 0) continue;
    const start = tcp + (frame[tcp + 12] >> 4) * 4;
    const key = `${frame.subarray(ip + 8, ip + 24).toString('hex')}.${frame.readUInt16BE(tcp)}>${frame.subarray(ip + 24, ip + 40).toString('hex')}.${frame.readUInt16BE(tcp + 2)}`;
    const list = flows.get(key) ?? [];
    list.push({ tNs, seq: frame.readUInt32BE(tcp + 4), payload: frame.subarray(start, start + payloadLen) });
    flows.set(key, list);
  }
  return flows;
}

/** V2GTP frames of one direction in stream order; a retransmitted segment is taken once. */
function v2gtpFrames(segments: Segment[]): Array<{ tNs: number; payloadType: number; payload: Uint8Array }> {
  const bySeq = new Map<number, Segment>();
  for (const s of segments) if (!bySeq.has(s.seq)) bySeq.set(s.seq, s);
  const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const frames: Array<{ tNs: number; payloadType: number; payload: Uint8Array }> = [];
  let stream: Buffer = Buffer.alloc(0);
  let next = ordered[0]?.seq;
  for (const s of ordered) {
    if (s.seq + s.payload.length <= next) continue; // wholly seen before
    stream = Buffer.concat([stream, s.payload.subarray(next - s.seq)] as Uint8Array[]);
    next = s.seq + s.payload.length;
    while (stream.length >= 8 && stream[0] === 0x01 && stream[1] === 0xfe && stream.length >= 8 + stream.readUInt32BE(4)) {
      const len = stream.readUInt32BE(4);
      frames.push({ tNs: s.tNs, payloadType: stream.readUInt16BE(2), payload: new Uint8Array(stream.subarray(8, 8 + len)) });
      stream = stream.subarray(8 + len);
    }
  }
  return frames;
}

/** One capture's V2G messages, each with the grammar its session negotiated. */
export function readCapturedSession(name: string): CapturedSession {
  const flows = [...tcpSegments(join(capturesDir, name)).entries()];
  // The V2G connection: the one whose streams carry V2GTP (the client side is the EV).
  const v2g = flows.map(([key, segs]) => ({ key, frames: v2gtpFrames(segs) })).filter((f) => f.frames.length > 0);
  if (v2g.length !== 2) throw new Error(`${name}: expected one V2G TCP connection (two directions), found ${v2g.length} directions`);
  const [a, b] = v2g;
  const ev = a.frames[0].tNs <= b.frames[0].tNs ? a : b;
  const all = [
    ...ev.frames.map((f) => ({ ...f, from: 'ev' as const })),
    ...(ev === a ? b : a).frames.map((f) => ({ ...f, from: 'evse' as const })),
  ].sort((x, y) => x.tNs - y.tNs || (x.from === 'ev' ? -1 : 1));
  const sapReq = decodeExi('app', all[0].payload) as {
    supportedAppProtocolReq?: { AppProtocol: Array<{ ProtocolNamespace: string; SchemaID: number }> };
  };
  const sapRes = decodeExi('app', all[1].payload) as { supportedAppProtocolRes?: { SchemaID?: number } };
  const chosen = sapReq.supportedAppProtocolReq?.AppProtocol.find((p) => p.SchemaID === sapRes.supportedAppProtocolRes?.SchemaID);
  const grammar = chosen && GRAMMAR_OF_NAMESPACE[chosen.ProtocolNamespace];
  if (!grammar) throw new Error(`${name}: supportedAppProtocol selected ${JSON.stringify(chosen)}, not DIN 70121 or ISO 15118-2 (2013)`);
  return {
    file: name,
    messages: all.map((m, index) => ({
      index,
      from: m.from,
      grammar: index < 2 ? 'app' : grammar,
      payloadType: m.payloadType,
      exi: m.payload,
    })),
  };
}
