// How one CAN frame is written on the timeline (kind 'can'), and how it is read back: the candump
// recorder, the trace attachments and the GB/T decoder all work from these events.

import type { Timeline, TimelineEvent } from '../core/timeline.ts';
import { dataHex, hexData, type CanFrame } from './frame.ts';

export interface CanFrameEventData extends Record<string, unknown> {
  dir: 'tx' | 'rx';
  id: number;
  ext: boolean;
  /** Upper-case hex payload. */
  data: string;
  fd?: boolean;
  brs?: boolean;
  esi?: boolean;
  rtr?: boolean;
  err?: boolean;
  /** Channel name of the transport (also the event's source unless the transport was named otherwise). */
  channel?: string;
  /** Receive only: our stamp − the bus/hub stamp, clock µs (the harness's receive-to-stamp latency). */
  stampDelayUs?: number;
}

export function recordFrame(timeline: Timeline | undefined, source: string, dir: 'tx' | 'rx', frame: CanFrame, channel?: string): void {
  if (!timeline) return;
  const data: CanFrameEventData = { dir, id: frame.id, ext: frame.extended, data: dataHex(frame.data) };
  if (frame.fd) data.fd = true;
  if (frame.brs) data.brs = true;
  if (frame.esi) data.esi = true;
  if (frame.rtr) data.rtr = true;
  if (frame.error) data.err = true;
  if (channel && channel !== source) data.channel = channel;
  if (dir === 'rx' && frame.t !== undefined && frame.busT !== undefined) data.stampDelayUs = Math.round((frame.t - frame.busT) / 1e3);
  timeline.record('can', source, data, frame.t);
}

/** The frame a 'can' timeline event describes (t = the event's clock time). */
export function frameFromEvent(e: TimelineEvent): CanFrame & { dir: 'tx' | 'rx' } {
  const d = e.data as unknown as CanFrameEventData;
  const f: CanFrame & { dir: 'tx' | 'rx' } = {
    id: d.id,
    extended: !!d.ext,
    data: hexData(String(d.data ?? ''), `timeline event #${e.seq}`),
    t: e.t,
    dir: d.dir,
  };
  if (d.fd) f.fd = true;
  if (d.brs) f.brs = true;
  if (d.esi) f.esi = true;
  if (d.rtr) f.rtr = true;
  if (d.err) f.error = true;
  return f;
}

export function isFrameEvent(e: TimelineEvent): boolean {
  return (
    e.kind === 'can' &&
    typeof (e.data as { id?: unknown }).id === 'number' &&
    ((e.data as { dir?: unknown }).dir === 'tx' || (e.data as { dir?: unknown }).dir === 'rx')
  );
}
