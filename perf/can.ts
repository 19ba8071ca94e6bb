// CAN layer performance: lossless in-order throughput of the in-process bus and of the socketcand hub
// (frames/s), and the jitter of a 50 ms periodic message under 5k frames/s background load through the
// hub. Prints numbers and ratios only; no limits (they belong to no test on a shared machine).
//
//   npx tsx perf/can.ts [--frames 200000] [--jitter-seconds 10] [--main-busy-ms 0] [--wires native,worker,main]
// (--frames 0 skips the throughput runs; --wires runs the named wires' jitter only.)
//
// The jitter (perf/can-jitter.ts) runs every wire in one run: main thread, worker thread, worker
// thread under SCHED_FIFO, native real-time helper (when built: bash native/build.sh). --main-busy-ms N blocks
// the main thread N ms of every 20 ms (EXI, plots, reports standing in).

import { RealClock } from '../drivers/core/clock.ts';
import { Timeline } from '../drivers/core/timeline.ts';
import { canFrame, type CanFrame } from '../drivers/can/frame.ts';
import { openVirtualCan } from '../drivers/can/virtual-bus.ts';
import { SocketcandHub } from '../drivers/can/socketcand-hub.ts';
import { SocketcandCan } from '../drivers/can/socketcand-client.ts';
import { periodicJitter } from './can-jitter.ts';
import type { CanTransport } from '../drivers/can/transport.ts';

const clock = new RealClock();
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const FRAMES = arg('frames', 200_000);
const JITTER_S = arg('jitter-seconds', 10);
const MAIN_BUSY_MS = arg('main-busy-ms', 0);
const WIRES = process.argv.includes('--wires') ? (process.argv[process.argv.indexOf('--wires') + 1] ?? '').split(',') : [];
// Physical ceilings for context (reference note §7, 8-byte frames, worst-case stuffing).
const PHYS_1M_11BIT = 7407;
const PHYS_250K_29BIT = 1563;

function seqFrame(i: number): CanFrame {
  return canFrame(0x18ff0000 | (i & 0xffff), [i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >> 24) & 0xff, 0, 0, 0, 0]);
}
function seqOf(f: CanFrame): number {
  return f.data[0] | (f.data[1] << 8) | (f.data[2] << 16) | (f.data[3] << 24);
}

/** Send n frames as fast as the transport accepts them; resolve when the receiver has all, checking order. */
async function throughput(tx: CanTransport, rx: CanTransport, n: number): Promise<{ fps: number; lost: number; outOfOrder: number }> {
  let got = 0;
  let outOfOrder = 0;
  let expectSeq = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const off = rx.onFrame((f) => {
    if (seqOf(f) !== expectSeq) outOfOrder++;
    expectSeq = seqOf(f) + 1;
    if (++got === n) resolveDone();
  });
  const t0 = clock.now();
  for (let i = 0; i < n; i++) await tx.send(seqFrame(i));
  const timeout = clock.sleep(60_000).then(() => 'timeout');
  await Promise.race([done, timeout]);
  const s = (clock.now() - t0) / 1e9;
  off();
  return { fps: got / s, lost: n - got, outOfOrder };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function throughputs(): Promise<void> {
  // 1. in-process bus, without and with timeline recording (a bench records every frame twice: tx + rx)
  const a = openVirtualCan('perf', { clock });
  const b = openVirtualCan('perf', { clock });
  const vbus = await throughput(a, b, FRAMES);
  await a.close();
  await b.close();
  const timeline = new Timeline({ clock, memoryEvents: 50_000 });
  const ta = openVirtualCan('perf-tl', { clock, timeline, source: 'a' });
  const tb = openVirtualCan('perf-tl', { clock, timeline, source: 'b' });
  const vbusTl = await throughput(ta, tb, FRAMES);
  await ta.close();
  await tb.close();

  // 2. socketcand hub over loopback TCP: our client → hub → our client
  const hub = new SocketcandHub({ port: 0 });
  const { port } = await hub.listen();
  const ha = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'perf', clock });
  const hb = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'perf', clock });
  await clock.sleep(50);
  const hubRun = await throughput(ha, hb, Math.min(FRAMES, 100_000));
  await ha.close();
  await hb.close();

  console.log('\nlossless in-order throughput');
  const row = (name: string, r: { fps: number; lost: number; outOfOrder: number }) =>
    console.log(
      `  ${name.padEnd(34)} ${fmt(r.fps).padStart(10)} frames/s   lost ${r.lost}, out of order ${r.outOfOrder}   ` +
        `×${(r.fps / PHYS_1M_11BIT).toFixed(1)} of a 1 Mbit/s bus (${PHYS_1M_11BIT} fps)`,
    );
  row('in-process bus', vbus);
  row('in-process bus + timeline', vbusTl);
  row('socketcand hub (TCP loopback)', hubRun);
  console.log(
    `  ratio hub / in-process: ${(hubRun.fps / vbus.fps).toFixed(3)};  ` +
      `hub / GB/T bus (250 kbit/s, 29-bit, ${PHYS_250K_29BIT} fps): ×${(hubRun.fps / PHYS_250K_29BIT).toFixed(1)}`,
  );

  await hub.close();
}

async function main(): Promise<void> {
  console.log(`CAN perf (${FRAMES} frames per throughput run, ${JITTER_S} s jitter run, Node ${process.version})`);
  if (FRAMES > 0) await throughputs(); // --frames 0: the jitter only

  // 3. jitter of a 50 ms periodic frame under 5k frames/s background load, each wire side by side in one run
  await periodicJitter(clock, JITTER_S, MAIN_BUSY_MS, WIRES);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
