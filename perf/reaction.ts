// The harness as an instrument (issue 14, item 2): on the default emulator bench over real sockets (veth
// link, TLS 1.3, the emulated SECC), how long after the last byte of a charger response the vehicle's next
// request leaves, and how late the harness's timers fire while a session runs. Prints; judges nothing.
//   npx tsx perf/reaction.ts [charge-loop-seconds]   (needs the veth link, like the tests: root)
//
// Stamps: a response is stamped when its last byte arrived (drivers/iso15118/connection.ts, before
// reassembly and decoding); a request when it is handed to the socket. Requests a timer sends (the charge
// loop's period) are reported as period lateness, not as reaction.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import '../benches/kinds.ts';
import { openBench } from '../benches/open.ts';
import { loadBenchFile } from '../benches/load.ts';
import type { Clock } from '../drivers/core/clock.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { ISO15118_EV_KIND, type Iso15118Vehicle } from '../drivers/iso15118/evcc/vehicle.ts';
import { LAB_BENCH_PRIORITY } from '../drivers/core/realtime-thread.ts';

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

// What can hold the main thread: garbage collection pauses (by kind) and event-loop blocking overall.
const gcMs = new Map<string, number[]>();
const GC_KIND: Record<number, string> = { 1: 'minor (scavenge)', 2: 'major (mark-compact)', 4: 'incremental', 8: 'weak callbacks' };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = GC_KIND[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
    gcMs.set(kind, [...(gcMs.get(kind) ?? []), e.duration]);
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

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
// 2. sessions whose charge loop requests go out back to back: each one is the vehicle's reaction to the last answer.
// Twice, interleaved in blocks: as the process runs, and with its main thread under SCHED_FIFO as a lab bench runs
// its tests by default (drivers/core/realtime-thread.ts: same priority, reset on fork), to tell the harness's own
// work from waiting for a CPU on a loaded machine. Here the emulated charger shares that thread (an emulator bench
// keeps SCHED_OTHER unless asked); its answer is before the response's last byte, outside what is measured.
const backToBack = bench.timeline.mark();
const loopMs: Record<'SCHED_OTHER' | 'SCHED_FIFO', number[]> = { SCHED_OTHER: [], SCHED_FIFO: [] };
const FIFO = ['--reset-on-fork', '-f', '-p', String(LAB_BENCH_PRIORITY), String(process.pid)];
const fifoOk = spawnSync('chrt', FIFO).status === 0;
if (fifoOk) spawnSync('chrt', ['-o', '-p', '0', String(process.pid)]);
try {
  await vehicle.pilot?.setCe('B');
  const s = await vehicle.openSession();
  await s.runUntil('PowerDelivery', { beforeCableCheck: async () => void (await vehicle.pilot?.setCe('C')) });
  for (let block = 0; block < 10; block++) {
    const policy = fifoOk && block % 2 === 1 ? 'SCHED_FIFO' : 'SCHED_OTHER';
    if (policy === 'SCHED_FIFO') spawnSync('chrt', FIFO);
    const mark = bench.timeline.mark();
    for (let i = 0; i < 2 * seconds; i++) await s.chargeLoopOnce({ currentA: 100 + (i % 50), voltageV: 850 });
    if (policy === 'SCHED_FIFO') spawnSync('chrt', ['-o', '-p', '0', String(process.pid)]);
    loopMs[policy].push(...(reactions(mark, bench.timeline.mark()).get('DC_ChargeLoopReq') ?? []));
  }
  await s.sessionStop();
  await vehicle.pilot?.setCe('B');
} catch (e) {
  error ??= e;
}
for (const p of Object.values(probes)) p.stop();
loopDelay.disable();
gcObserver.disconnect();

const normal = reactions(from, backToBack);

console.log(`harness reaction on real sockets (emulator bench: veth, TLS 1.3), ${seconds} s of charge loop (Node ${process.version})`);
console.log(
  `  load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, ${cpus().length} CPUs`,
);
if (error) console.log(`  a session ended early: ${(error as Error).message}`);
console.log('  normal session, response last byte → next request leaves, by request');
console.log('  (repeats such as DC_CableCheckReq wait for their retry timer; PowerDeliveryReq for the contactors):');
for (const [name, ms] of normal) console.log(`    ${name.padEnd(34)} ${fmt(stats(ms))}`);
const label = { SCHED_OTHER: 'SCHED_OTHER'.padEnd(26), SCHED_FIFO: `SCHED_FIFO ${LAB_BENCH_PRIORITY} (lab bench default)` };
for (const [policy, ms] of Object.entries(loopMs) as ['SCHED_OTHER' | 'SCHED_FIFO', number[]][])
  if (ms.length) console.log(`  harness reaction, DC_ChargeLoopReq sent back to back, main thread ${label[policy]}: ${fmt(stats(ms))}`);
if (!fifoOk) console.log('  (SCHED_FIFO not permitted here: chrt -f refused)');
const period = vehicle.timers.EVCC_ChargeLoop_Period;
const sends = bench.timeline
  .query({ kind: 'v2g', source: vehicle.name, afterSeq: from })
  .filter((e) => e.seq <= backToBack && e.data.dir === 'tx' && e.data.message === 'DC_ChargeLoopReq')
  .map((e) => e.t);
const intervals = sends.slice(1).map((t, k) => (t - sends[k]) / 1e6 - period);
console.log(`  DC_ChargeLoopReq period lateness (interval − ${period} ms): ${fmt(stats(intervals))}`);
console.log('  timer lateness while the sessions ran, by timer class:');
for (const [name, p] of Object.entries(probes)) console.log(`    ${name.padEnd(46)} ${fmt(stats(p.lateMs))}`);

const ld = (q: number) => (loopDelay.percentile(q) / 1e6).toFixed(3);
console.log(`  event-loop delay (1 ms probe): p50 ${ld(50)} ms  p99 ${ld(99)} ms  max ${(loopDelay.max / 1e6).toFixed(3)} ms`);
console.log('  garbage collection pauses on the main thread, by kind:');
for (const [kind, ms] of gcMs) {
  const total = ms.reduce((a, b) => a + b, 0);
  console.log(`    ${kind.padEnd(22)} ${fmt(stats(ms))}  total ${total.toFixed(0)} ms`);
}

await bench.close('perf/reaction.ts done');
rmSync(runDir, { recursive: true, force: true });
