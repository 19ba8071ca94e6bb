// A driver under a transcript test: a virtual clock, its timeline and a transcript transport, handed to the
// driver's constructor together (the driver's own settings are the caller's).
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { TranscriptTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';

export interface TranscriptRig {
  clock: VirtualClock;
  timeline: Timeline;
  transport: TranscriptTransport;
}

export function transcriptRig<I>(entries: TranscriptEntry[], driver: (r: TranscriptRig) => I): TranscriptRig & { inst: I } {
  const clock = new VirtualClock();
  const r = { clock, timeline: new Timeline({ clock }), transport: new TranscriptTransport(entries) };
  return { ...r, inst: driver(r) };
}
