// The jitter of a 50 ms periodic CAN frame under 5k frames/s of background load, for each wire in one run: the
// main-thread client, the worker-thread wire, the worker thread under SCHED_FIFO, and the native real-time
// helper (when built), once sleeping to each due time and once as a bus gets it (spinning its last stretch).
// The wires take turns in short segments, round after round (interleaved, as the EXI comparison is), so each
// sees the same machine over the run; one at a time, because our hub forwards every frame from one event loop
// and wires sharing it would measure each other's fan-out. The hub runs in its own
// process (perf/hub-process.ts), the load comes from the native helper (perf/can-load.ts).
// Send: the sender's own stamps when the frame went to its socket. Receive: the receiver's stamps on arrival,
// period against period, so the sender's jitter and the hub's relay are in it; our receive: the receiver's stamps
// against the hub's stamps of the same frames — on a bench the bus (socketcand) stamps a frame and a real bus adds
// no scheduling jitter of ours, so this is the harness's own part. perf/can-stages.ts follows the best wire's frames
// through every stamp. The host's steal time is printed: in a VM the hypervisor stops real-time threads too.

import { readFileSync } from 'node:fs';
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
import { addSegment, noStages, printStages, type Arrival, type Stages } from './can-stages.ts';

type Endpoint = { host: string; port: number; bus: string; clock: Clock };

interface Wire {
  name: string;
  open(at: Endpoint): Promise<CanTransport>;
}

function wires(only: string[]): Wire[] {
  const list: Wire[] = [
    { name: 'main thread', open: (at) => SocketcandCan.open(at) },
    { name: 'worker thread', open: (at) => WorkerSocketcandCan.open({ ...at, engine: 'worker' }) },
    { name: 'worker SCHED_FIFO', open: (at) => WorkerSocketcandCan.open({ ...at, engine: 'worker', fifoPriority: 80 }) },
  ];
  if (wireEngineChoice({}).engine === 'native')
    list.push(
      { name: 'native, no spin', open: (at) => withSpinLead(0, () => WorkerSocketcandCan.open({ ...at, engine: 'native' })) },
      { name: 'native helper', open: (at) => WorkerSocketcandCan.open({ ...at, engine: 'native' }) },
    );
  return only.length ? list.filter((w) => only.some((o) => w.name.startsWith(o))) : list;
}

/** CPU time the hypervisor took from this VM's vCPUs (all of them, ms; /proc/stat 'steal', USER_HZ 100), 0 on bare metal. */
function stealMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  return Number(cpu[8] ?? 0) * 10;
}

/** Open a native wire whose transmit thread sleeps to each due time (the comparison for the spin lead). */
async function withSpinLead<T>(leadMs: number, open: () => Promise<T>): Promise<T> {
  const before = process.env.MCS_HIL_CAN_SPIN_LEAD_MS;
  process.env.MCS_HIL_CAN_SPIN_LEAD_MS = String(leadMs);
  try {
    return await open();
  } finally {
    if (before === undefined) delete process.env.MCS_HIL_CAN_SPIN_LEAD_MS;
    else process.env.MCS_HIL_CAN_SPIN_LEAD_MS = before;
  }
}

const ms = (x: number) => x.toFixed(3).padStart(7);

interface Tally {
  sendLateMs: number[];
  sendJitterMs: number[];
  rxJitterMs: number[];
  /** Period jitter of our receive stamps against the hub's stamps of the same frames: what our receive path adds. */
  ownRxJitterMs: number[];
  background: number;
  seconds: number;
  detail: string;
  stages: Stages;
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
  const arrivals: Arrival[] = [];
  rx.onFrame((f: CanFrame) => {
    if (f.id !== id) return void tally.background++;
    arrivals.push({ t: f.t ?? at.clock.now(), busT: f.busT });
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
  const rxTimes = arrivals.map((a) => a.t);
  tally.rxJitterMs.push(...jitterOf(rxTimes, 50));
  const sinceBus = arrivals.flatMap((a) => (a.busT === undefined ? [] : [(a.t - a.busT) / 1e6]));
  tally.ownRxJitterMs.push(...sinceBus.slice(1).map((d, i) => Math.abs(d - sinceBus[i])));
  addSegment(tally.stages, task.dueTimes, task.sendTimes, arrivals);
  if (tx instanceof WorkerSocketcandCan) tally.detail = tx.wire;
  await tx.close();
  await rx.close();
}

/** `only`: wire names (or their first word: main, worker, native) to run; all when empty. */
export async function periodicJitter(clock: Clock, seconds: number, mainBusyMs: number, only: string[] = [], fps = 5000): Promise<void> {
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
  const list = wires(only);
  const tallies = list.map((): Tally => ({
    sendLateMs: [],
    sendJitterMs: [],
    rxJitterMs: [],
    ownRxJitterMs: [],
    background: 0,
    seconds: 0,
    detail: '',
    stages: noStages(),
  }));
  const SEGMENT_S = 2;
  const steal0 = stealMs();
  const t0 = clock.now();
  for (let done = 0; done < seconds; done += SEGMENT_S)
    for (const [i, w] of list.entries()) await segment(w, at, Math.min(SEGMENT_S, seconds - done), tallies[i]);
  const steal = stealMs() - steal0;
  const wallS = (clock.now() - t0) / 1e9;
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
  // A vCPU the host deschedules stops every thread on it, real-time ones too: no priority inside the VM helps.
  console.log(`  host steal (VM): ${steal} ms of vCPU time over ${wallS.toFixed(0)} s (${cpus().length} vCPUs)`);
  for (const [i, w] of list.entries()) if (tallies[i].detail) console.log(`  ${w.name}: ${tallies[i].detail}`);
  if (wireEngineChoice({}).engine !== 'native') console.log(`  native helper: ${wireEngineChoice({}).why}`);
  const cols = ['send late p99', 'send jitter p99 / max', 'receive jitter p99 / max', 'our receive jitter p99 / max', 'load fps', 'n'];
  console.log(`  ${'wire'.padEnd(18)} ${cols.join('   ')}`);
  for (const [i, w] of list.entries()) {
    const t = tallies[i];
    const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
    const cells = [
      `${ms(percentile(t.sendLateMs, 99))} ms`,
      `${ms(percentile(t.sendJitterMs, 99))} / ${ms(max(t.sendJitterMs))} ms`,
      `${ms(percentile(t.rxJitterMs, 99))} / ${ms(max(t.rxJitterMs))} ms`.padStart(24),
      `${ms(percentile(t.ownRxJitterMs, 99))} / ${ms(max(t.ownRxJitterMs))} ms`.padStart(28),
      String(Math.round(t.background / t.seconds)).padStart(8),
      String(t.rxJitterMs.length).padStart(4),
    ];
    console.log(`  ${w.name.padEnd(18)} ${cells.join('   ')}`);
  }
  console.log("  send: the sender's stamps when each frame went to its socket (the harness's transmit, due times from its schedule)");
  console.log("  receive: the receiver's stamps, period against period: the sender's jitter + the hub's relay + ours");
  console.log("  our receive: the receiver's stamps measured against the hub's stamps of the same frames (the bus's time on a");
  console.log("    bench): what our receive path adds, the hub's forwarding after its stamp included (an upper bound)");
  // The breakdown of the best wire this machine has (the one a socketcand bus gets).
  printStages(list[list.length - 1].name, tallies[tallies.length - 1].stages, 50);
}
