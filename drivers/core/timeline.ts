// The run timeline: one append-only record of everything that happened on the bench, stamped with the
// injected clock. It streams to a JSON-lines file (bounded memory: only the newest events stay in RAM)
// and is the single source for assertions, plots and attachments.

import { closeSync, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { Clock } from './clock.ts';
import { forEachTimelineEvent } from './timeline-file.ts';
import { KindIndex } from './timeline-kind-index.ts';

export { readTimelineFile } from './timeline-file.ts';

/** Well-known kinds; drivers may add their own. */
export type TimelineKind =
  | 'run' // run start/end, bench open/close
  | 'test' // test start/end with verdict
  | 'link' // network link up/down, TCP/TLS connect/close
  | 'v2g' // one V2G message in or out (decoded + hex)
  | 'can' // one CAN frame in or out
  | 'pilot' // CE/ID or CP state change
  | 'samples' // a block of instrument samples
  | 'instrument' // an instrument command/reply
  | 'power' // emulator power-stage state change
  | 'session' // a session engine's state change / decision
  | 'fault' // a fault switch turned on/off
  | 'measurement' // a measured value with its limit and verdict
  | 'safe-state' // the safe-state path and each of its steps
  | 'note'
  | (string & {});

export interface TimelineEvent<D = Record<string, unknown>> {
  /** Sequence number, strictly increasing within a run. */
  seq: number;
  /** Clock time in nanoseconds. */
  t: number;
  kind: TimelineKind;
  /** Which resource or component recorded it ('ev-link', 'charger', 'can0', 'battery-emulator', …). */
  source: string;
  data: D;
}

/**
 * Instrument sample blocks use kind 'samples' with this payload: sample k of each channel was taken at
 * t0 + k·dt (ns). Channel names carry their unit: voltageV, currentA, …
 */
export interface SampleBlock {
  t0: number;
  dt: number;
  channels: Record<string, number[]>;
}

export interface TimelineQuery {
  kind?: TimelineKind | TimelineKind[];
  source?: string | string[];
  /** Inclusive, clock ns. */
  from?: number;
  /** Inclusive, clock ns. */
  to?: number;
  /** Only events with seq > afterSeq. */
  afterSeq?: number;
}

export type TimelineListener = (e: TimelineEvent) => void;

export interface TimelineOptions {
  clock: Clock;
  /** JSON-lines file the timeline streams to; without it the timeline lives in memory only. */
  file?: string;
  /** How many of the newest events stay in memory (older ones are read back from the file). */
  memoryEvents?: number;
  /**
   * With a file: at most this many characters of JSON stay in memory (about 2.5 bytes of heap each), so a
   * fully loaded CAN bus keeps seconds (~10 s at 1,800 frames/s), not minutes, of frames in RAM. Default 2 M.
   */
  memoryChars?: number;
  /** Buffered characters before a write to disk. */
  flushChars?: number;
}

export class Timeline {
  readonly clock: Clock;
  readonly file?: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private readonly flushChars: number;
  private readonly memoryEvents: number;
  private readonly memoryChars: number;
  private ring: TimelineEvent[] = [];
  private ringStart = 0; // index of the oldest live entry in ring (ring is compacted lazily)
  /** Latest time among ring[0..k] (monotonic): a window's start in memory is found by binary search, not a scan. */
  private ringLatest: number[] = [];
  private readonly kinds = new KindIndex();
  /** JSON length of each ring entry (file-backed timelines) and their sum over the live entries. */
  private ringSizes: number[] = [];
  private ringChars = 0;
  /** Bytes in the file, the seq of the first buffered event, the latest t so far, and one index entry per flush. */
  private fileBytes = 0;
  private bufferFirstSeq = 0;
  private maxT = Number.NEGATIVE_INFINITY;
  private readonly index: FileIndexEntry[] = [];
  private maxTFlushed = Number.NEGATIVE_INFINITY;
  /** Latest time (event or sample) among the events no longer in memory. */
  private maxTEvicted = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private listeners = new Set<TimelineListener>();
  private closed = false;
  /** Seq of the oldest event still in memory. */
  private oldestInMemory = 1;

  constructor(opts: TimelineOptions) {
    this.clock = opts.clock;
    this.file = opts.file;
    this.memoryEvents = opts.memoryEvents ?? 200_000;
    this.flushChars = opts.flushChars ?? 64 * 1024;
    this.memoryChars = opts.memoryChars ?? 2_000_000;
    if (this.file) {
      this.fd = openSync(this.file, 'a');
      this.fileBytes = fstatSync(this.fd).size;
    }
  }

  /** Append an event stamped with the clock's current time. */
  record<D extends Record<string, unknown>>(kind: TimelineKind, source: string, data: D, t?: number): TimelineEvent<D> {
    const e: TimelineEvent<D> = { seq: ++this.seq, t: t ?? this.clock.now(), kind, source, data };
    if (this.closed) return e; // after close nothing more is kept, but callers never fail because of it
    const line = this.fd !== undefined ? safeJson(e) + '\n' : undefined;
    const latest = latestTime(e as TimelineEvent);
    if (latest > this.maxT) this.maxT = latest;
    this.ring.push(e as TimelineEvent);
    this.ringLatest.push(this.maxT);
    this.kinds.add(kind, e.seq);
    if (line !== undefined) {
      this.ringSizes.push(line.length);
      this.ringChars += line.length;
    }
    this.evictOld();
    if (line !== undefined) {
      if (this.buffer.length === 0) this.bufferFirstSeq = e.seq;
      this.buffer.push(line);
      this.bufferedChars += line.length;
      if (this.bufferedChars >= this.flushChars) this.flush();
    }
    for (const l of this.listeners) {
      try {
        l(e as TimelineEvent);
      } catch {
        // a listener's bug must never lose the record or break the recorder
      }
    }
    return e;
  }

  /** Drop the oldest in-memory events beyond the count or (file-backed) the character budget; the file keeps them. */
  private evictOld(): void {
    const sized = this.ringSizes.length > 0;
    while (
      this.ring.length - this.ringStart > this.memoryEvents ||
      (sized && this.ringChars > this.memoryChars && this.ring.length - this.ringStart > 1)
    ) {
      if (sized) this.ringChars -= this.ringSizes[this.ringStart];
      const latest = latestTime(this.ring[this.ringStart]);
      if (latest > this.maxTEvicted) this.maxTEvicted = latest;
      this.ringStart++;
      this.oldestInMemory = this.ring[this.ringStart].seq;
    }
    if (this.ringStart > 1024 && this.ringStart * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.ringStart);
      this.ringLatest = this.ringLatest.slice(this.ringStart);
      this.kinds.dropBefore(this.oldestInMemory);
      if (sized) this.ringSizes = this.ringSizes.slice(this.ringStart);
      this.ringStart = 0;
    }
  }

  /** What this timeline holds in RAM (soak tests: bounded however long the run). */
  memoryStats(): { events: number; chars: number; listeners: number; indexEntries: number } {
    return {
      events: this.ring.length - this.ringStart,
      chars: this.ringChars,
      listeners: this.listeners.size,
      indexEntries: this.index.length,
    };
  }

  /** The seq of the last recorded event (0 before any): use it to mark the start of a window. */
  mark(): number {
    return this.seq;
  }

  subscribe(listener: TimelineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events matching q, oldest first. Reads back from the file when the window is older than memory. */
  query(q: TimelineQuery = {}): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    this.forEach(q, (e) => void out.push(e));
    return out;
  }

  /**
   * Calls fn with each event matching q, oldest first, without collecting them: from memory, or streamed
   * from the file (starting at the indexed offset the window needs) when the window is older than memory.
   * fn returns false to stop early (a search that found what it looked for).
   */
  forEach(q: TimelineQuery, fn: (e: TimelineEvent) => boolean | void, sampleFrom?: number): void {
    const match = matcher(q);
    // Evicted events can match unless the seq window starts in memory or every evicted (sample) time is before `from`.
    const from = q.from ?? sampleFrom;
    const needsDisk =
      this.oldestInMemory > 1 &&
      (q.afterSeq === undefined || q.afterSeq + 1 < this.oldestInMemory) &&
      !(from !== undefined && this.maxTEvicted < from);
    if (needsDisk && this.file) {
      this.flush();
      forEachTimelineEvent(this.file, this.offsetFor({ ...q, from }), (e) => !match(e) || fn(e) !== false, lineFilter(q));
      return;
    }
    const start = this.firstInMemory(q.afterSeq, from);
    const kind = typeof q.kind === 'string' ? q.kind : q.kind?.length === 1 ? q.kind[0] : undefined;
    if (kind === undefined || start >= this.ring.length) {
      for (let i = start; i < this.ring.length; i++) if (match(this.ring[i]) && fn(this.ring[i]) === false) return;
      return;
    }
    // One kind: walk its events only (ring index = seq - base: seqs in memory are consecutive).
    const base = this.ring[this.ringStart].seq - this.ringStart;
    const { seqs, from: k0 } = this.kinds.after(kind, this.ring[start].seq - 1);
    for (let k = k0; k < seqs.length; k++) if (match(this.ring[seqs[k] - base]) && fn(this.ring[seqs[k] - base]) === false) return;
  }

  /** Index of the first in-memory event that can be in the window: after afterSeq (seqs increase) and not all before `from`. */
  private firstInMemory(afterSeq: number | undefined, from: number | undefined): number {
    const firstWhere = (ok: (i: number) => boolean) => {
      let lo = this.ringStart;
      let hi = this.ring.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ok(mid)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const bySeq = afterSeq === undefined ? this.ringStart : firstWhere((i) => this.ring[i].seq > afterSeq);
    const byTime = from === undefined ? this.ringStart : firstWhere((i) => this.ringLatest[i] >= from);
    return Math.max(bySeq, byTime);
  }

  /** The file offset a disk read for q can start at: the last flushed chunk before the window (index entries are monotonic). */
  private offsetFor(q: TimelineQuery): number {
    const lastBefore = (ok: (x: FileIndexEntry) => boolean) => {
      let lo = 0;
      let hi = this.index.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ok(this.index[mid])) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 ? this.index[lo - 1].offset : 0;
    };
    const bySeq = q.afterSeq !== undefined ? lastBefore((x) => x.firstSeq <= q.afterSeq! + 1) : 0;
    const byTime = q.from !== undefined ? lastBefore((x) => x.maxTBefore < q.from!) : 0;
    return Math.max(bySeq, byTime);
  }

  /** Samples of one channel from 'samples' blocks in [from, to], as parallel arrays (t in ns); streamed from the file when old. */
  samples(channel: string, q: Omit<TimelineQuery, 'kind'> = {}): { t: number[]; v: number[] } {
    const t: number[] = [];
    const v: number[] = [];
    // Blocks carry their own sample times, so the window is applied per sample, not per event; `from` still
    // tells which part of the file can hold such blocks.
    this.forEach(
      { ...q, kind: 'samples', from: undefined, to: undefined },
      (e) => {
        const b = e.data as unknown as SampleBlock;
        const values = b.channels?.[channel];
        if (!values) return;
        for (let k = 0; k < values.length; k++) {
          const tk = b.t0 + k * b.dt;
          if (q.from !== undefined && tk < q.from) continue;
          if (q.to !== undefined && tk > q.to) continue;
          t.push(tk);
          v.push(values[k]);
        }
      },
      q.from,
    );
    return { t, v };
  }

  /** Write what is buffered to disk (synchronously: safe on every exit path). */
  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferedChars = 0;
    // A sparse index (one entry per INDEX_EVERY_BYTES of file): a query reads at most that much more, and an
    // 8-hour run (hundreds of MB per hour) no longer grows RAM by an entry per 64 KB flush.
    const last = this.index.at(-1);
    if (!last || this.fileBytes - last.offset >= INDEX_EVERY_BYTES)
      this.index.push({ firstSeq: this.bufferFirstSeq, offset: this.fileBytes, maxTBefore: this.maxTFlushed });
    this.fileBytes += writeSync(this.fd, chunk);
    this.maxTFlushed = this.maxT;
  }

  /** Flush, fsync and close the file. Further records are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) {
      try {
        fsyncSync(this.fd);
      } catch {
        /* fsync is best effort on exotic file systems */
      }
      closeSync(this.fd);
      this.fd = undefined;
    }
    this.listeners.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** The latest time an event stands for: its own, or a sample block's last sample when that is later. */
function latestTime(e: TimelineEvent): number {
  if (e.kind !== 'samples') return e.t;
  const b = e.data as unknown as Partial<SampleBlock>;
  let n = 0;
  for (const k in b.channels ?? {}) n = Math.max(n, b.channels![k]?.length ?? 0);
  const last = typeof b.t0 === 'number' && typeof b.dt === 'number' && n > 0 ? b.t0 + (n - 1) * b.dt : e.t;
  return Math.max(e.t, last);
}

/** File bytes between two index entries: a query from the file reads at most this much before its window. */
const INDEX_EVERY_BYTES = 1 << 20;

/** A place in the file where a flushed chunk starts: its offset, its first event, and the latest t of everything before it. */
interface FileIndexEntry {
  firstSeq: number;
  offset: number;
  maxTBefore: number;
}

/** A cheap test on the raw JSON line (kind and source are serialised as they are) that skips parsing lines of other kinds or sources. */
function lineFilter(q: TimelineQuery): ((line: string) => boolean) | undefined {
  const needles = (key: string, x: string | string[] | undefined) =>
    x === undefined ? undefined : (Array.isArray(x) ? x : [x]).map((v) => `"${key}":${JSON.stringify(v)}`);
  const kinds = needles('kind', q.kind);
  const sources = needles('source', q.source);
  if (!kinds && !sources) return undefined;
  return (line) => (!kinds || kinds.some((n) => line.includes(n))) && (!sources || sources.some((n) => line.includes(n)));
}

function matcher(q: TimelineQuery): (e: TimelineEvent) => boolean {
  const kinds = q.kind === undefined ? undefined : new Set(Array.isArray(q.kind) ? q.kind : [q.kind]);
  const sources = q.source === undefined ? undefined : new Set(Array.isArray(q.source) ? q.source : [q.source]);
  return (e) =>
    (kinds === undefined || kinds.has(e.kind)) &&
    (sources === undefined || sources.has(e.source)) &&
    (q.from === undefined || e.t >= q.from) &&
    (q.to === undefined || e.t <= q.to) &&
    (q.afterSeq === undefined || e.seq > q.afterSeq);
}

function safeJson(e: TimelineEvent): string {
  // A replacer costs a call per value (per sample of a 1 kS/s block): only events that need one pay it.
  return plainJson(e, 0) ? JSON.stringify(e) : JSON.stringify(e, jsonReplacer);
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Error) return { name: v.name, message: v.message };
  return v;
}

/**
 * True when JSON.stringify alone writes what it writes with jsonReplacer: nothing the replacer changes (bigint,
 * bytes, Error) and nothing whose toJSON could hand it one, within a depth a cycle cannot hide behind.
 */
function plainJson(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'bigint';
  if (depth > 64) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' ? !plainJson(x, depth + 1) : typeof x === 'bigint') return false;
    }
    return true;
  }
  if (ArrayBuffer.isView(v) || v instanceof Error || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const k in v) if (!plainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}
