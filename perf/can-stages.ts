// Where the 50 ms frame's period jitter comes from (perf/can-jitter.ts): each frame followed through its stamps,
//   due   the schedule (first due + k × period),
//   sent  the sender's stamp when the frame went to its socket (the native helper's real-time thread),
//   hub   our hub's stamp when it took the frame in (the bus stand-in; its own clock, offset removed),
//   rx    the receiver's stamp (the native helper: the kernel's receive stamp of the bytes),
// and, per hop, how much the delay varies (above the smallest seen): a hop with a steady delay adds no jitter.
// Frames are matched by order (one sender, one receiver, TCP keeps order; see addSegment).

import { percentile } from '../drivers/can/scheduler.ts';

export interface Arrival {
  t: number;
  busT?: number;
}

export interface Stages {
  due: number[][];
  sent: number[][];
  hub: number[][];
  rx: number[][];
  /** Segments left out, as 'sent N / received M'. */
  unmatched: string[];
}

export const noStages = (): Stages => ({ due: [], sent: [], hub: [], rx: [], unmatched: [] });

/**
 * Add one segment's frames (clock ns). The receiver listens before the first send and TCP keeps order, so arrival i
 * is send i; a frame sent after the task stopped listening to its send reports arrives unreported at the end and is
 * dropped here. False (left out) when fewer arrive than were sent, or a frame lacks the hub's stamp.
 */
export function addSegment(s: Stages, due: number[], sent: number[], arrivals: Arrival[]): boolean {
  const paired = arrivals.slice(0, sent.length);
  if (due.length !== sent.length || paired.length !== sent.length || paired.some((a) => a.busT === undefined)) {
    s.unmatched.push(`sent ${sent.length} / received ${arrivals.length}`);
    return false;
  }
  s.due.push(due);
  s.sent.push(sent);
  s.hub.push(paired.map((a) => a.busT!));
  s.rx.push(paired.map((a) => a.t));
  return true;
}

/** |interval − period| of consecutive stamps within each segment, ms. */
function periodJitterMs(segments: number[][], periodMs: number): number[] {
  return segments.flatMap((ts) => ts.slice(1).map((t, i) => Math.abs((t - ts[i]) / 1e6 - periodMs)));
}

/** to − from per frame, above the smallest seen (a constant clock offset or path delay is no jitter), ms. */
function delaySpreadMs(from: number[][], to: number[][]): number[] {
  const d = to.flatMap((ts, j) => ts.map((t, i) => (t - from[j][i]) / 1e6));
  const floor = Math.min(...d);
  return d.map((x) => x - floor);
}

const f3 = (x: number) => x.toFixed(3).padStart(7);
const cell = (xs: number[]) => (xs.length ? `${f3(percentile(xs, 50))} / ${f3(percentile(xs, 99))} / ${f3(Math.max(...xs))} ms` : '—');

export function printStages(wire: string, s: Stages, periodMs: number): void {
  const n = s.rx.reduce((a, ts) => a + ts.length, 0);
  console.log(`  ${wire}: each frame through its stamps (${n} frames)`);
  if (s.unmatched.length) console.log(`    segments left out (counts differ): ${s.unmatched.join(', ')}`);
  const row = (what: string, hop: string, xs: number[], note = '') =>
    console.log(`    ${what.padEnd(30)} ${hop.padEnd(10)} ${cell(xs)}${note}`);
  row('period jitter p50 / p99 / max', 'sent', periodJitterMs(s.sent, periodMs));
  row('', 'hub', periodJitterMs(s.hub, periodMs));
  row('', 'rx', periodJitterMs(s.rx, periodMs));
  row('delay spread p50 / p99 / max', 'due → sent', delaySpreadMs(s.due, s.sent), '   (our transmit thread)');
  row('', 'sent → hub', delaySpreadMs(s.sent, s.hub), '   (loopback + the hub taking it in)');
  row('', 'hub → rx', delaySpreadMs(s.hub, s.rx), '   (the hub forwarding + our stamp)');
}
