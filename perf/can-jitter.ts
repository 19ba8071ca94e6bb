// The jitter of a 50 ms periodic CAN frame under 5k frames/s of background load, for each wire in one run: the
// main-thread client, the worker-thread wire, the worker thread under SCHED_FIFO, and the native real-time
// helper (when built). The wires take turns in short segments, round after round (interleaved, as the EXI
// comparison is), so each sees the same machine over the run; one at a time, because our hub forwards every
// frame from one event loop and wires sharing it would measure each other's fan-out. The hub runs in its own
// process (perf/hub-process.ts), the load comes from the native helper (perf/can-load.ts).
// Send: the sender's own stamps when the frame went to its socket. Receive: the receiver's stamps on arrival,
// after the hub (its forwarding delay included); stamp delay: receiver stamp − the hub's stamp of the frame.

import { cpus, loadavg, release, version } from 'node:os';
import type { Clock } from '../drivers/core/clock.ts';
import { canFrame, type CanFrame } from '../drivers/can/frame.ts';
import { wireEngineChoice } from '../drivers/can/rt-engine.ts';
import { percentile, PeriodicScheduler } from '../drivers/can/scheduler.ts';
import { SocketcandCan } from '../drivers/can/socketcand-client.ts';
import type { CanTransport } from '../drivers/can/transport.ts';
import { WorkerSocketcandCan } from '../drivers/can/worker-can.ts';
import { startLoad } from './can-load.ts';
import { startHubProcess } from './hub-process.ts';

type Endpoint = { host: string; port: number; bus: string; clock: Clock };

interface Wire {
  name: string;
  open(at: Endpoint): Promise<CanTransport>;
}

function wires(): Wire[] {
  const list: Wire[] = [
    { name: 'main thread', open: (at) => SocketcandCan.open(at) },
    { name: 'worker thread', open: (at) => WorkerSocketcandCan.open({ ...at, engine: 'worker' }) },
    { name: 'worker SCHED_FIFO', open: (at) => WorkerSocketcandCan.open({ ...at, engine: 'worker', fifoPriority: 80 }) },
  ];
  if (wireEngineChoice({}).engine === 'native')
    list.push({ name: 'native helper', open: (at) => WorkerSocketcandCan.open({ ...at, engine: 'native' }) });
  return list;
}

const ms = (x: number) => x.toFixed(3).padStart(7);

interface Tally {
  sendLateMs: number[];
  sendJitterMs: number[];
  rxJitterMs: number[];
  stampDelayMs: number[];
  background: number;
  seconds: number;
  detail: string;
}

/** |interval − period| of consecutive times (ns), ms. */
function jitterOf(timesNs: number[], periodMs: number): number[] {
  return timesNs.slice(1).map((t, i) => Math.abs((t - timesNs[i]) / 1e6 - periodMs));
}

async function segment(w: Wire, at: Endpoint, seconds: number, tally: Tally): Promise<void> {
  const id = 0x181056f4;
  const tx = await w.open(at);
  const rx = await w.open(at);
  // Past the hub's raw-mode grace (it holds a new client's first frames ~20 ms), or the first interval measures it.
  await at.clock.sleep(100);
  const arrivals: number[] = [];
  rx.onFrame((f: CanFrame) => {
    if (f.id !== id) return void tally.background++;
    arrivals.push(f.t ?? at.clock.now());
    if (f.busT !== undefined && f.t !== undefined) tally.stampDelayMs.push((f.t - f.busT) / 1e6);
  });
  const t0 = at.clock.now();
  const task = new PeriodicScheduler({ transport: tx, clock: at.clock }).start({
    name: 'BCL',
    periodMs: 50,
    frame: canFrame(id, [0xa5, 0x10, 0xd8, 0x0e, 0x02]),
  });
  await at.clock.sleep(seconds * 1000);
  task.stop();
  tally.seconds += (at.clock.now() - t0) / 1e9;
  await at.clock.sleep(100);
  tally.sendLateMs.push(...task.sendTimes.map((t, i) => (t - task.dueTimes[i]) / 1e6));
  tally.sendJitterMs.push(...jitterOf(task.sendTimes, 50));
  tally.rxJitterMs.push(...jitterOf(arrivals, 50));
  if (tx instanceof WorkerSocketcandCan) tally.detail = tx.wire;
  await tx.close();
  await rx.close();
}

export async function periodicJitter(clock: Clock, seconds: number, mainBusyMs: number, fps = 5000): Promise<void> {
  const hub = await startHubProcess();
  const at = { host: '127.0.0.1', port: hub.port, bus: 'jitter', clock };
  const load = await startLoad(hub.port, 'jitter', fps);
  // Main-thread work standing for EXI coding, plotting and report writing: mainBusyMs of every 20 ms.
  let busy = mainBusyMs > 0;
  const spin = () => {
    if (!busy) return;
    for (const until = clock.now() + mainBusyMs * 1e6; clock.now() < until;);
    clock.setTimer(20 - mainBusyMs, spin);
  };
  spin();
  const list = wires();
  const tallies = list.map((): Tally => ({
    sendLateMs: [],
    sendJitterMs: [],
    rxJitterMs: [],
    stampDelayMs: [],
    background: 0,
    seconds: 0,
    detail: '',
  }));
  const SEGMENT_S = 2;
  for (let done = 0; done < seconds; done += SEGMENT_S)
    for (const [i, w] of list.entries()) await segment(w, at, Math.min(SEGMENT_S, seconds - done), tallies[i]);
  busy = false;
  await load.stop();
  await hub.stop();

  console.log(
    `\n50 ms periodic frame under ${fps} frames/s background load, ${seconds} s per wire in ${SEGMENT_S} s turns ` +
      `(main thread busy ${mainBusyMs} ms of every 20 ms)`,
  );
  console.log(`  hub: ${hub.note}; load: the native helper, bursts of 10 frames`);
  // Context for the tails: a real-time thread still waits for a non-preemptible kernel (PREEMPT_NONE) and the others' load.
  console.log(
    `  kernel ${release()} ${version()}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, ${cpus().length} CPUs`,
  );
  for (const [i, w] of list.entries()) if (tallies[i].detail) console.log(`  ${w.name}: ${tallies[i].detail}`);
  if (wireEngineChoice({}).engine !== 'native') console.log(`  native helper: ${wireEngineChoice({}).why}`);
  const cols = ['send late p99', 'send jitter p99 / max', 'receive jitter p99 / max', 'stamp delay p99 / max', 'load fps', 'n'];
  console.log(`  ${'wire'.padEnd(18)} ${cols.join('   ')}`);
  for (const [i, w] of list.entries()) {
    const t = tallies[i];
    const floor = t.stampDelayMs.length ? Math.min(...t.stampDelayMs) : 0;
    const delay = t.stampDelayMs.map((d) => d - floor);
    const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
    const cells = [
      `${ms(percentile(t.sendLateMs, 99))} ms`,
      `${ms(percentile(t.sendJitterMs, 99))} / ${ms(max(t.sendJitterMs))} ms`,
      `${ms(percentile(t.rxJitterMs, 99))} / ${ms(max(t.rxJitterMs))} ms`.padStart(24),
      `${ms(percentile(delay, 99))} / ${ms(max(delay))} ms`.padStart(21),
      String(Math.round(t.background / t.seconds)).padStart(8),
      String(t.rxJitterMs.length).padStart(4),
    ];
    console.log(`  ${w.name.padEnd(18)} ${cells.join('   ')}`);
  }
  console.log('  (stamp delay: receiver stamp − hub stamp, above the smallest seen: the hub forwarding + our stamping)');
}
