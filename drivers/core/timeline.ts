// The run timeline: one append-only record of everything that happened on the bench, stamped with the
// injected clock. It streams to a JSON-lines file (bounded memory: only the newest events stay in RAM)
// and is the single source for assertions, plots and attachments.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Clock } from './clock.ts';

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
  private ring: TimelineEvent[] = [];
  private ringStart = 0; // index of the oldest live entry in ring (ring is compacted lazily)
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
    if (this.file) this.fd = openSync(this.file, 'a');
  }

  /** Append an event stamped with the clock's current time. */
  record<D extends Record<string, unknown>>(kind: TimelineKind, source: string, data: D, t?: number): TimelineEvent<D> {
    const e: TimelineEvent<D> = { seq: ++this.seq, t: t ?? this.clock.now(), kind, source, data };
    if (this.closed) return e; // after close nothing more is kept, but callers never fail because of it
    this.ring.push(e as TimelineEvent);
    if (this.ring.length - this.ringStart > this.memoryEvents) {
      this.ringStart++;
      this.oldestInMemory = this.ring[this.ringStart].seq;
      if (this.ringStart > this.memoryEvents) {
        this.ring = this.ring.slice(this.ringStart);
        this.ringStart = 0;
      }
    }
    if (this.fd !== undefined) {
      const line = safeJson(e) + '\n';
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
    const match = matcher(q);
    const needsDisk = (q.afterSeq ?? 0) + 1 < this.oldestInMemory || (q.from !== undefined && this.oldestTimeInMemory() > q.from);
    if (needsDisk && this.file && this.oldestInMemory > 1) {
      this.flush();
      const out: TimelineEvent[] = [];
      for (const e of readTimelineFile(this.file)) if (match(e)) out.push(e);
      return out;
    }
    const out: TimelineEvent[] = [];
    for (let i = this.ringStart; i < this.ring.length; i++) if (match(this.ring[i])) out.push(this.ring[i]);
    return out;
  }

  /** Samples of one channel from 'samples' blocks in [from, to], as parallel arrays (t in ns). */
  samples(channel: string, q: Omit<TimelineQuery, 'kind'> = {}): { t: number[]; v: number[] } {
    const t: number[] = [];
    const v: number[] = [];
    for (const e of this.query({ ...q, kind: 'samples', from: undefined, to: undefined })) {
      const b = e.data as unknown as SampleBlock;
      const values = b.channels?.[channel];
      if (!values) continue;
      for (let k = 0; k < values.length; k++) {
        const tk = b.t0 + k * b.dt;
        if (q.from !== undefined && tk < q.from) continue;
        if (q.to !== undefined && tk > q.to) continue;
        t.push(tk);
        v.push(values[k]);
      }
    }
    return { t, v };
  }

  /** Write what is buffered to disk (synchronously: safe on every exit path). */
  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferedChars = 0;
    writeSync(this.fd, chunk);
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

  private oldestTimeInMemory(): number {
    return this.ring[this.ringStart]?.t ?? Number.POSITIVE_INFINITY;
  }
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

/** Read a timeline JSON-lines file; a torn last line (crash mid-write) is skipped, not fatal. */
export function readTimelineFile(file: string): TimelineEvent[] {
  if (!existsSync(file)) return [];
  const out: TimelineEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as TimelineEvent);
    } catch {
      // only the last line can be torn; keep everything before it
    }
  }
  return out;
}

function safeJson(e: TimelineEvent): string {
  return JSON.stringify(e, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    if (v instanceof Error) return { name: v.name, message: v.message };
    return v;
  });
}
