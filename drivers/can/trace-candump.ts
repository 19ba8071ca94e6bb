// can-utils candump log format (`candump -L`, read by canplayer, log2asc and python-can's LogReader):
//   (1703560127.487397) can0 1826F456#010100          classic, 3-digit id = 11-bit, 8-digit = 29-bit
//   (1703560127.487397) can0 123#R  /  123#R7         remote frame (with DLC)
//   (1703560127.487397) can0 123##1AABBCC            CAN FD: flags nibble (BRS 1, ESI 2) then data
//   (1703560127.487397) can0 20000080#0000000000000000  error frame: CAN_ERR_FLAG | error class
// optionally followed by ' R' / ' T' (candump -x direction; python-can always writes it).

import { CAN_EFF_MAX, CAN_ERR_FLAG, CanFrameError, dataHex, hexData, idText, type CanFrame } from './frame.ts';
import { TraceFormatError, type TraceRecord } from './trace-record.ts';

export interface CandumpWriteOptions {
  /** Append ' R'/' T' when the record has a direction (candump -x style). Default false (plain candump -L). */
  direction?: boolean;
}

/** `(sec.usec)` with candump's zero padding. */
export function candumpTimestamp(epochUs: number): string {
  const us = Math.max(0, Math.round(epochUs));
  return `(${String(Math.floor(us / 1e6)).padStart(10, '0')}.${String(us % 1e6).padStart(6, '0')})`;
}

/** The frame part of a candump line. */
export function candumpFrame(frame: CanFrame): string {
  if (frame.error) return `${((frame.id | CAN_ERR_FLAG) >>> 0).toString(16).toUpperCase().padStart(8, '0')}#${dataHex(frame.data)}`;
  // Only BRS/ESI go in the flags nibble (what candump prints and python-can's reader expects).
  if (frame.fd) return `${idText(frame)}##${((frame.brs ? 1 : 0) | (frame.esi ? 2 : 0)).toString(16).toUpperCase()}${dataHex(frame.data)}`;
  if (frame.rtr) return `${idText(frame)}#R${frame.data.length ? frame.data.length.toString(16).toUpperCase() : ''}`;
  return `${idText(frame)}#${dataHex(frame.data)}`;
}

export function formatCandumpLine(r: TraceRecord, opts: CandumpWriteOptions = {}): string {
  if (!/^\S+$/.test(r.bus)) throw new CanFrameError(`bus name '${r.bus}' must be one word for a candump log`, 'candump writer');
  const dir = opts.direction && r.dir ? (r.dir === 'rx' ? ' R' : ' T') : '';
  return `${candumpTimestamp(r.epochUs)} ${r.bus} ${candumpFrame(r.frame)}${dir}`;
}

const LINE = /^\((\d+)\.(\d+)\)\s+(\S+)\s+(\S+)(?:\s+([RrTt]))?\s*$/;

/** Parse one candump line; TraceFormatError (with where) when it is not one. */
export function parseCandumpLine(line: string, where: string): TraceRecord {
  const m = LINE.exec(line.trim());
  if (!m) throw new TraceFormatError(`not a candump log line: '${line.slice(0, 80)}'`, where);
  const [, sec, frac, bus, text, dirChar] = m;
  // 6 digits = µs, 9 = ns (candump -N); anything else is scaled as a decimal fraction.
  const epochUs = Number(sec) * 1e6 + Math.round(Number(`0.${frac}`) * 1e6);
  const r: TraceRecord = { epochUs, bus, frame: parseCandumpFrame(text, where) };
  if (dirChar) r.dir = dirChar.toUpperCase() === 'R' ? 'rx' : 'tx';
  return r;
}

export function parseCandumpFrame(text: string, where: string): CanFrame {
  const hash = text.indexOf('#');
  if (hash < 0) throw new TraceFormatError(`frame '${text}' has no '#'`, where);
  const idTok = text.slice(0, hash);
  let rest = text.slice(hash + 1);
  if (!/^[0-9A-Fa-f]+$/.test(idTok) || (idTok.length !== 3 && idTok.length !== 8))
    throw new TraceFormatError(`identifier '${idTok}' must be 3 (11-bit) or 8 (29-bit) hex digits`, where);
  const raw = parseInt(idTok, 16);
  try {
    if (idTok.length === 8 && raw & CAN_ERR_FLAG) {
      return { id: raw & CAN_EFF_MAX, extended: true, error: true, data: hexData(rest, where) };
    }
    const extended = idTok.length === 8;
    const id = extended ? raw & CAN_EFF_MAX : raw;
    if (!extended && id > 0x7ff) throw new TraceFormatError(`11-bit identifier '${idTok}' exceeds 0x7FF`, where);
    if (rest.startsWith('#')) {
      const flags = parseInt(rest[1] ?? 'x', 16);
      if (Number.isNaN(flags)) throw new TraceFormatError(`CAN FD frame '${text}' lacks its flags digit`, where);
      const data = hexData(rest.slice(2), where);
      if (data.length > 64) throw new TraceFormatError(`CAN FD frame with ${data.length} bytes`, where);
      return { id, extended, fd: true, brs: !!(flags & 1), esi: !!(flags & 2), data };
    }
    if (rest[0] === 'R' || rest[0] === 'r') {
      // R, R7, R8_9 (len8_dlc): the DLC digit is what matters
      const dlcTok = rest.slice(1).split('_')[0];
      const dlc = dlcTok ? parseInt(dlcTok, 16) : 0;
      if (Number.isNaN(dlc) || dlc > 8) throw new TraceFormatError(`remote frame DLC '${dlcTok}'`, where);
      return { id, extended, rtr: true, data: new Uint8Array(dlc) };
    }
    const us = rest.indexOf('_'); // 11223344_E: len8_dlc of an 8-byte frame; the payload is still 8 bytes
    if (us >= 0) rest = rest.slice(0, us);
    const data = hexData(rest, where);
    if (data.length > 8) throw new TraceFormatError(`classic frame with ${data.length} bytes (FD frames use '##')`, where);
    return { id, extended, data };
  } catch (err) {
    if (err instanceof TraceFormatError) throw err;
    throw new TraceFormatError((err as Error).message.replace(`${where}: `, ''), where, { cause: err });
  }
}

/**
 * Parse a whole log. Comment lines ('#', '//') and blank lines are skipped; so are DROPCOUNT lines.
 * With `tolerant`, bad lines are collected in `errors` instead of stopping the read.
 */
export function parseCandump(
  text: string,
  file = 'candump log',
  opts: { tolerant?: boolean } = {},
): { records: TraceRecord[]; errors: TraceFormatError[] } {
  const records: TraceRecord[] = [];
  const errors: TraceFormatError[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#') || line.startsWith('//') || line.startsWith('DROPCOUNT')) continue;
    try {
      records.push(parseCandumpLine(line, `${file}:${i + 1}`));
    } catch (err) {
      if (!opts.tolerant) throw err;
      errors.push(err as TraceFormatError);
    }
  }
  return { records, errors };
}

export function formatCandump(records: Iterable<TraceRecord>, opts: CandumpWriteOptions = {}): string {
  let out = '';
  for (const r of records) out += formatCandumpLine(r, opts) + '\n';
  return out;
}
