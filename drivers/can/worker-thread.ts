// The real-time core of one socketcand bus (issue 14): this worker thread owns the TCP socket and the periodic
// schedule, so EXI work, plotting, timeline writing and reports on the main thread never delay a periodic send
// or a receive stamp. Received bytes are stamped (process.hrtime) the moment the socket hands them over, before
// parsing; periodic sends go out at absolute due times. Everything else (validation, the timeline, listeners)
// stays on the main thread (worker-can.ts), which talks to this one through worker-messages.ts.

import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { CanFrame } from './frame.ts';
import { formatSend } from './socketcand-protocol.ts';
import type { FromWorker, ToWorker, WireFrame, WorkerLinkSettings } from './worker-messages.ts';
import { SocketcandWireSession } from './worker-session.ts';

const port = parentPort!;
const settings = workerData as WorkerLinkSettings;
const hr = () => Number(process.hrtime.bigint());
const post = (m: FromWorker) => port.postMessage(m);
// libuv timers fire on whole milliseconds: wake this much early and wait out the rest on the clock itself.
const SPIN_NS = 1_200_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** SCHED_FIFO for this thread only (chrt on its kernel thread id), when asked and permitted; says what it got. */
function realtime(priority: number | undefined): string {
  if (priority === undefined) return 'event-loop timers + futex sleep, receive stamped on arrival in the thread';
  const tid = /task\/(\d+)/.exec(readlinkSync('/proc/thread-self'))?.[1];
  const r = tid ? spawnSync('chrt', ['-f', '-p', String(priority), tid], { encoding: 'utf8' }) : undefined;
  return r?.status === 0
    ? `SCHED_FIFO ${priority} (thread ${tid})`
    : `SCHED_OTHER (chrt refused: ${r?.stderr?.trim() || r?.error?.message || 'no tid'})`;
}
const rtNote = realtime(settings.fifoPriority);

interface Periodic {
  name: string;
  periodNs: number;
  phaseNs: number;
  startHr: number;
  frame: WireFrame;
  count?: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

const periodics = new Map<string, Periodic>();
let closing = false;

function arm(p: Periodic, k: number): void {
  if (p.stopped || closing) return;
  if (p.count !== undefined && k >= p.count) {
    p.stopped = true;
    post({ op: 'periodic-done', name: p.name });
    return;
  }
  const due = p.startHr + p.phaseNs + k * p.periodNs;
  p.timer = setTimeout(() => fire(p, k, due), Math.max(0, (due - hr() - SPIN_NS) / 1e6));
}

function fire(p: Periodic, k: number, due: number): void {
  if (p.stopped || closing) return;
  // The last stretch the timer cannot resolve: sleep on a futex (hrtimer precision) but the final 50 µs, spun.
  const left = due - hr();
  if (left > 100_000) Atomics.wait(sleeper, 0, 0, (left - 50_000) / 1e6);
  while (hr() < due);
  const t = hr();
  socket.write(formatSend(p.frame as CanFrame));
  post({ op: 'periodic-sent', name: p.name, k, hr: t, dueHr: due, frame: p.frame });
  // A stalled thread skips missed slots rather than bursting them (as the main-thread scheduler does).
  let next = k + 1;
  while (p.startHr + p.phaseNs + next * p.periodNs <= hr()) next++;
  arm(p, next);
}

function stopPeriodic(name: string): void {
  const p = periodics.get(name);
  if (!p) return;
  p.stopped = true;
  clearTimeout(p.timer);
  periodics.delete(name);
}

const socket: Socket = connect({ host: settings.host, port: settings.port });
const session = new SocketcandWireSession(settings, {
  write: (text) => socket.write(text),
  post: (m) => post(m.op === 'open' ? { ...m, detail: rtNote } : m),
  timer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  destroy: () => socket.destroy(),
});
socket.setNoDelay(true);
socket.setEncoding('latin1');
socket.on('data', (chunk: string) => session.chunk(chunk, hr()));
socket.on('error', (err) => {
  if (!session.ready) session.failOpen(`cannot connect (${err.message})`, session.startFix());
  else if (!closing) post({ op: 'lost', why: `socket error: ${err.message}` });
});
socket.on('close', () => {
  if (!session.ready) session.failOpen('the server closed the connection during the handshake', 'check the bus name and the server log');
  else if (closing) post({ op: 'closed' });
  else post({ op: 'lost', why: 'the server closed the connection' });
  for (const name of [...periodics.keys()]) stopPeriodic(name);
  port.close();
});

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'send':
      if (session.ready && !closing) socket.write(formatSend(m.frame as CanFrame));
      return;
    case 'periodic': {
      stopPeriodic(m.name);
      const p: Periodic = {
        name: m.name,
        periodNs: m.periodNs,
        phaseNs: m.phaseNs,
        startHr: m.startHr,
        frame: m.frame,
        count: m.count,
        stopped: false,
      };
      periodics.set(m.name, p);
      arm(p, 0);
      return;
    }
    case 'periodic-update': {
      const p = periodics.get(m.name);
      if (p) p.frame = m.frame;
      return;
    }
    case 'periodic-stop':
      stopPeriodic(m.name);
      return;
    case 'close':
      closing = true;
      for (const name of [...periodics.keys()]) stopPeriodic(name);
      if (socket.destroyed) {
        post({ op: 'closed' });
        port.close();
        return;
      }
      socket.end();
      // A server that never closes its side must not hang close(): destroy after the FIN is out.
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
  }
});
