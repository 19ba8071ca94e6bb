// SLAC messages over a raw Ethernet port: encodes what we send, decodes what arrives, records both on the
// timeline (kind 'plc', decoded fields + hex: the evidence the suites judge), and lets a session wait on
// the injected clock for the messages it expects. A frame that does not decode is recorded, not thrown.

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';
import type { RawEthernetPort } from './raw-ethernet.ts';
import { decodeSlac, encodeSlac, type MmeFields, type SlacMessage } from './slac-messages.ts';

/** The timeline payload of one SLAC frame. */
export interface PlcFrameEvent extends Record<string, unknown> {
  dir: 'tx' | 'rx';
  name: string;
  src: string;
  dst: string;
  fields: MmeFields;
  hex: string;
}

export interface Received {
  msg: SlacMessage;
  /** Clock time of arrival, ns. */
  t: number;
}

export class MmePort {
  private readonly inbox: Received[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly handlers = new Set<(r: Received) => void>();
  private readonly off: () => void;

  constructor(
    readonly port: RawEthernetPort,
    private readonly clock: Clock,
    private readonly timeline: Timeline | undefined,
    readonly source: string,
  ) {
    this.off = port.onFrame((frame) => this.receive(frame));
  }

  get mac(): string {
    return this.port.mac;
  }

  send(name: string, dst: string, fields: MmeFields, src = this.port.mac): SlacMessage {
    const msg = { name, header: { dst, src }, fields };
    const frame = encodeSlac(msg);
    this.port.send(frame);
    this.timeline?.record('plc', this.source, { dir: 'tx', name, src, dst, fields, hex: frame.toString('hex') } satisfies PlcFrameEvent);
    return { name, header: { ...msg.header, mmv: 1, mmtype: frame.readUInt16LE(15) }, fields };
  }

  /** Everything received since `since` (ns) that matches; removes nothing. */
  received(pred: (r: Received) => boolean, since = 0): Received[] {
    return this.inbox.filter((r) => r.t >= since && pred(r));
  }

  /**
   * Wait until `count` messages matching pred arrived after `since` (ns), or timeoutMs passed; resolves
   * with whatever matched by then (possibly none: the caller judges).
   */
  async waitFor(pred: (r: Received) => boolean, timeoutMs: number, opts: { since?: number; count?: number } = {}): Promise<Received[]> {
    const since = opts.since ?? this.clock.now();
    const count = opts.count ?? 1;
    const found = () => this.received(pred, since);
    if (found().length >= count) return found();
    await new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined = undefined;
      const check = () => {
        if (found().length < count) return;
        done();
      };
      const done = () => {
        timer?.cancel();
        this.waiters.delete(check);
        resolve();
      };
      timer = this.clock.setTimer(timeoutMs, done);
      this.waiters.add(check);
    });
    return found();
  }

  /** Act on each message as it arrives (an answer that must go out at once); returns the unsubscribe function. */
  onMessage(fn: (r: Received) => void): () => void {
    this.handlers.add(fn);
    return () => this.handlers.delete(fn);
  }

  close(): void {
    this.off();
    for (const w of this.waiters) w();
  }

  private receive(frame: Buffer): void {
    const t = this.clock.now();
    let msg: SlacMessage;
    try {
      msg = decodeSlac(frame);
    } catch (e) {
      this.timeline?.record('plc', this.source, {
        dir: 'rx',
        name: 'undecodable',
        error: (e as Error).message,
        hex: frame.toString('hex'),
      });
      return;
    }
    const { dst, src } = msg.header;
    this.timeline?.record(
      'plc',
      this.source,
      { dir: 'rx', name: msg.name, src, dst, fields: msg.fields, hex: frame.toString('hex') } satisfies PlcFrameEvent,
      t,
    );
    const r = { msg, t };
    this.inbox.push(r);
    for (const h of [...this.handlers]) h(r);
    for (const w of [...this.waiters]) w();
  }
}
