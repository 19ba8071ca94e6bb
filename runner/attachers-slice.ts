// The test's evidence read from its slice of the timeline: the slice itself as timeline.jsonl, and each
// attacher's format. Neither holds the whole slice in memory (a long MCS test's slice is ~100 k events with
// decoded V2G documents and 1 kS/s sample arrays): timeline.jsonl is streamed into its attachment, and the
// attachers read only their kinds, as a stream.

import type { Bench } from '../benches/bench.ts';
import type { Timeline, TimelineEvent } from '../drivers/core/timeline.ts';
import { attachJson, attachText, attachTextStream } from '../reports/evidence.ts';
import { testAttachers, type TestAttachment, type TestEvents } from './attachers.ts';
import { PORT_USE_KINDS, portOf, portUseTest, type Port } from './ports-used.ts';

/** The events after `afterSeq` as JSON lines, straight into the attachment; sample blocks summarised (their CSV is the test's). */
export function attachTimelineSlice(timeline: Timeline, afterSeq: number): void {
  let first = true;
  attachTextStream('timeline.jsonl', 'jsonl', (put) =>
    timeline.forEach({ afterSeq }, (e) => {
      put(first ? sliceLine(e) : `\n${sliceLine(e)}`);
      first = false;
    }),
  );
}

/**
 * Each registered attacher's attachment from the events of its kinds, of the ports the body used (every port's
 * when it used none: they are what explains such a test; runner/ports-used.ts).
 */
export function runAttachers(bench: Bench, afterSeq: number, bodyStartSeq: number): void {
  const used = portsUsed(bench, afterSeq, bodyStartSeq);
  const onUsedPort = (e: TimelineEvent) => used.size === 0 || !portOf(e.kind) || used.has(portOf(e.kind)!);
  for (const { kinds, attach } of testAttachers()) {
    const a = safely(() => attach(testEvents(bench.timeline, { afterSeq, kind: [...kinds] }, onUsedPort, bodyStartSeq)));
    if (a) attachOne(a);
  }
}

function attachOne(a: TestAttachment): void {
  const { content } = a;
  // A writer that fails mid-way costs its own attachment only, as an attacher that throws does.
  if (typeof content === 'function') safely(() => attachTextStream(a.name, a.fileExtension, content));
  else if (a.contentType === 'application/json') attachJson(a.name, JSON.parse(content));
  else attachText(a.name, content, a.fileExtension);
}

/** The ports the vehicle transmitted on during the body: one pass that stops once every port is seen. */
function portsUsed(bench: Bench, afterSeq: number, bodyStartSeq: number): Set<Port> {
  const portUsedBy = portUseTest(bench, bodyStartSeq);
  const used = new Set<Port>();
  bench.timeline.forEach({ afterSeq: Math.max(afterSeq, bodyStartSeq), kind: [...PORT_USE_KINDS] }, (e) => {
    const port = portUsedBy(e);
    if (port) used.add(port);
    return used.size < PORT_USE_KINDS.length;
  });
  return used;
}

function testEvents(
  timeline: Timeline,
  q: Parameters<Timeline['forEach']>[0],
  keep: (e: TimelineEvent) => boolean,
  bodyStartSeq: number,
): TestEvents {
  const forEach = (fn: (e: TimelineEvent) => boolean | void) => timeline.forEach(q, (e) => !keep(e) || fn(e));
  return {
    bodyStartSeq,
    forEach,
    some(pred) {
      let found = false;
      forEach((e) => !(found = pred(e)));
      return found;
    },
    filter(pred) {
      const out: TimelineEvent[] = [];
      forEach((e) => void (pred(e) && out.push(e)));
      return out;
    },
  };
}

function sliceLine(e: TimelineEvent): string {
  if (e.kind !== 'samples') return JSON.stringify(e);
  const channels = (e.data as { channels?: Record<string, number[]> }).channels ?? {};
  return JSON.stringify({
    ...e,
    data: {
      t0: (e.data as { t0?: number }).t0,
      samples: Object.fromEntries(Object.entries(channels).map(([k, v]) => [k, v.length])),
    },
  });
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
