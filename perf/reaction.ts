// The harness as an instrument (issue 14, item 2): on the default emulator bench over real sockets (veth
// link, TLS 1.3, the emulated SECC), how long after the last byte of a charger response the vehicle's next
// request leaves, and how late the harness's timers fire while a session runs. Prints; judges nothing.
//   npx tsx perf/reaction.ts [charge-loop-seconds]   (needs the veth link, like the tests: root)
//
// Stamps: a response is stamped when its last byte arrived (drivers/iso15118/connection.ts, before
// reassembly and decoding); a request when it is handed to the socket. Requests a timer sends (the charge
// loop's period) are reported as period lateness, not as reaction.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../benches/kinds.ts';
import { openBench } from '../benches/open.ts';
import { loadBenchFile } from '../benches/load.ts';
import type { Clock } from '../drivers/core/clock.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { ISO15118_EV_KIND, type Iso15118Vehicle } from '../drivers/iso15118/evcc/vehicle.ts';

const seconds = Number(process.argv[2] ?? 10);
const root = new URL('..', import.meta.url).pathname;
const runDir = mkdtempSync(join(tmpdir(), 'mcs-hil-reaction-'));
const bench = await openBench({ config: loadBenchFile(join(root, 'benches/emulator.yaml')), runDir });
const clock = bench.clock;
const vehicle = bench.find<Iso15118Vehicle & { name: string; kind: string; close(): Promise<void> }>(ISO15118_EV_KIND)!;

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s.at(-1) ?? NaN };
}
const fmt = (x: Stats) =>
  `n ${String(x.n).padStart(5)}  p50 ${x.p50.toFixed(3)} ms  p99 ${x.p99.toFixed(3)} ms  max ${x.max.toFixed(3)} ms`;

/** How late timers of one class fire while the session runs: repeated, each measured against its due time. */
function timerProbe(c: Clock, periodMs: number, periodic: boolean): { lateMs: number[]; stop: () => void } {
  const lateMs: number[] = [];
  let on = true;
  let due = c.now() + periodMs * 1e6;
  const fire = () => {
    if (!on) return;
    const now = c.now();
    lateMs.push((now - due) / 1e6);
    // Periodic: the next due time follows the schedule (no drift); one-shot: re-armed from now, like a timeout.
    due = periodic ? due + periodMs * 1e6 : now + periodMs * 1e6;
    c.setTimer(Math.max(0, (due - c.now()) / 1e6), fire);
  };
  c.setTimer(periodMs, fire);
  return { lateMs, stop: () => (on = false) };
}

const probes = {
  'one-shot 10 ms (receive timeouts, watchdogs)': timerProbe(clock, 10, false),
  'periodic 50 ms (CAN cyclic frames, BCL)': timerProbe(clock, 50, true),
  'periodic 250 ms (status, heartbeat)': timerProbe(clock, 250, true),
};

const from = bench.timeline.mark();
let error: unknown;
// 1. the normal session start (SDP … PowerDelivery), then `seconds` of the charge loop at its period.
try {
  const charging = await vehicle.startCharging();
  await clock.sleep(seconds * 1000);
  await charging.stop();
} catch (e) {
  error = e;
}
// 2. a session whose charge loop requests go out back to back: each one is the vehicle's reaction to the last answer.
const backToBack = bench.timeline.mark();
try {
  await vehicle.pilot?.setCe('B');
  const s = await vehicle.openSession();
  await s.runUntil('PowerDelivery', { beforeCableCheck: async () => void (await vehicle.pilot?.setCe('C')) });
  for (let i = 0; i < 20 * seconds; i++) await s.chargeLoopOnce({ currentA: 100 + (i % 50), voltageV: 850 });
  await s.sessionStop();
  await vehicle.pilot?.setCe('B');
} catch (e) {
  error ??= e;
}
for (const p of Object.values(probes)) p.stop();

// Reaction: each response (rx) and the request that follows it (tx), by the request sent.
function reactions(afterSeq: number, toSeq: number): Map<string, number[]> {
  const v2g = bench.timeline
    .query({ kind: 'v2g', source: vehicle.name, afterSeq })
    .filter((e) => e.seq <= toSeq && !e.data.raw && !e.data.malformed);
  const byRequest = new Map<string, number[]>();
  let last: TimelineEvent | undefined;
  for (const e of v2g) {
    const name = String(e.data.message ?? e.data.payloadTypeName ?? '?');
    if (e.data.dir === 'tx' && last?.data.dir === 'rx') byRequest.set(name, [...(byRequest.get(name) ?? []), (e.t - last.t) / 1e6]);
    last = e;
  }
  return byRequest;
}
const normal = reactions(from, backToBack);
const direct = reactions(backToBack, bench.timeline.mark());

console.log(`harness reaction on real sockets (emulator bench: veth, TLS 1.3), ${seconds} s of charge loop (Node ${process.version})`);
if (error) console.log(`  a session ended early: ${(error as Error).message}`);
console.log('  normal session, response last byte → next request leaves, by request');
console.log('  (repeats such as DC_CableCheckReq wait for their retry timer; PowerDeliveryReq for the contactors):');
for (const [name, ms] of normal) console.log(`    ${name.padEnd(34)} ${fmt(stats(ms))}`);
const loop = direct.get('DC_ChargeLoopReq') ?? [];
console.log(`  harness reaction, DC_ChargeLoopReq sent back to back: ${fmt(stats(loop))}`);
const period = vehicle.timers.EVCC_ChargeLoop_Period;
const sends = bench.timeline
  .query({ kind: 'v2g', source: vehicle.name, afterSeq: from })
  .filter((e) => e.seq <= backToBack && e.data.dir === 'tx' && e.data.message === 'DC_ChargeLoopReq')
  .map((e) => e.t);
const intervals = sends.slice(1).map((t, k) => (t - sends[k]) / 1e6 - period);
console.log(`  DC_ChargeLoopReq period lateness (interval − ${period} ms): ${fmt(stats(intervals))}`);
console.log('  timer lateness while the sessions ran, by timer class:');
for (const [name, p] of Object.entries(probes)) console.log(`    ${name.padEnd(46)} ${fmt(stats(p.lateMs))}`);

await bench.close('perf/reaction.ts done');
rmSync(runDir, { recursive: true, force: true });
