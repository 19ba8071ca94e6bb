// A CAN transport that attaches to a socketcand server (the Linux daemon bridging can0/vcan0, or our hub)
// in rawmode. A lost connection is a BenchFault recorded on the timeline; we never reconnect on our own,
// because frames lost while reconnecting would silently change what the test saw.

import { connect, type Socket } from 'node:net';
import { VirtualClock, type Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { validateFrame, type CanFrame } from './frame.ts';
import { recordFrame } from './frame-event.ts';
import { formatSend, MessageSplitter, parseServerFrame, SOCKETCAND_PORT, tokens } from './socketcand-protocol.ts';
import type { CanListener, CanTransport } from './transport.ts';

export interface SocketcandOptions {
  host: string;
  port?: number;
  /** Bus name on the server ('can0', 'vcan0', or any name on our hub). */
  bus: string;
  clock: Clock;
  timeline?: Timeline;
  /** Timeline source and BenchFault resource name (default: the bus name). */
  source?: string;
  /** Connect + handshake bound. Default 5000 ms. */
  connectTimeoutMs?: number;
}

export class SocketcandCan implements CanTransport {
  readonly channel: string;
  readonly source: string;
  private socket: Socket | undefined;
  private listeners = new Set<CanListener>();
  private lostListeners = new Set<(fault: BenchFault) => void>();
  private splitter = new MessageSplitter();
  private closing = false;
  /** Set when the connection went away without close(): every later send rejects with it. */
  lost: BenchFault | undefined;
  /** Frames or messages from the server we could not read (kept, never thrown). */
  badInput = 0;

  private constructor(private readonly opts: SocketcandOptions) {
    this.channel = opts.bus;
    this.source = opts.source ?? opts.bus;
  }

  private get endpoint(): string {
    return `socketcand ${this.opts.host}:${this.opts.port ?? SOCKETCAND_PORT} bus '${this.opts.bus}'`;
  }

  /** Connect, open the bus and enter rawmode; BenchFault (with what to check) when any step fails. */
  static async open(opts: SocketcandOptions): Promise<SocketcandCan> {
    const t = new SocketcandCan(opts);
    if (opts.clock instanceof VirtualClock || opts.clock.description === 'virtual')
      // Virtual time jumps ahead whenever the process waits, and here it waits on TCP: every timeout would fire at once.
      throw new BenchFault(
        `${t.endpoint}: a socketcand transport needs real time (bench clock 'real', any rate); with a virtual clock use kind 'virtual-can'`,
        t.source,
      );
    await t.handshake();
    return t;
  }

  private handshake(): Promise<void> {
    const { host, bus, clock } = this.opts;
    const port = this.opts.port ?? SOCKETCAND_PORT;
    const timeoutMs = this.opts.connectTimeoutMs ?? 5000;
    return new Promise<void>((resolve, reject) => {
      let step: 'hi' | 'open' | 'raw' | 'done' = 'hi';
      const socket = connect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setEncoding('latin1');
      const fail = (why: string, fix: string, cause?: unknown) => {
        if (step === 'done') return;
        step = 'done';
        timer.cancel();
        socket.destroy();
        this.opts.timeline?.record('link', this.source, { event: 'can-open-failed', endpoint: this.endpoint, reason: why });
        reject(new BenchFault(`${this.endpoint}: ${why}; ${fix}`, this.source, { cause }));
      };
      const timer = clock.setTimer(timeoutMs, () =>
        fail(`no ${step === 'hi' ? "'< hi >' greeting" : step === 'open' ? "reply to '< open >'" : "reply to '< rawmode >'"} within ${timeoutMs} ms`, 'check that a socketcand server (not another service) listens there'),
      );
      socket.on('error', (err) => {
        if (step !== 'done') fail(`cannot connect (${err.message})`, `start the server (e.g. 'mcs-hil can hub --port ${port}' or socketcand -i ${bus}) or fix host/port in the bench file`, err);
        else this.connectionLost(`socket error: ${err.message}`, err);
      });
      socket.on('close', () => {
        if (step !== 'done') fail('the server closed the connection during the handshake', 'check the bus name and the server log');
        else this.connectionLost('the server closed the connection');
      });
      socket.on('data', (chunk: string) => {
        const { messages, junk } = this.splitter.push(chunk);
        for (const j of junk) this.bad(`text outside < … >: '${j.slice(0, 60)}'`);
        for (const m of messages) {
          if (step === 'done') {
            this.onMessage(m);
            continue;
          }
          const tk = tokens(m);
          if (tk[0] === 'error') {
            fail(`server refused: '< ${m} >'`, step === 'open' ? `check that bus '${bus}' exists on the server (socketcand -i ${bus} / hub --buses)` : 'check the server log');
            return;
          }
          if (step === 'hi' && m === 'hi') {
            step = 'open';
            socket.write(`< open ${bus} >`);
          } else if (step === 'open' && m === 'ok') {
            step = 'raw';
            socket.write('< rawmode >');
          } else if (step === 'raw' && m === 'ok') {
            step = 'done';
            timer.cancel();
            this.opts.timeline?.record('link', this.source, { event: 'can-open', endpoint: this.endpoint });
            resolve();
          } else {
            fail(`unexpected '< ${m} >' while waiting for ${step === 'hi' ? '< hi >' : '< ok >'}`, 'check that the server speaks the socketcand protocol');
          }
        }
      });
    });
  }

  private onMessage(m: string): void {
    const tk = tokens(m);
    if (tk[0] === 'frame' || tk[0] === 'fdframe' || (tk[0] === 'error' && /^[0-9A-Fa-f]+$/.test(tk[1] ?? '') && tk.length === 3)) {
      try {
        const { frame, epochUs } = parseServerFrame(tk, `${this.endpoint} '< ${m.slice(0, 80)} >'`);
        frame.t = this.opts.clock.now();
        // The hub's stamp on our clock (same epoch mapping as our hub's): t − busT is our receive latency.
        frame.busT = (epochUs / 1e3 - (this.opts.clock.wallMs() - this.opts.clock.nowMs())) * 1e6;
        recordFrame(this.opts.timeline, this.source, 'rx', frame, this.channel);
        for (const l of this.listeners) {
          try {
            l(frame);
          } catch (err) {
            this.opts.timeline?.record('note', this.source, { message: `CAN listener threw: ${(err as Error)?.message ?? String(err)}` });
          }
        }
      } catch (err) {
        this.bad((err as Error).message);
      }
      return;
    }
    if (tk[0] === 'error') {
      // The server rejected something we sent: keep it on the timeline; the send itself already resolved.
      this.opts.timeline?.record('link', this.source, { event: 'server-error', endpoint: this.endpoint, message: m });
      return;
    }
    if (m === 'ok' || m === 'echo') return;
    this.bad(`unexpected message '< ${m.slice(0, 80)} >'`);
  }

  private bad(message: string): void {
    this.badInput++;
    this.opts.timeline?.record('link', this.source, { event: 'bad-input', endpoint: this.endpoint, message });
  }

  private connectionLost(why: string, cause?: unknown): void {
    if (this.closing || this.lost) return;
    this.lost = new BenchFault(
      `${this.endpoint}: connection lost (${why}); the harness does not reconnect by itself — check the server and the network, then rerun`,
      this.source,
      { cause },
    );
    this.opts.timeline?.record('link', this.source, { event: 'can-lost', endpoint: this.endpoint, reason: why });
    for (const l of this.lostListeners) {
      try {
        l(this.lost);
      } catch {
        /* a listener's bug must not hide the fault */
      }
    }
  }

  /** Called once when the connection goes away without close(). */
  onLost(listener: (fault: BenchFault) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async send(frame: CanFrame): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.closing || !this.socket) throw new BenchFault(`${this.endpoint}: transport is closed`, this.source);
    validateFrame(frame, `${this.endpoint} send`);
    if (frame.rtr) throw new BenchFault(`${this.endpoint}: socketcand rawmode cannot send remote frames`, this.source);
    if (frame.error) throw new BenchFault(`${this.endpoint}: socketcand rawmode cannot send error frames`, this.source);
    const sent: CanFrame = { ...frame, t: this.opts.clock.now() };
    recordFrame(this.opts.timeline, this.source, 'tx', sent, this.channel);
    // Backpressure: when the kernel buffer is full, wait for it to drain so a fast sender cannot grow memory without bound.
    if (!this.socket.write(formatSend(frame))) {
      const socket = this.socket;
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
      if (this.lost) throw this.lost;
    }
  }

  onFrame(listener: CanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const socket = this.socket;
    this.listeners.clear();
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // A server that never closes its side must not hang close(): destroy after the FIN is out.
      this.opts.clock.setTimer(1000, () => socket.destroy());
    });
    this.opts.timeline?.record('link', this.source, { event: 'can-close', endpoint: this.endpoint });
  }
}
