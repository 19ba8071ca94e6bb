// Serves one vehicle connection with the SECC state machine: receive a frame, decode, decide, answer,
// record everything on the timeline; stop on session end, FAILED answers, V2GTP header errors and
// V2G_SECC_Sequence_Timeout (each of which closes the TCP connection, as the standard requires). After a
// DC_ChargeLoopRes the sequence timeout is the charge loop's 0.5 s ([V2G20-1500]/[V2G20-1502]); after
// SessionStopRes the SECC waits 5 s before it closes unless the vehicle closes first ([V2G20-1633]).

import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import type { MessageCodec } from '../../drivers/iso15118/evcc/codec.ts';
import type { MessageLink } from '../../drivers/iso15118/evcc/link.ts';
import {
  GRAMMAR_PAYLOAD_TYPE,
  grammarOf,
  grammarOfPayloadType,
  messageOfRoot,
  rootOf,
  type Grammar,
  type V2gDoc,
} from '../../drivers/iso15118/evcc/messages.ts';
import { MessageDecorator } from '../../drivers/iso15118/evcc/record.ts';
import { payloadTypeLabel } from '../../drivers/iso15118/v2gtp.ts';
import type { PowerStagePort } from './power-port.ts';
import { SeccSession, type SeccConfig } from './secc-session.ts';

export interface ServeOptions {
  clock: Clock;
  timeline: Timeline;
  codec: MessageCodec;
  /** Timeline source (the charger resource's name). */
  source: string;
  /** Connection label for the evidence ('tls [fe80::2%mcs-evse0]:51234'). */
  connection: string;
  config: SeccConfig;
  power: PowerStagePort;
  sequenceTimeoutMs: number;
  /** V2G_SECC_Sequence_Timeout after a DC_ChargeLoopRes ([V2G20-1500]); the general one when absent. */
  chargeLoopSequenceTimeoutMs?: number;
  /** Delay of the slow-response fault (between the performance time and the EVCC timeout). */
  slowResponseDelayMs: (message: string) => number;
  /** Bound on waiting for supportedAppProtocolReq (the sequence timer is not armed before it). */
  firstMessageTimeoutMs?: number;
  /**
   * V2G_SECC_CommunicationSetup_Performance_Time (Table 221): from TCP/TLS established until SessionSetupReq;
   * the connection closes when it runs out. Unbounded (only the timers above) when absent.
   */
  communicationSetupMs?: number;
  /**
   * 'realistic' behaves like the mature open-source SECCs: a session dropped without SessionStop is held
   * (output as it was) until its sequence timeout, and the connection closes only `closeWaitMs` after a
   * FAILED answer, a framing error, a sequence timeout or SessionStopRes ([V2G20-1633]: at least 5 s).
   * 'strict' (default) closes at once after an error and ends a dropped session at once; after
   * SessionStopRes it too waits `closeWaitMs` for the vehicle to close first, as [V2G20-1633] requires.
   */
  behaviour?: 'strict' | 'realistic';
  closeWaitMs?: number;
  /** Fault slow-close-after-error: after FAILED or a framing error, close only this late (past the harness's bound). */
  slowCloseMs?: number;
  /** Fault closes-early-after-stop: close at once after SessionStopRes, without the 5 s wait. */
  closeAtOnceAfterStop?: boolean;
  /** Aborted when the vehicle is unplugged (CE to A): a held session ends at once. */
  unplugged?: () => AbortSignal;
}

/** [V2G20-1633]: the SECC waits at least this long after SessionStopRes before it closes TCP. */
export const SECC_CLOSE_WAIT_MS = 5000;
/**
 * After SessionStopRes the 5 s start once the session is torn down (output released, state saved), as in the
 * reference stacks; a close exactly on the 5 s mark could not be told from an early one on the wire.
 */
export const SECC_STOP_TEARDOWN_MS = 200;

export interface ServeResult {
  reason: 'session-stopped' | 'failed-response' | 'sequence-timeout' | 'malformed-v2gtp' | 'peer-closed' | 'undecodable';
  session: SeccSession;
}

export async function serveSeccConnection(link: MessageLink, o: ServeOptions): Promise<ServeResult> {
  const session = new SeccSession(o.config, o.clock, o.power, o.slowResponseDelayMs);
  const faults = o.config.faults;
  const deco = new MessageDecorator(o.codec, o.clock, o.connection, false);
  link.decorate = deco.decorate;
  const note = (text: string, extra: Record<string, unknown> = {}) =>
    o.timeline.record('session', o.source, { connection: o.connection, role: 'secc', event: text, state: session.state, ...extra });
  note('connection accepted');
  let armed = false;
  let answeredAfterFailed = false;
  let timedOut = false;
  let lastRequestMs = o.clock.nowMs();
  const acceptedMs = lastRequestMs;
  const realistic = o.behaviour === 'realistic';
  const end = async (reason: ServeResult['reason'], detail: string): Promise<ServeResult> => {
    note(`session end: ${reason}`, { detail });
    session.releaseOutput('charger');
    const slow = o.slowCloseMs !== undefined && (reason === 'failed-response' || reason === 'malformed-v2gtp' || reason === 'undecodable');
    if (slow) note('fault slow-close-after-error: the connection stays open', { ms: o.slowCloseMs });
    const stopped = reason === 'session-stopped';
    if (stopped && o.closeAtOnceAfterStop) note('fault closes-early-after-stop: closing at once after SessionStopRes');
    else if (realistic || slow || stopped) {
      const waitMs = slow ? o.slowCloseMs : stopped ? (o.closeWaitMs ?? SECC_CLOSE_WAIT_MS) + SECC_STOP_TEARDOWN_MS : undefined;
      await closeWait(link, o, note, stopped, waitMs);
    }
    await link.close(`SECC closed the connection: ${reason}`).catch(() => undefined);
    return { reason, session };
  };
  for (;;) {
    const inLoop = session.state === 'DC_ChargeLoop' && !session.ended;
    const sequenceMs = !armed
      ? (o.firstMessageTimeoutMs ?? o.sequenceTimeoutMs)
      : inLoop
        ? (o.chargeLoopSequenceTimeoutMs ?? o.sequenceTimeoutMs)
        : o.sequenceTimeoutMs;
    const setupMs = o.communicationSetupMs;
    const setupLeftMs = setupMs === undefined || session.sessionId !== undefined ? Infinity : setupMs - (o.clock.nowMs() - acceptedMs);
    const timeout = Math.max(0, Math.min(sequenceMs, setupLeftMs));
    const r = await link.receive(timeout);
    if (r.kind === 'closed') {
      note('connection closed by the vehicle', { detail: r.reason });
      if (realistic && session.sessionId !== undefined && !session.ended) await holdDroppedSession(o, note, lastRequestMs);
      session.releaseOutput('charger');
      return { reason: 'peer-closed', session };
    }
    if (r.kind === 'timeout') {
      if (setupLeftMs <= sequenceMs) return end('sequence-timeout', `no SessionSetupReq ${setupMs} ms after TCP/TLS (CommunicationSetup)`);
      if (faults.has('answers-after-sequence-timeout') && !timedOut) {
        // fault: the timer ran out, yet the next request is still processed and answered before the close.
        timedOut = true;
        note('fault answers-after-sequence-timeout: connection kept open for one more request');
        continue;
      }
      if (faults.has('ignores-sequence-timeout')) {
        note('fault ignores-sequence-timeout: V2G_SECC_Sequence_Timeout expired, connection kept open');
        continue;
      }
      return end('sequence-timeout', `no request for ${timeout} ms (V2G_SECC_Sequence_Timeout${inLoop ? ' after DC_ChargeLoopRes' : ''})`);
    }
    if (r.kind === 'malformed') return end('malformed-v2gtp', r.error.message);
    const { frame } = r;
    const grammar = grammarOfPayloadType(frame.payloadType);
    let doc = deco.decoded(frame.payload);
    if (doc === undefined && grammar) {
      try {
        doc = o.codec.decode(grammar, frame.payload);
      } catch (e) {
        doc = e as Error;
      }
    }
    if (!grammar || doc === undefined || doc instanceof Error) {
      // Wrong/unsupported payload type or an undecodable payload: no answer, the connection closes.
      const why =
        doc instanceof Error ? doc.message : `payload type ${payloadTypeLabel(frame.payloadType)} carries no -20 DC session message`;
      if (faults.has('v2gtp-payload-type-unchecked') && grammar === undefined) {
        // fault: ignores the payload type and tries every grammar
      } else if (faults.has('v2gtp-payload-type-unchecked') && doc instanceof Error) {
        const retry = tryOtherGrammars(o.codec, frame.payload);
        if (retry) {
          note('fault v2gtp-payload-type-unchecked: decoded with another grammar than the payload type says');
          doc = retry.doc;
        }
      }
      if (doc === undefined || doc instanceof Error) return end('undecodable', why);
    }
    armed = true;
    lastRequestMs = o.clock.nowMs();
    const effectiveGrammar: Grammar = faults.has('v2gtp-payload-type-unchecked')
      ? grammarOf(messageOfRoot(rootOf(doc))?.message ?? '')
      : (grammar as Grammar);
    const decision = session.handle(doc, effectiveGrammar);
    if (decision.delayMs) await o.clock.sleep(decision.delayMs);
    if (decision.response && !link.closed) {
      const payloadType = GRAMMAR_PAYLOAD_TYPE[decision.grammar];
      deco.willSend(decision.response, decision.note);
      await link.send(payloadType, o.codec.encode(decision.grammar, decision.response)).catch(() => undefined);
    }
    const code = decision.response ? String(Object.values(decision.response)[0]?.ResponseCode ?? '') : '';
    if (answeredAfterFailed && !decision.close) return end('failed-response', 'fault answers-after-failed: closing after the extra answer');
    if (timedOut) return end('sequence-timeout', 'fault answers-after-sequence-timeout: closing after the extra answer');
    if (decision.close && faults.has('answers-after-failed') && /^FAILED/.test(code) && !answeredAfterFailed) {
      // fault: the session is over, yet the next request is still processed and answered before the close.
      answeredAfterFailed = true;
      session.reopenForFault();
      note('fault answers-after-failed: connection kept open for one more request');
      continue;
    }
    if (decision.close) {
      const stopped = session.ended && !/FAILED|Failed/.test(code) && code !== '';
      return end(stopped ? 'session-stopped' : 'failed-response', decision.note ?? code);
    }
  }
}

function tryOtherGrammars(codec: MessageCodec, payload: Uint8Array): { doc: V2gDoc; grammar: Grammar } | undefined {
  for (const g of ['app', 'cm', 'dc'] as Grammar[]) {
    try {
      const doc = codec.decode(g, payload);
      const m = messageOfRoot(rootOf(doc));
      if (m && grammarOf(m.message) === g) return { doc, grammar: g };
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * A session dropped without SessionStop: a mature SECC keeps it (and the output as it was) until its
 * sequence timeout runs out, counted from the last request; an unplug (CE to A) ends it at once.
 */
async function holdDroppedSession(o: ServeOptions, note: Note, lastRequestMs: number) {
  const leftMs = Math.max(0, o.sequenceTimeoutMs - (o.clock.nowMs() - lastRequestMs));
  note('realistic: session dropped without SessionStop, held until V2G_SECC_Sequence_Timeout', { leftMs });
  const signal = o.unplugged?.();
  await o.clock.sleep(leftMs, signal).catch(() => undefined);
  note(signal?.aborted ? 'realistic: held session ended by unplug' : 'realistic: held session timed out');
}

/**
 * [V2G20-1633]: wait before closing TCP. Requests arriving meanwhile are not processed (the session is
 * over). After SessionStopRes the vehicle normally closes first, which ends the wait.
 */
export type Note = (t: string, x?: Record<string, unknown>) => void;

export async function closeWait(
  link: MessageLink,
  o: Pick<ServeOptions, 'clock' | 'closeWaitMs'>,
  note: Note,
  stopped: boolean,
  ms?: number,
) {
  const waitMs = ms ?? o.closeWaitMs ?? SECC_CLOSE_WAIT_MS;
  const t0 = o.clock.nowMs();
  note('waiting before closing the connection ([V2G20-1633])', { waitMs });
  for (;;) {
    const left = waitMs - (o.clock.nowMs() - t0);
    if (left <= 0 || link.closed) return;
    const r = await link.receive(left);
    if (r.kind === 'closed' || r.kind === 'timeout') return;
    if (r.kind === 'frame') note(stopped ? 'request after SessionStop not processed' : 'request after the session ended not processed');
  }
}
