// The real-time core of one socketcand bus (issue 14): this worker thread owns the TCP socket and the periodic
// schedule, so EXI work, plotting, timeline writing and reports on the main thread never delay a periodic send
// or a receive stamp. Received bytes are stamped (process.hrtime) the moment the socket hands them over, before
// parsing; periodic sends go out at absolute due times. Everything else (validation, the timeline, listeners)
// stays on the main thread (worker-can.ts), which talks to this one through worker-messages.ts.

import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { CanFrame } from './frame.ts';
import { formatSend, MessageSplitter, parseServerFrame, tokens } from './socketcand-protocol.ts';
import type { FromWorker, ToWorker, WireFrame, WorkerLinkSettings } from './worker-messages.ts';

const port = parentPort!;
const settings = workerData as WorkerLinkSettings;
const hr = () => Number(process.hrtime.bigint());
const post = (m: FromWorker) => port.postMessage(m);
// libuv timers fire on whole milliseconds: wake this much early and wait out the rest on the clock itself.
const SPIN_NS = 1_200_000;

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
const splitter = new MessageSplitter();
let ready = false;
let closing = false;

function wire(frame: CanFrame): WireFrame {
  const { id, extended, data, fd, brs, esi, rtr, error } = frame;
  return { id, extended, data, fd, brs, esi, rtr, error };
}

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
  while (hr() < due); // at most SPIN_NS: the last stretch the timer cannot resolve
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

function onServerMessages(chunk: string, stamp: number): void {
  const { messages, junk } = splitter.push(chunk);
  for (const j of junk) post({ op: 'bad-input', message: `text outside < … >: '${j.slice(0, 60)}'` });
  const frames: { frame: WireFrame; busUs: number }[] = [];
  for (const m of messages) {
    if (!ready) {
      handshake(m);
      continue;
    }
    const tk = tokens(m);
    if (tk[0] === 'frame' || tk[0] === 'fdframe' || (tk[0] === 'error' && /^[0-9A-Fa-f]+$/.test(tk[1] ?? '') && tk.length === 3)) {
      try {
        const parsed = parseServerFrame(tk, `socketcand bus '${settings.bus}' '< ${m.slice(0, 80)} >'`);
        frames.push({ frame: wire(parsed.frame), busUs: parsed.epochUs });
      } catch (err) {
        post({ op: 'bad-input', message: (err as Error).message });
      }
    } else if (tk[0] === 'error') post({ op: 'server-error', message: m });
    else if (m !== 'ok' && m !== 'echo') post({ op: 'bad-input', message: `unexpected message '< ${m.slice(0, 80)} >'` });
  }
  if (frames.length) post({ op: 'rx', hr: stamp, frames });
}

let step: 'hi' | 'open' | 'raw' = 'hi';
function handshake(m: string): void {
  const tk = tokens(m);
  if (tk[0] === 'error') {
    const fix =
      step === 'open'
        ? `check that bus '${settings.bus}' exists on the server (socketcand -i ${settings.bus} / hub --buses)`
        : 'check the server log';
    return failOpen(`server refused: '< ${m} >'`, fix);
  }
  if (step === 'hi' && m === 'hi') {
    step = 'open';
    socket.write(`< open ${settings.bus} >`);
  } else if (step === 'open' && m === 'ok') {
    step = 'raw';
    socket.write('< rawmode >');
  } else if (step === 'raw' && m === 'ok') {
    ready = true;
    clearTimeout(openTimer);
    post({ op: 'open' });
  } else
    failOpen(
      `unexpected '< ${m} >' while waiting for ${step === 'hi' ? '< hi >' : '< ok >'}`,
      'check that the server speaks the socketcand protocol',
    );
}

let openDone = false;
function failOpen(why: string, fix: string): void {
  if (openDone || ready) return;
  openDone = true;
  clearTimeout(openTimer);
  socket.destroy();
  post({ op: 'open-failed', why, fix });
}

const awaited = () => (step === 'hi' ? "'< hi >' greeting" : step === 'open' ? "reply to '< open >'" : "reply to '< rawmode >'");
const openTimer = setTimeout(
  () =>
    failOpen(
      `no ${awaited()} within ${settings.connectTimeoutMs} ms`,
      'check that a socketcand server (not another service) listens there',
    ),
  settings.connectTimeoutMs,
);

const socket: Socket = connect({ host: settings.host, port: settings.port });
socket.setNoDelay(true);
socket.setEncoding('latin1');
socket.on('data', (chunk: string) => onServerMessages(chunk, hr()));
socket.on('error', (err) => {
  const start =
    `start the server (e.g. 'mcs-hil can hub --port ${settings.port}' or socketcand -i ${settings.bus}) ` +
    'or fix host/port in the bench file';
  if (!ready) failOpen(`cannot connect (${err.message})`, start);
  else if (!closing) post({ op: 'lost', why: `socket error: ${err.message}` });
});
socket.on('close', () => {
  if (!ready) failOpen('the server closed the connection during the handshake', 'check the bus name and the server log');
  else if (closing) post({ op: 'closed' });
  else post({ op: 'lost', why: 'the server closed the connection' });
  for (const name of [...periodics.keys()]) stopPeriodic(name);
  port.close();
});

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'send':
      if (ready && !closing) socket.write(formatSend(m.frame as CanFrame));
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
