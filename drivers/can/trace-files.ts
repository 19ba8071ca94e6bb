// Trace readers and writers chosen by file suffix (python-can's Logger/LogReader model):
//   .log  candump (read + write)    .pcap  LINKTYPE_CAN_SOCKETCAN (read + write)    .asc  Vector ASC (write)

import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import { formatCandumpLine, parseCandump, type CandumpWriteOptions } from './trace-candump.ts';
import { formatAsc } from './trace-asc.ts';
import { parsePcap, pcapHeader, pcapRecord } from './trace-pcap.ts';
import { TraceFormatError, type TraceRecord } from './trace-record.ts';

export type TraceFormat = 'candump' | 'pcap' | 'asc';

export function traceFormatOf(path: string): TraceFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.log') return 'candump';
  if (ext === '.pcap') return 'pcap';
  if (ext === '.asc') return 'asc';
  throw new TraceFormatError(`unknown trace suffix '${ext || '(none)'}': use .log (candump), .pcap or .asc`, path);
}

/** Read a whole trace file (bad input → TraceFormatError with file:line). */
export function readTraceFile(path: string): TraceRecord[] {
  const fmt = traceFormatOf(path);
  if (fmt === 'candump') return parseCandump(readFileSync(path, 'utf8'), path).records;
  if (fmt === 'pcap') return parsePcap(readFileSync(path), path);
  throw new TraceFormatError("reading .asc is not supported; convert it with can-utils 'asc2log' and read the .log", path);
}

export function writeTraceFile(path: string, records: readonly TraceRecord[], opts: CandumpWriteOptions = {}): void {
  const w = openTraceWriter(path, opts);
  for (const r of records) w.write(r);
  w.close();
}

export interface TraceWriter {
  readonly path: string;
  write(r: TraceRecord): void;
  /** Push buffered records to disk. */
  flush(): void;
  close(): void;
}

/**
 * A streaming writer: candump and pcap go to disk as they come (buffered, flushed every `flushRecords`),
 * so a crash loses at most one buffer; ASC needs its start time up front and is written on close.
 */
export function openTraceWriter(path: string, opts: CandumpWriteOptions & { flushRecords?: number } = {}): TraceWriter {
  const fmt = traceFormatOf(path);
  const flushEvery = opts.flushRecords ?? 256;
  if (fmt === 'asc') {
    const records: TraceRecord[] = [];
    let closed = false;
    return {
      path,
      write: (r) => void (closed || records.push(r)),
      flush: () => {},
      close: () => {
        if (closed) return;
        closed = true;
        writeFileSync(path, formatAsc(records));
      },
    };
  }
  let fd: number | undefined = openSync(path, 'w');
  if (fmt === 'pcap') writeSync(fd, pcapHeader() as unknown as Uint8Array);
  let pending: (string | Buffer)[] = [];
  const flush = () => {
    if (fd === undefined || pending.length === 0) return;
    if (fmt === 'candump') writeSync(fd, (pending as string[]).join(''));
    else for (const b of pending as Buffer[]) writeSync(fd, b as unknown as Uint8Array);
    pending = [];
  };
  return {
    path,
    write(r) {
      if (fd === undefined) return;
      pending.push(fmt === 'candump' ? formatCandumpLine(r, opts) + '\n' : pcapRecord(r));
      if (pending.length >= flushEvery) flush();
    },
    flush,
    close() {
      if (fd === undefined) return;
      flush();
      closeSync(fd);
      fd = undefined;
    },
  };
}
