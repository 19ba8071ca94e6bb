// What a vehicle's V2G session stands on whatever its protocol (-20 DC/MCS here, DIN / -2 in ccs/): the
// frames decorated for the evidence, its notes on the timeline and the misbehaviour a negative test asks
// for. The protocol (messages, their order, what an answer must hold) stays in each session.

import type { Clock } from '../../core/clock.ts';
import type { Timeline } from '../../core/timeline.ts';
import type { MessageCodec } from './codec.ts';
import { V2gSessionError, type Exchange, type ExchangeOptions } from './exchange.ts';
import { exchangeOnce, type ExchangeContext } from './exchange-once.ts';
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

  /** Send one request (any message, any content) and wait for what comes back. Never throws for the charger's behaviour. */
  async exchange(message: string, content: Record<string, unknown>, opts: ExchangeOptions = {}): Promise<Exchange> {
    const o = this.o;
    const ctx: ExchangeContext = {
      clock: o.clock,
      codec: o.codec,
      link: o.link,
      timers: this.msgTimers(),
      decorator: this.decorator,
      header: (id?: string) => this.header(id),
      note: (e, x) => this.note(e, x),
    };
    return exchangeOnce(ctx, message, content, { ...this.exchangeDefaults(), ...opts }, (ex) => this.remember(ex));
  }

  /** exchange(), but the flow needs a response of the right type, an accepted code and this session's id. */
  protected async must(message: string, content: Record<string, unknown>, okCodes?: string[]): Promise<Exchange> {
    const ex = await this.exchange(message, content);
    if (ex.outcome !== 'response')
      throw new V2gSessionError(ex.outcome, `${message}Req: ${ex.outcome}${ex.detail ? ` (${ex.detail})` : ''}`, ex);
    if (ex.responseRoot !== `${message}Res`)
      throw new V2gSessionError('unexpected-response', `${message}Req answered with ${ex.responseRoot}`, ex);
    const code = ex.responseCode ?? '';
    if (!(okCodes ? okCodes.includes(code) : this.accepts(code)))
      throw new V2gSessionError('failed-response', `${message}Res ResponseCode ${code}`, ex);
    const sid = String(ex.body?.Header?.SessionID ?? '');
    if (message !== 'supportedAppProtocol' && message !== 'SessionSetup' && !this.isThisSession(sid))
      throw new V2gSessionError('unknown-session', `${message}Res carries SessionID ${sid}, not ${this.sessionId}`, ex);
    return ex;
  }

  /** The SessionID this session sends (before SessionSetupRes: the protocol's "no session"). */
  abstract sessionId: string;
  /** A response code the normal flow goes on with (when the step names none). */
  protected abstract accepts(code: string): boolean;
  /** Whether a response's SessionID is this session's. */
  protected abstract isThisSession(sid: string): boolean;
  /** The V2G_EVCC_Msg_Timeout of each request. */
  protected abstract msgTimers(): ExchangeContext['timers'];
  /** The message header this protocol sends (SessionID; -20 also a TimeStamp). */
  protected abstract header(sessionId?: string): { SessionID: string; TimeStamp: number };
  /** Keep an exchange (a charge loop keeps only its latest cycles). */
  protected abstract remember(ex: Exchange): void;
  /** What every exchange of this protocol is sent with unless the caller says otherwise. */
  protected exchangeDefaults(): ExchangeOptions {
    return {};
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
