// A captured V2G link as the vehicle's timeline would have recorded it: each TCP connection reassembled,
// TLS 1.3 decrypted with the key log (the capture's own Decryption Secrets Block, or a side file), split into
// V2GTP frames, EXI-decoded with our codec, and written as 'v2g' events of source 'ev' — direction, message,
// decoded document, and for a response the time since the request (both stamped when their last byte was
// on the wire). The connection's end (FIN/RST by either side) is a 'v2g' event with `closed` too.

import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import type { TimelineEvent } from '../core/timeline.ts';
import { loadMessageCodec, type MessageCodec } from './evcc/codec.ts';
import { grammarOfPayloadType } from './evcc/messages.ts';
import { safeRoot } from './evcc/record.ts';
import { readCapture } from './pcapng-reader.ts';
import { tcpConnections, type StreamChunk, type TcpConnection } from './pcapng-reader-tcp.ts';
import { decryptTls13, parseKeylog, startsWithTls } from './tls13-decrypt.ts';
import { encodeV2gtp, payloadTypeLabel, toHex, V2gtpReader } from './v2gtp.ts';

export const CAPTURE_SOURCE = 'ev';

export interface CaptureEvents {
  events: TimelineEvent[];
  /** What the reader found, for the judged run's notes (connections, TLS suite, undecryptable records). */
  notes: string[];
}

interface Frame {
  tNs: number;
  dir: 'tx' | 'rx';
  payloadType: number;
  payload: Uint8Array;
}

function frames(chunks: readonly StreamChunk[], dir: 'tx' | 'rx', where: string): { frames: Frame[]; error?: string } {
  const reader = new V2gtpReader({ where });
  const out: Frame[] = [];
  try {
    for (const c of chunks) for (const f of reader.push(c.bytes)) out.push({ tNs: c.tNs, dir, ...f });
  } catch (e) {
    return { frames: out, error: (e as Error).message };
  }
  return { frames: out };
}

function decode(codec: MessageCodec, f: Frame): Record<string, unknown> {
  const grammar = grammarOfPayloadType(f.payloadType);
  if (!grammar) return { message: '(unsupported payload type)', decodeError: `payload type ${payloadTypeLabel(f.payloadType)}` };
  try {
    const doc = codec.decode(grammar, f.payload);
    return { message: safeRoot(doc), doc };
  } catch (e) {
    return { message: '(undecodable)', decodeError: (e as Error).message };
  }
}

/** The V2G events of a capture file; keylogFile adds to (or stands in for) the keys embedded in it. */
export async function v2gEventsFromCapture(file: string, keylogFile?: string): Promise<CaptureEvents> {
  const cap = readCapture(new Uint8Array(readFileSync(file)), file);
  const keylog = parseKeylog(cap.keylog + (keylogFile ? readFileSync(keylogFile, 'latin1') : ''));
  const codec = await loadMessageCodec();
  const conns = tcpConnections(cap.packets).filter((c) => c.client.chunks.length && c.server.chunks.length);
  if (!conns.length) throw new InputError('no TCP connection with data both ways in the capture (is it the V2G link?)', file);
  const t0 = cap.packets[0].tNs;
  const notes: string[] = [];
  const events: TimelineEvent[] = [];
  const rec = (tNs: number, data: Record<string, unknown>) =>
    events.push({ seq: 0, t: tNs - t0, kind: 'v2g', source: CAPTURE_SOURCE, data });
  conns.forEach((conn, i) => {
    const name = `${conn.client.from} → ${conn.server.from}`;
    const { tx, rx, note } = plainStreams(conn, keylog, `${file} connection ${i + 1}`);
    notes.push(`connection ${i + 1} (${name}): ${note}`);
    const both = [frames(tx, 'tx', `${name} vehicle→charger`), frames(rx, 'rx', `${name} charger→vehicle`)];
    for (const b of both) if (b.error) notes.push(`connection ${i + 1}: ${b.error}`);
    let lastTx: number | undefined;
    for (const f of [...both[0].frames, ...both[1].frames].sort((a, b) => a.tNs - b.tNs || (a.dir === 'tx' ? -1 : 1))) {
      const responseMs = f.dir === 'rx' && lastTx !== undefined ? (f.tNs - lastTx) / 1e6 : undefined;
      if (f.dir === 'tx') lastTx = f.tNs;
      rec(f.tNs, {
        dir: f.dir,
        payloadType: f.payloadType,
        payloadTypeName: payloadTypeLabel(f.payloadType),
        hex: toHex(encodeV2gtp(f.payloadType, f.payload)),
        connection: name,
        codec: codec.name,
        ...decode(codec, f),
        ...(responseMs !== undefined && { responseMs }),
      });
    }
    for (const [side, d] of [
      ['vehicle', conn.client],
      ['charger', conn.server],
    ] as const)
      if (d.closed) rec(d.closed.tNs, { closed: true, by: side, how: d.closed.how, connection: name });
  });
  events.sort((a, b) => a.t - b.t);
  events.forEach((e, i) => (e.seq = i + 1));
  return { events, notes };
}

function plainStreams(
  conn: TcpConnection,
  keylog: ReturnType<typeof parseKeylog>,
  where: string,
): { tx: StreamChunk[]; rx: StreamChunk[]; note: string } {
  if (!startsWithTls(conn.client.chunks)) return { tx: conn.client.chunks, rx: conn.server.chunks, note: 'plain TCP (no TLS)' };
  if (!keylog.size) throw new InputError('the connection uses TLS and there is no key log (none embedded: give --keylog FILE)', where);
  let d: ReturnType<typeof decryptTls13>;
  try {
    d = decryptTls13(conn, keylog);
  } catch (e) {
    throw new InputError((e as Error).message, where);
  }
  const bad = d.client.undecryptable + d.server.undecryptable;
  return { tx: d.client.chunks, rx: d.server.chunks, note: `TLS 1.3 ${d.suite}${bad ? `, ${bad} record(s) not decryptable` : ''}` };
}
