// A CAN transport that attaches to a socketcand server (the Linux daemon bridging can0/vcan0, or our hub)
// in rawmode. A lost connection is a BenchFault recorded on the timeline; we never reconnect on our own,
// because frames lost while reconnecting would silently change what the test saw.

import { connect, type Socket } from 'node:net';
import { VirtualClock } from '../core/clock.ts';
import { CanBusBase, type CanBusOptions } from './can-bus-base.ts';
import type { CanFrame } from './frame.ts';
import { formatSend, MessageSplitter, parseServerFrame, SOCKETCAND_PORT, tokens } from './socketcand-protocol.ts';

export interface SocketcandOptions extends CanBusOptions {
  host: string;
  port?: number;
  /** Bus name on the server ('can0', 'vcan0', or any name on our hub). */
  bus: string;
  /** Connect + handshake bound. Default 5000 ms. */
  connectTimeoutMs?: number;
}

const NO_RECONNECT = 'the harness does not reconnect by itself — check the server and the network, then rerun';

export class SocketcandCan extends CanBusBase {
  private socket: Socket | undefined;
  private splitter = new MessageSplitter();
  /** Frames or messages from the server we could not read (kept, never thrown). */
  badInput = 0;

  private constructor(private readonly opts: SocketcandOptions) {
    super(opts.bus, opts, { endpoint: `socketcand ${opts.host}:${opts.port ?? SOCKETCAND_PORT} bus '${opts.bus}'`, linkEvents: true });
  }

  /** Connect, open the bus and enter rawmode; BenchFault (with what to check) when any step fails. */
  static async open(opts: SocketcandOptions): Promise<SocketcandCan> {
    const t = new SocketcandCan(opts);
    if (opts.clock instanceof VirtualClock || opts.clock.description === 'virtual')
      // Virtual time jumps ahead whenever the process waits, and here it waits on TCP: every timeout would fire at once.
      throw t.fault("a socketcand transport needs real time (bench clock 'real', any rate); with a virtual clock use kind 'virtual-can'");
    await t.handshake();
    return t;
  }

  private handshake(): Promise<void> {
    const { host, bus } = this.opts;
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
        this.recordLink('can-open-failed', { reason: why });
        reject(this.fault(`${why}; ${fix}`, cause));
      };
      const awaited = () => (step === 'hi' ? "'< hi >' greeting" : step === 'open' ? "reply to '< open >'" : "reply to '< rawmode >'");
      const timer = this.clock.setTimer(timeoutMs, () =>
        fail(`no ${awaited()} within ${timeoutMs} ms`, 'check that a socketcand server (not another service) listens there'),
      );
      socket.on('error', (err) => {
        const start = `start the server (e.g. 'mcs-hil can hub --port ${port}' or socketcand -i ${bus}) or fix host/port in the bench file`;
        if (step !== 'done') fail(`cannot connect (${err.message})`, start, err);
        else this.linkLost(`socket error: ${err.message}`, NO_RECONNECT, err);
      });
      socket.on('close', () => {
        if (step !== 'done') fail('the server closed the connection during the handshake', 'check the bus name and the server log');
        else this.linkLost('the server closed the connection', NO_RECONNECT);
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
            const fix =
              step === 'open'
                ? `check that bus '${bus}' exists on the server (socketcand -i ${bus} / hub --buses)`
                : 'check the server log';
            fail(`server refused: '< ${m} >'`, fix);
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
            this.recordLink('can-open');
            resolve();
          } else {
            fail(
              `unexpected '< ${m} >' while waiting for ${step === 'hi' ? '< hi >' : '< ok >'}`,
              'check that the server speaks the socketcand protocol',
            );
          }
        }
      });
    });
  }

  private onMessage(m: string): void {
    const tk = tokens(m);
    if (tk[0] === 'frame' || tk[0] === 'fdframe' || (tk[0] === 'error' && /^[0-9A-Fa-f]+$/.test(tk[1] ?? '') && tk.length === 3)) {
      let parsed: ReturnType<typeof parseServerFrame>;
      try {
        parsed = parseServerFrame(tk, `${this.endpoint} '< ${m.slice(0, 80)} >'`);
      } catch (err) {
        this.bad((err as Error).message);
        return;
      }
      this.deliver(parsed.frame, parsed.epochUs);
      return;
    }
    if (tk[0] === 'error') {
      // The server rejected something we sent: keep it on the timeline; the send itself already resolved.
      this.recordLink('server-error', { message: m });
      return;
    }
    if (m === 'ok' || m === 'echo') return;
    this.bad(`unexpected message '< ${m.slice(0, 80)} >'`);
  }

  private bad(message: string): void {
    this.badInput++;
    this.recordLink('bad-input', { message });
  }

  protected override refuse(frame: CanFrame): void {
    if (frame.rtr) throw this.fault('socketcand rawmode cannot send remote frames');
    if (frame.error) throw this.fault('socketcand rawmode cannot send error frames');
  }

  protected transmit(frame: CanFrame): void | Promise<void> {
    const socket = this.socket;
    if (!socket) throw this.fault('the transport is not open');
    // Backpressure: when the kernel buffer is full, wait for it to drain so a fast sender cannot grow memory without bound.
    if (socket.write(formatSend(frame))) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.once('drain', done);
      socket.once('close', done);
    });
  }

  protected async release(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // A server that never closes its side must not hang close(): destroy after the FIN is out.
      this.clock.setTimer(1000, () => socket.destroy());
    });
  }
}
