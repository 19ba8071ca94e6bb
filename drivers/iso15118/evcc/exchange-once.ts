// One raw request/response exchange on an EVCC link: encode (any message, any SessionID or payload type),
// send, wait up to the message's V2G_EVCC_Msg_Timeout, decode what comes back. It never throws for what the
// charger does (timeout, close, garbage): the outcome is returned for the session or the test to judge.

import type { Clock } from '../../core/clock.ts';
import type { MessageCodec } from './codec.ts';
import type { Exchange, ExchangeOptions } from './exchange.ts';
import type { MessageLink } from './link.ts';
import { GRAMMAR_PAYLOAD_TYPE, grammarOf, grammarOfPayloadType, rootOf, type V2gDoc } from './messages.ts';
import type { MessageDecorator } from './record.ts';
import { msgTimeoutMs, type SessionTimers } from './timers.ts';

export interface ExchangeContext {
  clock: Clock;
  codec: MessageCodec;
  link: MessageLink;
  /** The session's timers, or (DIN / -2, whose per-message timeouts differ) a function giving each request's timeout. */
  timers: SessionTimers | ((message: string) => number);
  decorator: MessageDecorator;
  header: (sessionId?: string) => { SessionID: string; TimeStamp: number };
  note: (event: string, extra?: Record<string, unknown>) => void;
}

/** Send one request and wait for what comes back; `record` gets the exchange before anything is sent. */
export async function exchangeOnce(
  c: ExchangeContext,
  message: string,
  content: Record<string, unknown>,
  opts: ExchangeOptions,
  record: (ex: Exchange) => void,
): Promise<Exchange> {
  const grammar = opts.grammar ?? grammarOf(message);
  const body = message === 'supportedAppProtocol' || opts.noHeader ? content : { Header: c.header(opts.sessionId), ...content };
  const request: V2gDoc = { [`${message}Req`]: body };
  const payload = c.codec.encode(grammar, request);
  const payloadType = opts.payloadType ?? GRAMMAR_PAYLOAD_TYPE[grammar];
  c.decorator.willSend(request, opts.payloadType !== undefined || opts.sessionId !== undefined ? 'misbehaviour' : undefined);
  const ex: Exchange = { message, request, sentAtNs: c.clock.now(), outcome: 'timeout' };
  record(ex);
  try {
    await c.link.send(payloadType, payload);
  } catch (e) {
    ex.outcome = 'closed';
    ex.detail = (e as Error).message;
    return ex;
  }
  ex.sentAtNs = c.decorator.lastTxNs ?? c.clock.now();
  const timeoutMs = opts.timeoutMs ?? (typeof c.timers === 'function' ? c.timers(message) : msgTimeoutMs(c.timers, message));
  const r = await c.link.receive(timeoutMs);
  if (r.kind === 'timeout') {
    ex.detail = `no response within ${timeoutMs} ms (V2G_EVCC_Msg_Timeout)`;
    c.note('response timeout', { message, timeoutMs });
    return ex;
  }
  if (r.kind === 'closed' || r.kind === 'malformed') {
    ex.outcome = r.kind;
    ex.detail = r.kind === 'closed' ? r.reason : r.error.message;
    return ex;
  }
  ex.receivedAtNs = r.atNs;
  ex.responseMs = (r.atNs - ex.sentAtNs) / 1e6;
  let doc = c.decorator.decoded(r.frame.payload);
  if (doc === undefined) {
    const g = grammarOfPayloadType(r.frame.payloadType);
    try {
      doc = g ? c.codec.decode(g, r.frame.payload) : new Error(`payload type 0x${r.frame.payloadType.toString(16)} unexpected`);
    } catch (e) {
      doc = e as Error;
    }
  }
  if (doc instanceof Error) {
    ex.outcome = 'undecodable';
    ex.detail = doc.message;
    return ex;
  }
  ex.outcome = 'response';
  ex.response = doc;
  ex.responseRoot = rootOf(doc);
  ex.body = doc[ex.responseRoot] ?? {};
  ex.responseCode = ex.body?.ResponseCode;
  return ex;
}
