// The client side of the socketcand protocol for a wire that runs off the main path: the handshake
// (hi → open → rawmode), then every received chunk split into messages, frames parsed and reported with the
// stamp their bytes got on arrival. The worker thread (worker-thread.ts) and the native helper's adapter
// (rt-engine.ts) both speak through it, so the protocol is read the same way whichever wire is in use.

import type { CanFrame } from './frame.ts';
import { MessageSplitter, parseServerFrame, tokens } from './socketcand-protocol.ts';
import type { FromWorker, WireFrame, WorkerLinkSettings } from './worker-messages.ts';

/** What the session needs from its host: write to the socket, report, and a one-shot wall-clock timer. */
export interface WireSessionHost {
  write(text: string): void;
  post(m: FromWorker): void;
  /** Arm the handshake timeout; returns its cancel. */
  timer(ms: number, fn: () => void): () => void;
  /** Drop the connection (the handshake failed). */
  destroy(): void;
}

export function wireFrame(frame: CanFrame): WireFrame {
  const { id, extended, data, fd, brs, esi, rtr, error } = frame;
  const w: WireFrame = { id, extended, data };
  if (fd) w.fd = true;
  if (brs) w.brs = true;
  if (esi) w.esi = true;
  if (rtr) w.rtr = true;
  if (error) w.error = true;
  return w;
}

export class SocketcandWireSession {
  ready = false;
  private step: 'hi' | 'open' | 'raw' = 'hi';
  private openDone = false;
  private readonly splitter = new MessageSplitter();
  private readonly cancelTimer: () => void;

  constructor(
    private readonly settings: WorkerLinkSettings,
    private readonly host: WireSessionHost,
  ) {
    this.cancelTimer = host.timer(settings.connectTimeoutMs, () =>
      this.failOpen(
        `no ${this.awaited()} within ${settings.connectTimeoutMs} ms`,
        'check that a socketcand server (not another service) listens there',
      ),
    );
  }

  /** Bytes from the server, stamped (hr ns) when they arrived. */
  chunk(text: string, stamp: number): void {
    const { messages, junk } = this.splitter.push(text);
    for (const j of junk) this.host.post({ op: 'bad-input', message: `text outside < … >: '${j.slice(0, 60)}'` });
    const frames: { frame: WireFrame; busUs: number }[] = [];
    for (const m of messages) {
      if (!this.ready) {
        this.handshake(m);
        continue;
      }
      const tk = tokens(m);
      if (tk[0] === 'frame' || tk[0] === 'fdframe' || (tk[0] === 'error' && /^[0-9A-Fa-f]+$/.test(tk[1] ?? '') && tk.length === 3)) {
        try {
          const parsed = parseServerFrame(tk, `socketcand bus '${this.settings.bus}' '< ${m.slice(0, 80)} >'`);
          frames.push({ frame: wireFrame(parsed.frame), busUs: parsed.epochUs });
        } catch (err) {
          this.host.post({ op: 'bad-input', message: (err as Error).message });
        }
      } else if (tk[0] === 'error') this.host.post({ op: 'server-error', message: m });
      else if (m !== 'ok' && m !== 'echo') this.host.post({ op: 'bad-input', message: `unexpected message '< ${m.slice(0, 80)} >'` });
    }
    if (frames.length) this.host.post({ op: 'rx', hr: stamp, frames });
  }

  /** The connection failed or closed before the session was open; ignored once open. */
  failOpen(why: string, fix: string): void {
    if (this.openDone || this.ready) return;
    this.openDone = true;
    this.cancelTimer();
    this.host.destroy();
    this.host.post({ op: 'open-failed', why, fix });
  }

  /** What a failed connect should tell the user to do. */
  startFix(): string {
    return (
      `start the server (e.g. 'mcs-hil can hub --port ${this.settings.port}' or socketcand -i ${this.settings.bus}) ` +
      'or fix host/port in the bench file'
    );
  }

  private awaited(): string {
    return this.step === 'hi' ? "'< hi >' greeting" : this.step === 'open' ? "reply to '< open >'" : "reply to '< rawmode >'";
  }

  private handshake(m: string): void {
    const tk = tokens(m);
    if (tk[0] === 'error') {
      const fix =
        this.step === 'open'
          ? `check that bus '${this.settings.bus}' exists on the server (socketcand -i ${this.settings.bus} / hub --buses)`
          : 'check the server log';
      return this.failOpen(`server refused: '< ${m} >'`, fix);
    }
    if (this.step === 'hi' && m === 'hi') {
      this.step = 'open';
      this.host.write(`< open ${this.settings.bus} >`);
    } else if (this.step === 'open' && m === 'ok') {
      this.step = 'raw';
      this.host.write('< rawmode >');
    } else if (this.step === 'raw' && m === 'ok') {
      this.ready = true;
      this.cancelTimer();
      this.host.post({ op: 'open' });
    } else
      this.failOpen(
        `unexpected '< ${m} >' while waiting for ${this.step === 'hi' ? '< hi >' : '< ok >'}`,
        'check that the server speaks the socketcand protocol',
      );
  }
}
