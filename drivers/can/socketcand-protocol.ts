// The socketcand ASCII protocol (linux-can/socketcand doc/protocol.md, rawmode): every message is
// `< … >` with single-space separated tokens and no line terminators. This file splits a TCP byte stream
// into messages and converts frames to and from their text; the hub and the client share it.

import { CAN_EFF_MAX, CAN_SFF_MAX, CanFrameError, dataHex, fdFlags, type CanFrame } from './frame.ts';

/** socketcand's default TCP port. */
export const SOCKETCAND_PORT = 29536;
/** Longest message we accept before calling the stream malformed (an FD send is ~230 characters). */
export const MAX_MESSAGE_CHARS = 1024;

export class SocketcandSyntaxError extends CanFrameError {
  override name = 'SocketcandSyntaxError';
}

/**
 * Accumulates stream text and yields complete `< … >` messages. Text outside a message is skipped (and
 * reported), a message that never closes within MAX_MESSAGE_CHARS is dropped (and reported).
 */
export class MessageSplitter {
  private buf = '';

  /** Feed a chunk; returns the complete messages (inner text, trimmed) and any junk that was skipped. */
  push(chunk: string): { messages: string[]; junk: string[] } {
    this.buf += chunk;
    const messages: string[] = [];
    const junk: string[] = [];
    let pos = 0;
    for (;;) {
      const start = this.buf.indexOf('<', pos);
      if (start < 0) {
        const rest = this.buf.slice(pos);
        if (rest.trim()) junk.push(rest.trim());
        pos = this.buf.length;
        break;
      }
      const between = this.buf.slice(pos, start);
      if (between.trim()) junk.push(between.trim());
      const end = this.buf.indexOf('>', start + 1);
      if (end < 0) {
        pos = start;
        if (this.buf.length - start > MAX_MESSAGE_CHARS) {
          junk.push(this.buf.slice(start, start + 60) + '…');
          pos = this.buf.length;
        }
        break;
      }
      const nested = this.buf.indexOf('<', start + 1);
      if (nested >= 0 && nested < end) {
        // '< abc < send … >': the first message never closed; resync on the inner '<'
        junk.push(this.buf.slice(start, nested).trim());
        pos = nested;
        continue;
      }
      messages.push(this.buf.slice(start + 1, end).trim());
      pos = end + 1;
    }
    this.buf = this.buf.slice(pos);
    return { messages, junk };
  }
}

/** Tokens of a message's inner text ('send 123 2 a b' → ['send','123','2','a','b']). */
export function tokens(inner: string): string[] {
  return inner.split(/\s+/).filter(Boolean);
}

function parseHexToken(tok: string | undefined, what: string, where: string): number {
  if (tok === undefined || !/^[0-9a-fA-F]{1,8}$/.test(tok)) throw new SocketcandSyntaxError(`${what} '${tok ?? ''}' is not hex`, where);
  return parseInt(tok, 16);
}

/**
 * `< send ID DLC b0 … >` (socketcand: DLC decimal 0..8, ID of exactly 8 characters ⇒ extended).
 * Tolerant where it costs nothing: an ID above 0x7FF with fewer digits (python-can prints ids unpadded)
 * is taken as extended rather than truncated; the DLC may also be hex (python-can prints `{len:X}`).
 */
export function parseSend(tk: string[], where: string): CanFrame {
  const idTok = tk[1];
  const id = parseHexToken(idTok, 'identifier', where);
  const dlcTok = tk[2];
  if (dlcTok === undefined || !/^[0-9a-fA-F]{1,2}$/.test(dlcTok))
    throw new SocketcandSyntaxError(`length '${dlcTok ?? ''}' is not a number`, where);
  const dlc = parseInt(dlcTok, 16); // 0..8 reads the same in decimal and hex
  if (dlc > 8) throw new SocketcandSyntaxError(`length ${dlc} > 8 (use fdsend for CAN FD)`, where);
  const bytes = tk.slice(3);
  if (bytes.length !== dlc) throw new SocketcandSyntaxError(`length ${dlc} but ${bytes.length} data bytes`, where);
  const data = Uint8Array.from(bytes.map((b) => parseByte(b, where)));
  const extended = idTok!.length === 8 || id > CAN_SFF_MAX;
  if (id > CAN_EFF_MAX) throw new SocketcandSyntaxError(`identifier 0x${idTok} exceeds 29 bits`, where);
  return { id, extended, data };
}

/** `< fdsend ID FLAGS LEN b0 … >` (socketcand FD extension: flags hex, LEN decimal). */
export function parseFdSend(tk: string[], where: string): CanFrame {
  const idTok = tk[1];
  const id = parseHexToken(idTok, 'identifier', where);
  const flags = parseHexToken(tk[2], 'flags', where);
  const lenTok = tk[3];
  if (lenTok === undefined || !/^\d{1,2}$/.test(lenTok))
    throw new SocketcandSyntaxError(`length '${lenTok ?? ''}' is not a decimal number`, where);
  const len = Number(lenTok);
  const bytes = tk.slice(4);
  if (bytes.length !== len) throw new SocketcandSyntaxError(`length ${len} but ${bytes.length} data bytes`, where);
  const extended = idTok!.length === 8 || id > CAN_SFF_MAX;
  if (id > CAN_EFF_MAX) throw new SocketcandSyntaxError(`identifier 0x${idTok} exceeds 29 bits`, where);
  return { id, extended, fd: true, brs: !!(flags & 1), esi: !!(flags & 2), data: Uint8Array.from(bytes.map((b) => parseByte(b, where))) };
}

function parseByte(b: string, where: string): number {
  if (!/^[0-9a-fA-F]{1,2}$/.test(b)) throw new SocketcandSyntaxError(`data byte '${b}' is not 1–2 hex digits`, where);
  return parseInt(b, 16);
}

/** What a client sends: `< send 1826F456 3 01 01 00 >` or `< fdsend 123 05 12 … >`. */
export function formatSend(frame: CanFrame): string {
  const id = frame.id
    .toString(16)
    .toUpperCase()
    .padStart(frame.extended ? 8 : 3, '0');
  const bytes = Array.from(frame.data, (b) => b.toString(16).toUpperCase().padStart(2, '0'));
  if (frame.fd)
    return `< fdsend ${id} ${fdFlags(frame).toString(16).toUpperCase().padStart(2, '0')} ${frame.data.length}${bytes.length ? ' ' + bytes.join(' ') : ''} >`;
  return `< send ${id} ${frame.data.length}${bytes.length ? ' ' + bytes.join(' ') : ''} >`;
}

/** Epoch µs as socketcand's `sec.usec`. */
export function secUsec(epochUs: number): string {
  const us = Math.max(0, Math.round(epochUs));
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/**
 * What the server sends for a received frame. Byte-for-byte like socketcand: `< frame %03X|%08X sec.usec DATA >`
 * with the data as one upper-case hex run, so an empty frame reads `< frame 123 1.000000  >` (two spaces,
 * which python-can relies on to find an empty data field).
 */
export function formatFrame(frame: CanFrame, epochUs: number): string {
  const ts = secUsec(epochUs);
  if (frame.error) return `< error ${frame.id.toString(16).toUpperCase().padStart(3, '0')} ${ts} >`;
  const id = frame.id
    .toString(16)
    .toUpperCase()
    .padStart(frame.extended ? 8 : 3, '0');
  if (frame.fd) return `< fdframe ${id} ${fdFlags(frame).toString(16).toUpperCase().padStart(2, '0')} ${ts} ${dataHex(frame.data)} >`;
  return `< frame ${id} ${ts} ${dataHex(frame.data)} >`;
}

/** Parse a server `frame` / `fdframe` / `error` message; returns the frame and its wire timestamp (epoch µs). */
export function parseServerFrame(tk: string[], where: string): { frame: CanFrame; epochUs: number } {
  const kind = tk[0];
  if (kind === 'error') {
    const id = parseHexToken(tk[1], 'error class', where);
    return { frame: { id, extended: true, error: true, data: new Uint8Array(8) }, epochUs: parseTs(tk[2], where) };
  }
  const fd = kind === 'fdframe';
  const idTok = tk[1];
  const id = parseHexToken(idTok, 'identifier', where);
  const flags = fd ? parseHexToken(tk[2], 'flags', where) : 0;
  const tsTok = tk[fd ? 3 : 2];
  const hex = tk[fd ? 4 : 3] ?? '';
  if (tk.length > (fd ? 5 : 4)) throw new SocketcandSyntaxError(`unexpected tokens after the data: '${tk.join(' ')}'`, where);
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new SocketcandSyntaxError(`data '${hex}' is not an even run of hex digits`, where);
  const data = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (data.length > (fd ? 64 : 8))
    throw new SocketcandSyntaxError(`${data.length} data bytes in a ${fd ? 'CAN FD' : 'classic'} frame`, where);
  const frame: CanFrame = { id, extended: idTok!.length > 3 || id > CAN_SFF_MAX, data };
  if (fd) Object.assign(frame, { fd: true, brs: !!(flags & 1), esi: !!(flags & 2) });
  return { frame, epochUs: parseTs(tsTok, where) };
}

function parseTs(tok: string | undefined, where: string): number {
  const m = tok === undefined ? null : /^(\d+)\.(\d{1,9})$/.exec(tok);
  if (!m) throw new SocketcandSyntaxError(`timestamp '${tok ?? ''}' is not sec.usec`, where);
  return Number(m[1]) * 1e6 + Math.round(Number('0.' + m[2]) * 1e6);
}
