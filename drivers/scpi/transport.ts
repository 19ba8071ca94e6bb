// SCPI transports: raw socket on TCP 5025 (the Keysight default, `TCPIP::host::5025::SOCKET`), and a
// transcript transport that plays a recorded command/response list (pymeasure's expected_protocol idea)
// so drivers are tested without hardware. Messages end with '\n'; a query waits for one reply line.
// Timeouts run on the injected clock; every command and reply goes on the timeline (kind 'instrument').

import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';
import { blockLength } from './binary-block.ts';
import { ScpiTimeout } from './errors.ts';

export interface ScpiTransport {
  readonly description: string;
  write(command: string): Promise<void>;
  query(command: string): Promise<string>;
  /** A query answered with an IEEE 488.2 definite-length block: the whole block as a latin1 string. */
  queryBlock(command: string): Promise<string>;
  close(): Promise<void>;
}

export const SCPI_RAW_PORT = 5025;
const LOG_REPLY_CHARS = 200;

export interface TcpScpiOptions {
  host: string;
  port?: number;
  clock: Clock;
  timeline?: Timeline;
  /** Timeline source (the resource name). */
  source?: string;
  /** Per-reply timeout (ms of clock time). */
  timeoutMs?: number;
}

/** The raw-socket transport; the same line protocol also runs over an in-process stream (`inProcess`). */
export class TcpScpiTransport implements ScpiTransport {
  readonly description: string;
  private buffer = '';
  private waiting: { resolve: (line: string) => void; reject: (e: Error) => void } | undefined;
  /** Set while a block query waits: its reply may hold '\n' bytes, so it is cut by its length. */
  private blockWanted = false;
  /** Replies still owed to queries that timed out: when they come, they are dropped, not taken as the next reply. */
  private owed = 0;
  private lines: string[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Duplex,
    private readonly o: TcpScpiOptions,
  ) {
    this.description = socket instanceof Socket ? `TCPIP::${o.host}::${o.port ?? SCPI_RAW_PORT}::SOCKET` : `memory::${o.source ?? 'scpi'}`;
    if (socket instanceof Socket) socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new ScpiTimeout(`${this.description}: ${e.message}`, o.source, { cause: e })));
    socket.on('close', () => this.fail(new ScpiTimeout(`${this.description}: connection closed by the instrument`, o.source)));
  }

  /** Over an in-process stream to an emulated instrument (a virtual-time bench has no sockets). */
  static inProcess(stream: Duplex, o: Omit<TcpScpiOptions, 'host' | 'port'>): TcpScpiTransport {
    const t = new TcpScpiTransport(stream, { ...o, host: 'memory' });
    o.timeline?.record('link', o.source ?? 'scpi', { event: 'connected', resource: t.description });
    return t;
  }

  static connect(o: TcpScpiOptions): Promise<TcpScpiTransport> {
    const port = o.port ?? SCPI_RAW_PORT;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = o.clock.setTimer(o.timeoutMs ?? 2000, () => {
        socket.destroy();
        reject(new ScpiTimeout(`no connection to ${o.host}:${port} within ${o.timeoutMs ?? 2000} ms`, o.source));
      });
      socket.once('error', (e) => {
        timer.cancel();
        reject(new ScpiTimeout(`cannot connect to ${o.host}:${port}: ${e.message}`, o.source, { cause: e }));
      });
      socket.connect(port, o.host, () => {
        timer.cancel();
        socket.removeAllListeners('error');
        const t = new TcpScpiTransport(socket, o);
        o.timeline?.record('link', o.source ?? 'scpi', { event: 'connected', resource: t.description });
        resolve(t);
      });
    });
  }

  write(command: string): Promise<void> {
    return this.serial(async () => {
      this.check();
      this.log('out', command);
      this.socket.write(command + '\n');
    });
  }

  query(command: string): Promise<string> {
    return this.serial(async () => {
      this.check();
      this.lines = []; // a stale line (reply to nothing) must not answer this query
      this.log('out', command);
      this.socket.write(command + '\n');
      const reply = await this.nextLine(command);
      this.log('in', reply, command);
      return reply;
    });
  }

  queryBlock(command: string): Promise<string> {
    return this.serial(async () => {
      this.check();
      this.lines = [];
      this.log('out', command);
      this.blockWanted = true;
      this.socket.write(command + '\n');
      try {
        const reply = await this.nextLine(command);
        this.log('in', `<block of ${reply.length} bytes>`, command);
        return reply;
      } finally {
        this.blockWanted = false;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    this.socket.end();
    this.socket.destroy();
    this.o.timeline?.record('link', this.o.source ?? 'scpi', { event: 'closed', resource: this.description });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private nextLine(command: string): Promise<string> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    return new Promise((resolve, reject) => {
      const ms = this.o.timeoutMs ?? 2000;
      const timer = this.o.clock.setTimer(ms, () => {
        this.waiting = undefined;
        this.owed++;
        reject(new ScpiTimeout(`${this.description}: no reply to '${command}' within ${ms} ms`, this.o.source));
      });
      this.waiting = {
        resolve: (line) => {
          timer.cancel();
          resolve(line);
        },
        reject: (e) => {
          timer.cancel();
          reject(e);
        },
      };
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const total = (this.blockWanted || this.owed > 0) && this.buffer.startsWith('#') ? blockLength(this.buffer) : -1;
      if (total === undefined || (total > 0 && this.buffer.length < total + 1)) return; // the rest of the block is on its way
      const nl = total > 0 ? total : this.buffer.indexOf('\n');
      if (nl < 0) return;
      const line = total > 0 ? this.buffer.slice(0, nl) : this.buffer.slice(0, nl).replace(/\r$/, ''); // a block's last byte may be 0x0D
      this.buffer = this.buffer.slice(nl + 1);
      if (this.owed > 0) {
        this.owed--; // the late reply to a query that already timed out
        this.o.timeline?.record('instrument', this.o.source ?? 'scpi', { event: 'late reply dropped', chars: line.length });
        continue;
      }
      const w = this.waiting;
      if (w) {
        this.waiting = undefined;
        w.resolve(line);
      } else this.lines.push(line);
    }
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  private check(): void {
    if (this.closed) throw new ScpiTimeout(`${this.description}: transport is closed`, this.o.source);
    if (this.failure) throw this.failure;
  }

  private log(dir: 'out' | 'in', text: string, command?: string): void {
    this.o.timeline?.record('instrument', this.o.source ?? 'scpi', {
      dir,
      text: text.length > LOG_REPLY_CHARS ? `${text.slice(0, LOG_REPLY_CHARS)}… (${text.length} chars)` : text,
      ...(command ? { command } : {}),
    });
  }
}

/** One expected exchange: the command we must send, and the reply (null for a write). */
export type TranscriptEntry = readonly [command: string, reply: string | null];

export class TranscriptMismatch extends Error {
  override name = 'TranscriptMismatch';
}

/**
 * Plays a recorded command/response list. Every write or query must be the next entry, in order;
 * assertConsumed() checks nothing was left out.
 */
export class TranscriptTransport implements ScpiTransport {
  readonly description = 'transcript';
  private next = 0;
  readonly sent: string[] = [];

  constructor(private readonly entries: readonly TranscriptEntry[]) {}

  async write(command: string): Promise<void> {
    const e = this.take(command);
    if (e[1] !== null) throw new TranscriptMismatch(`'${command}' was written, but the transcript expects a query answered with '${e[1]}'`);
  }

  async query(command: string): Promise<string> {
    const e = this.take(command);
    if (e[1] === null) throw new TranscriptMismatch(`'${command}' was queried, but the transcript expects a write`);
    return e[1];
  }

  queryBlock(command: string): Promise<string> {
    return this.query(command);
  }

  async close(): Promise<void> {}

  assertConsumed(): void {
    if (this.next !== this.entries.length)
      throw new TranscriptMismatch(
        `transcript not consumed: next expected '${this.entries[this.next][0]}' (${this.entries.length - this.next} left)`,
      );
  }

  private take(command: string): TranscriptEntry {
    this.sent.push(command);
    const e = this.entries[this.next];
    if (!e) throw new TranscriptMismatch(`unexpected '${command}': the transcript is already consumed`);
    if (e[0] !== command) throw new TranscriptMismatch(`command ${this.next + 1}: expected '${e[0]}', got '${command}'`);
    this.next++;
    return e;
  }
}
