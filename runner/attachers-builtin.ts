// The attachers every run has: the test's CAN frames as a candump log, and its V2G messages as a
// readable, decoded message log (time, direction, message, response time, then the decoded JSON + hex).

import { candumpText } from '../drivers/can/candump-recorder.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { registerTestAttacher } from './attachers.ts';
import { runContext } from './run-context.ts';
import { vehicleCanSources } from '../benches/vehicle-can.ts';

registerTestAttacher(['can'], (events) => {
  const frames = events.filter((e) => e.kind === 'can');
  if (!frames.length) return undefined;
  const { bench } = runContext();
  const text = candumpText(frames, { clock: bench.clock, sources: vehicleCanSources(bench) });
  return { name: 'can.log (candump, as the vehicle saw the bus)', content: text, contentType: 'text/plain', fileExtension: 'log' };
});

// A long session's log is tens of MB: written line by line as the events stream past, never whole in memory.
registerTestAttacher(['v2g'], (events) => {
  let t0 = Number.NaN;
  if (!events.some((e) => ((t0 = e.t), true))) return undefined;
  const content = (put: (piece: string) => void) => {
    let sep = '';
    events.forEach((e) => {
      put(sep + v2gLine(e, t0));
      sep = '\n';
    });
  };
  return { name: 'v2g-messages.txt', content, contentType: 'text/plain', fileExtension: 'txt' };
});

function v2gLine(e: TimelineEvent, t0: number): string {
  const d = e.data as {
    dir?: string;
    message?: string;
    payloadTypeName?: string;
    responseMs?: number;
    doc?: unknown;
    hex?: string;
    malformed?: boolean;
    error?: string;
    decodeError?: string;
    note?: string;
  };
  const ms = ((e.t - t0) / 1e6).toFixed(3).padStart(10);
  const arrow = d.dir === 'tx' ? '→' : '←';
  const head =
    `${ms} ms ${e.source.padEnd(10)} ${arrow} ${d.message ?? (d.malformed ? '(malformed V2GTP)' : '(frame)')}` +
    `${d.payloadTypeName ? ` [${d.payloadTypeName}]` : ''}${d.responseMs !== undefined ? ` after ${d.responseMs.toFixed(1)} ms` : ''}` +
    `${d.note ? ` — ${d.note}` : ''}${d.error || d.decodeError ? ` ! ${d.error ?? d.decodeError}` : ''}`;
  const body = d.doc ? `\n${' '.repeat(14)}${JSON.stringify(d.doc)}` : '';
  return `${head}${body}\n${' '.repeat(14)}hex ${d.hex ?? ''}`;
}
