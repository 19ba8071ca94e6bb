// `mcs-hil trace decode --protocol gbt27930 FILE.log`: a GB/T 27930 session read back from a trace file,
// multi-packet messages reassembled from their TP.CM/TP.DT frames (a passive monitor, nothing is sent),
// printed in the standard's phases. The same formatter renders a test's decoded session attachment.

import { InputError, UsageError } from '../core/errors.ts';
import { readTraceFile } from '../can/trace-files.ts';
import type { TraceRecord } from '../can/trace-record.ts';
import { decodeByPgn, GbtDecodeError } from './codec.ts';
import { BMS_ADDRESS, CHARGER_ADDRESS, parseId, PGN_TP_CM, PGN_TP_DT } from './ids.ts';
import type { GbtWireMessage } from './link.ts';
import { MESSAGE_BY_PGN, type GbtPhase } from './messages.ts';

/** One decoded message (or an undecodable payload) in time order. */
export interface DecodedEntry extends GbtWireMessage {
  /** ns (clock or epoch based; only differences are printed). */
  t: number;
  /** Only for entries from a live session: which way it went as the recording node saw it. */
  dir?: 'tx' | 'rx';
}

const PHASE_TITLE: Record<GbtPhase, string> = {
  handshake: 'handshake',
  recognition: 'recognition',
  configuration: 'configuration',
  charging: 'charging',
  stop: 'stop',
  statistics: 'statistics',
  error: 'error',
};

/** Reassemble and decode GB/T messages from raw frames (TP sessions keyed by source → destination). */
export function decodeFrames(records: readonly TraceRecord[]): { entries: DecodedEntry[]; foreign: number } {
  const entries: DecodedEntry[] = [];
  const tp = new Map<string, { pgn: number; size: number; packets: number; data: Uint8Array; next: number }>();
  let foreign = 0;
  for (const r of records) {
    const f = r.frame;
    if (!f.extended || f.error || f.rtr) {
      foreign++;
      continue;
    }
    const id = parseId(f.id);
    const t = r.epochUs * 1000;
    const key = `${id.sa}>${id.da}`;
    if (id.pgn === PGN_TP_CM) {
      const ctrl = f.data[0];
      if (ctrl === 0x10 && f.data.length >= 8) {
        const size = f.data[1] | (f.data[2] << 8);
        tp.set(key, {
          pgn: f.data[5] | (f.data[6] << 8) | (f.data[7] << 16),
          size,
          packets: f.data[3],
          data: new Uint8Array(size),
          next: 1,
        });
      } else if (ctrl === 0xff) {
        tp.delete(`${id.da}>${id.sa}`);
        tp.delete(key);
      }
      continue;
    }
    if (id.pgn === PGN_TP_DT) {
      const s = tp.get(key);
      if (!s || f.data.length < 2) continue;
      const seq = f.data[0];
      if (seq !== s.next) {
        tp.delete(key);
        entries.push({
          t,
          sa: id.sa,
          da: id.da,
          hex: '',
          error: `TP.DT out of sequence (got ${seq}, expected ${s.next}); message dropped`,
        });
        continue;
      }
      s.data.set(f.data.subarray(1, Math.min(8, 1 + s.size - (seq - 1) * 7)), (seq - 1) * 7);
      s.next++;
      if (seq === s.packets) {
        tp.delete(key);
        entries.push(decodeEntry(s.pgn, id.sa, id.da, s.data, t));
      }
      continue;
    }
    if (!MESSAGE_BY_PGN.has(id.pgn)) {
      foreign++;
      continue;
    }
    entries.push(decodeEntry(id.pgn, id.sa, id.da, f.data, t));
  }
  return { entries, foreign };
}

function decodeEntry(pgn: number, sa: number, da: number, data: Uint8Array, t: number): DecodedEntry {
  const hex = Buffer.from(data).toString('hex').toUpperCase();
  const def = MESSAGE_BY_PGN.get(pgn);
  if (!def) return { t, sa, da, hex, error: `PGN 0x${pgn.toString(16)} is not a GB/T 27930 message` };
  try {
    const m = decodeByPgn(pgn, data, def.code)!;
    return { t, code: m.code, phase: def.phase, sa, da, hex, values: m.values as unknown as Record<string, unknown> };
  } catch (err) {
    if (!(err instanceof GbtDecodeError)) throw err;
    return { t, code: def.code, phase: def.phase, sa, da, hex, error: err.message };
  }
}

function who(addr: number): string {
  return addr === CHARGER_ADDRESS ? 'charger' : addr === BMS_ADDRESS ? 'BMS' : `0x${addr.toString(16).toUpperCase()}`;
}

/** Codes the standard prints in hex (CRM recognition, BRO/CRO readiness). */
const HEX_FIELDS = new Set(['recognition', 'ready']);

function formatValue(v: unknown, key = ''): string {
  if (HEX_FIELDS.has(key) && typeof v === 'number') return `0x${v.toString(16).toUpperCase().padStart(2, '0')}`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex').toUpperCase();
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.length} items]`;
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Text of a decoded session: one line per message, a header whenever the phase changes. */
export function formatDecodedSession(entries: readonly DecodedEntry[]): string {
  if (!entries.length) return '';
  const t0 = entries[0].t;
  let phase: string | undefined;
  const lines: string[] = [];
  for (const e of entries) {
    if (e.phase && e.phase !== phase) {
      phase = e.phase;
      lines.push(`== ${PHASE_TITLE[e.phase as GbtPhase] ?? e.phase} ==`);
    }
    const time = ((e.t - t0) / 1e9).toFixed(3).padStart(10);
    const arrow = `${who(e.sa)}→${who(e.da)}`.padEnd(14);
    const code = (e.code ?? '???').padEnd(4);
    const body = e.error
      ? `UNDECODABLE ${e.hex} (${e.error})`
      : Object.entries(e.values ?? {})
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${formatValue(v, k)}`)
          .join(' ');
    lines.push(`${time}  ${arrow} ${code} ${body}${e.code && !e.error ? `  [${e.hex}]` : ''}`);
  }
  return lines.join('\n') + '\n';
}

export interface TraceDecodeArgs {
  protocol: string;
  file: string;
  /** Which bus of a multi-bus log to decode (default: the first one in the file). */
  bus?: string;
}

/** The CLI command: returns the text to print. Bad arguments → UsageError; unreadable files → the reader's typed error. */
export function traceDecodeCommand(args: TraceDecodeArgs): string {
  if (args.protocol !== 'gbt27930')
    throw new UsageError(`unknown protocol '${args.protocol}' (supported: gbt27930)`, 'trace decode --protocol');
  if (!args.file) throw new UsageError('needs a trace file (.log candump or .pcap)', 'trace decode');
  const records = readTraceFile(args.file);
  const buses = [...new Set(records.map((r) => r.bus))];
  const bus = args.bus ?? buses[0];
  if (args.bus && !buses.includes(args.bus))
    throw new InputError(`no bus '${args.bus}' in the file (buses: ${buses.join(', ') || 'none'})`, args.file);
  const picked = records.filter((r) => r.bus === bus);
  const { entries, foreign } = decodeFrames(picked);
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.code ?? '???', (counts.get(e.code ?? '???') ?? 0) + 1);
  const head = [
    `GB/T 27930-2015 session in ${args.file}`,
    `bus ${bus ?? '-'}${buses.length > 1 ? ` (file has ${buses.join(', ')}; choose with --bus)` : ''}: ${picked.length} frames, ${entries.length} messages, ${foreign} foreign frames`,
    `messages: ${[...counts].map(([c, n]) => `${c}×${n}`).join(' ') || 'none'}`,
    '',
  ];
  return head.join('\n') + formatDecodedSession(entries);
}
