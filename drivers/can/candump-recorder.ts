// The run's can.log: every 'can' frame event on the timeline, as a candump log (readable by canplayer,
// log2asc, python-can). Also turns any slice of timeline events into candump text for a test attachment.

import type { Clock } from '../core/clock.ts';
import type { Timeline, TimelineEvent } from '../core/timeline.ts';
import { frameFromEvent, isFrameEvent, type CanFrameEventData } from './frame-event.ts';
import { formatCandumpLine, type CandumpWriteOptions } from './trace-candump.ts';
import { openTraceWriter, type TraceWriter } from './trace-files.ts';
import type { TraceRecord } from './trace-record.ts';

export interface CandumpSliceOptions extends CandumpWriteOptions {
  /** Epoch ms minus clock ms (clock.wallMs() − clock.nowMs()): turns clock ns into wall time. Default: from `clock`, else 0. */
  wallOffsetMs?: number;
  clock?: Clock;
  /** Only frames recorded by these sources (resource names); all when omitted. */
  sources?: string[];
  /** Only this direction ('tx' + 'rx' of one node = the whole bus as that node saw it). */
  dir?: 'tx' | 'rx';
}

/** Epoch ms − clock ms of a clock (constant for RealClock and VirtualClock). */
export function wallOffsetMs(clock: Clock): number {
  return clock.wallMs() - clock.nowMs();
}

/** The trace record of one 'can' frame event (bus = the recording source, spaces made '_'). */
export function traceRecordOf(e: TimelineEvent, offsetMs: number): TraceRecord {
  const f = frameFromEvent(e);
  const { dir, ...frame } = f;
  return { epochUs: Math.round(offsetMs * 1000 + e.t / 1000), bus: e.source.replace(/\s+/g, '_'), frame, dir };
}

function selected(e: TimelineEvent, opts: CandumpSliceOptions): boolean {
  if (!isFrameEvent(e)) return false;
  if (opts.sources && !opts.sources.includes(e.source)) return false;
  if (opts.dir && (e.data as CanFrameEventData).dir !== opts.dir) return false;
  return true;
}

/** Candump text of the frame events among `events` (e.g. one test's timeline slice), for attachText. */
export function candumpText(events: Iterable<TimelineEvent>, opts: CandumpSliceOptions = {}): string {
  const offset = opts.wallOffsetMs ?? (opts.clock ? wallOffsetMs(opts.clock) : 0);
  let out = '';
  for (const e of events) {
    if (!selected(e, opts)) continue;
    try {
      out += formatCandumpLine(traceRecordOf(e, offset), opts) + '\n';
    } catch {
      // an unreadable event must not cost the rest of the attachment
    }
  }
  return out;
}

/**
 * Streams frame events from the timeline into a trace file while the run goes (suffix picks the format:
 * can.log, can.pcap, can.asc). Frames recorded before start() are written first, so nothing is missed.
 */
export class CandumpRecorder {
  private writer: TraceWriter | undefined;
  private unsubscribe: (() => void) | undefined;
  written = 0;

  constructor(private readonly opts: CandumpSliceOptions & { timeline: Timeline; file: string }) {}

  start(): this {
    if (this.writer) return this;
    const offset = this.opts.wallOffsetMs ?? wallOffsetMs(this.opts.clock ?? this.opts.timeline.clock);
    const w = openTraceWriter(this.opts.file, this.opts);
    this.writer = w;
    const write = (e: TimelineEvent) => {
      if (!selected(e, this.opts)) return;
      try {
        w.write(traceRecordOf(e, offset));
        this.written++;
      } catch {
        /* skip an unreadable event, keep recording */
      }
    };
    for (const e of this.opts.timeline.query({ kind: 'can' })) write(e);
    this.unsubscribe = this.opts.timeline.subscribe(write);
    return this;
  }

  flush(): void {
    this.writer?.flush();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.writer?.close();
    this.writer = undefined;
  }
}
