// What a vehicle's V2G session stands on whatever its protocol (-20 DC/MCS here, DIN / -2 in ccs/): the
// frames decorated for the evidence, its notes on the timeline and the misbehaviour a negative test asks
// for. The protocol (messages, their order, what an answer must hold) stays in each session.

import type { Clock } from '../../core/clock.ts';
import type { Timeline } from '../../core/timeline.ts';
import type { MessageCodec } from './codec.ts';
import type { Exchange } from './exchange.ts';
import type { MessageLink } from './link.ts';
import { MessageDecorator } from './record.ts';

/** The part of a session's options every protocol has. */
export interface SessionBaseOptions {
  clock: Clock;
  timeline: Timeline;
  /** Timeline source (the vehicle resource's name). */
  source: string;
  link: MessageLink;
  codec: MessageCodec;
}

export abstract class V2gSessionBase<O extends SessionBaseOptions> {
  readonly exchanges: Exchange[] = [];
  readonly decorator: MessageDecorator;
  lastPresent = { currentA: 0, voltageV: 0 };
  /** Why a test broke this session on purpose (then no SessionStop at its end). */
  brokenOnPurpose: string | undefined;

  constructor(protected readonly o: O) {
    this.decorator = new MessageDecorator(o.codec, o.clock, o.link.description, true);
    o.link.decorate = this.decorator.decorate;
  }

  get link(): MessageLink {
    return this.o.link;
  }
  get clock(): Clock {
    return this.o.clock;
  }
  get timeline(): Timeline {
    return this.o.timeline;
  }

  note(event: string, extra: Record<string, unknown> = {}): void {
    this.o.timeline.record('session', this.o.source, { role: 'evcc', connection: this.o.link.description, event, ...extra });
  }

  // ------------------------------------------------------------------- misbehaviour on purpose (negative tests)

  /** Put any bytes on the wire (malformed V2GTP on purpose). */
  async sendRaw(bytes: Uint8Array, note: string): Promise<void> {
    await this.o.link.sendRaw(bytes, note);
    this.note('raw bytes sent', { note });
  }

  /** Do nothing for ms (to run a charger timer out). */
  async pause(ms: number): Promise<void> {
    this.note('pause', { ms });
    await this.o.clock.sleep(ms);
  }

  /** Drop the link without a goodbye (TCP RST). */
  dropLink(): void {
    this.note('link dropped on purpose');
    this.o.link.abort();
  }
}
