// The native real-time helper (native/rt-can.cpp) as the engine of a socketcand wire: it owns the TCP
// connection, sends periodic frames from a SCHED_FIFO thread at absolute CLOCK_MONOTONIC due times and stamps
// received bytes in the kernel; this adapter speaks its compact record protocol over the child's pipes and
// turns it into the same worker messages (worker-messages.ts) the worker-thread engine produces, the socketcand
// protocol itself being read by the shared session (worker-session.ts). Falls back: when the helper is not
// built, the bus runs on the worker thread (wireEngineChoice).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatSend } from './socketcand-protocol.ts';
import type { CanFrame } from './frame.ts';
import type { ToWorker, WireFrame, WorkerLinkSettings } from './worker-messages.ts';
import { SocketcandWireSession } from './worker-session.ts';
import type { WireEngine, WireEngineEvents } from './worker-engine.ts';

export const RT_HELPER_PATH = fileURLToPath(new URL('../../native/build/mcs-hil-rt-can', import.meta.url));
/** SCHED_FIFO priority of the receive thread (the transmit thread runs one above). */
const RT_PRIORITY = 80;
/**
 * How long before each due time the transmit thread stops sleeping and spins (ms; MCS_HIL_CAN_SPIN_LEAD_MS, 0 =
 * sleep to the due time). A woken thread waits for a non-preemptible kernel to finish another task's work, ms under
 * heavy load; a thread already on its CPU does not. The cost is the lead per send on one CPU (2 % for a 50 ms frame).
 */
export function spinLeadMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.MCS_HIL_CAN_SPIN_LEAD_MS ?? 1);
  return Number.isFinite(v) && v >= 0 && v <= 10 ? v : 1;
}

/** Which engine a socketcand bus gets: MCS_HIL_CAN_WIRE=native|worker forces one; default native when built. */
export function wireEngineChoice(env: NodeJS.ProcessEnv = process.env): { engine: 'native' | 'worker'; why: string } {
  const forced = env.MCS_HIL_CAN_WIRE;
  if (forced === 'worker') return { engine: 'worker', why: 'MCS_HIL_CAN_WIRE=worker' };
  let built = true;
  try {
    accessSync(RT_HELPER_PATH, constants.X_OK);
  } catch {
    built = false;
  }
  if (built) return { engine: 'native', why: forced === 'native' ? 'MCS_HIL_CAN_WIRE=native' : 'native helper built' };
  return { engine: 'worker', why: 'native helper not built (bash native/build.sh, needs g++)' };
}

/** Records Node sends the helper (perf/can-load.ts drives a helper directly with them). */
export const RtRecord = { Write: 1, Periodic: 2, Update: 3, Stop: 4, Close: 5 } as const;
export type RtRecord = (typeof RtRecord)[keyof typeof RtRecord];
const enum Ev {
  Open = 1,
  OpenFailed = 2,
  Rx = 3,
  Sent = 4,
  Done = 5,
  Lost = 6,
  Closed = 7,
}

export function helperRecord(type: RtRecord, head: Buffer, text = ''): Buffer {
  const body = Buffer.from(text, 'latin1');
  const out = Buffer.alloc(5 + head.length + body.length);
  out.writeUInt32LE(1 + head.length + body.length, 0);
  out.writeUInt8(type, 4);
  out.set(head, 5);
  out.set(body, 5 + head.length);
  return out;
}

interface Slot {
  id: number;
  gen: number;
  /** Frames by generation, newest few: a send report names the generation it sent. */
  frames: Map<number, WireFrame>;
}

export class NativeWireEngine implements WireEngine {
  readonly name = 'native real-time helper';
  /** What the helper got from the system (SCHED_FIFO or why not, memory lock, stamp source). */
  detail = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly session: SocketcandWireSession;
  private readonly slots = new Map<string, Slot>();
  private readonly names = new Map<number, string>();
  private nextSlot = 1;
  private pending = Buffer.alloc(0);
  private closing = false;
  private exited: Promise<void>;
  private stderr = '';

  constructor(
    settings: WorkerLinkSettings,
    private readonly events: WireEngineEvents,
    timer: (ms: number, fn: () => void) => () => void,
  ) {
    const args = [
      settings.host,
      String(settings.port),
      String(Math.ceil(settings.connectTimeoutMs)),
      String(RT_PRIORITY),
      String(spinLeadMs()),
    ];
    this.child = spawn(RT_HELPER_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.session = new SocketcandWireSession(settings, {
      write: (text) => this.write(helperRecord(RtRecord.Write, Buffer.alloc(0), text)),
      post: (m) => events.message(m),
      timer,
      destroy: () => this.child.kill(),
    });
    this.child.stdout.on('data', (b: Buffer) => this.read(b));
    this.child.stderr.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-500)));
    this.child.stdin.on('error', () => {}); // the exit handler reports a helper that went away
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes after stdout is drained, so the helper's own reason (e.g. 'cannot connect')
      // is read before its exit is taken as the failure.
      this.child.on('close', (code, signal) => {
        resolve();
        if (this.closing) return events.message({ op: 'closed' });
        const why = `native helper exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
        if (!this.session.ready) this.session.failOpen(why, 'rebuild it (bash native/build.sh) or set MCS_HIL_CAN_WIRE=worker');
        else events.gone(why);
      });
      this.child.on('error', (err) => {
        resolve();
        this.session.failOpen(`cannot start the native helper (${err.message})`, 'rebuild it (bash native/build.sh)');
      });
    });
  }

  post(m: ToWorker): void {
    switch (m.op) {
      case 'send':
        if (this.session.ready && !this.closing) this.write(helperRecord(RtRecord.Write, Buffer.alloc(0), formatSend(m.frame as CanFrame)));
        return;
      case 'periodic': {
        this.stop(m.name);
        if (m.count === 0) return this.events.message({ op: 'periodic-done', name: m.name });
        const slot: Slot = { id: this.nextSlot++, gen: 1, frames: new Map([[1, m.frame]]) };
        this.slots.set(m.name, slot);
        this.names.set(slot.id, m.name);
        const head = Buffer.alloc(28);
        head.writeUInt32LE(slot.id, 0);
        head.writeUInt32LE(m.count ?? 0, 4);
        head.writeBigInt64LE(BigInt(Math.round(m.startHr + m.phaseNs)), 8);
        head.writeBigInt64LE(BigInt(Math.max(1, Math.round(m.periodNs))), 16);
        head.writeUInt32LE(slot.gen, 24);
        this.write(helperRecord(RtRecord.Periodic, head, formatSend(m.frame as CanFrame)));
        return;
      }
      case 'periodic-update': {
        const slot = this.slots.get(m.name);
        if (!slot) return;
        slot.frames.set(++slot.gen, m.frame);
        slot.frames.delete(slot.gen - 4);
        const head = Buffer.alloc(8);
        head.writeUInt32LE(slot.id, 0);
        head.writeUInt32LE(slot.gen, 4);
        this.write(helperRecord(RtRecord.Update, head, formatSend(m.frame as CanFrame)));
        return;
      }
      case 'periodic-stop':
        return this.stop(m.name);
      case 'close':
        this.closing = true;
        this.write(helperRecord(RtRecord.Close, Buffer.alloc(0)));
        return;
    }
  }

  async terminate(): Promise<void> {
    this.closing = true;
    this.child.stdin.end();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    await this.exited;
  }

  private stop(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    this.slots.delete(name);
    this.names.delete(slot.id);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(slot.id, 0);
    this.write(helperRecord(RtRecord.Stop, head));
  }

  private write(b: Buffer): void {
    if (this.child.stdin.writable) this.child.stdin.write(b);
  }

  private read(b: Buffer): void {
    if (this.pending.length) {
      const joined = Buffer.alloc(this.pending.length + b.length);
      joined.set(this.pending, 0);
      joined.set(b, this.pending.length);
      b = joined;
    }
    this.pending = b;
    let at = 0;
    while (this.pending.length - at >= 4) {
      const n = this.pending.readUInt32LE(at);
      if (this.pending.length - at - 4 < n) break;
      this.event(this.pending.subarray(at + 4, at + 4 + n));
      at += 4 + n;
    }
    this.pending = this.pending.subarray(at);
  }

  private event(r: Buffer): void {
    const text = (from: number) => r.toString('latin1', from);
    switch (r.readUInt8(0) as Ev) {
      case Ev.Open:
        this.detail = text(1);
        return;
      case Ev.OpenFailed:
        return this.session.failOpen(text(1), this.session.startFix());
      case Ev.Rx:
        return this.session.chunk(text(10), Number(r.readBigInt64LE(1)));
      case Ev.Sent: {
        const name = this.names.get(r.readUInt32LE(1));
        const frame = name === undefined ? undefined : this.slots.get(name)?.frames.get(r.readUInt32LE(25));
        if (name === undefined || !frame) return;
        const [k, hr, dueHr] = [r.readUInt32LE(5), Number(r.readBigInt64LE(9)), Number(r.readBigInt64LE(17))];
        return this.events.message({ op: 'periodic-sent', name, k, hr, dueHr, frame });
      }
      case Ev.Done: {
        const name = this.names.get(r.readUInt32LE(1));
        if (name === undefined) return;
        this.slots.delete(name);
        this.names.delete(r.readUInt32LE(1));
        return this.events.message({ op: 'periodic-done', name });
      }
      case Ev.Lost:
        if (!this.session.ready) return this.session.failOpen(text(1), 'check the bus name and the server log');
        return this.events.message({ op: 'lost', why: text(1) });
      case Ev.Closed:
        return; // the exit that follows reports it
    }
  }
}
