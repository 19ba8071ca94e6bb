// Where an instrument driver and its streams put their evidence: the unit's name (the timeline source),
// the clock that stamps it and the timeline it goes on. One record, so a driver hands it to its stream whole.

import type { Clock } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';

export interface InstrumentRecording {
  /** The bench resource name: the timeline source of every event and sample block. */
  name: string;
  clock: Clock;
  timeline: Timeline;
}

/** The recording part of a driver's options (a stream gets this, not the driver's other settings). */
export function recordingOf(o: InstrumentRecording): InstrumentRecording {
  return { name: o.name, clock: o.clock, timeline: o.timeline };
}
