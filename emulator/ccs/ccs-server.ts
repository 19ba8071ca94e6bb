// Serves one vehicle connection of the emulated CCS charger: receive a V2GTP frame, decode it with the
// grammar the session is in (the handshake's, then DIN's or -2's), let the session decide, answer, and record
// every message on the timeline. The connection closes after SessionStopRes (once the vehicle has closed, or
// after the wait), after a FAILED answer, a framing error, an undecodable request, or when no request came
// within V2G_SECC_Sequence_Timeout (60 s in both standards; the timer is not armed before the first request).

import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { decodeExiWithDeviations, encodeExi, type ExiDeviation } from '../../drivers/exi/index.ts';
import type { FrameDecorator, MessageLink } from '../../drivers/iso15118/evcc/link.ts';
import type { V2gDoc } from '../../drivers/iso15118/evcc/messages.ts';
import { safeRoot } from '../../drivers/iso15118/evcc/record.ts';
import { payloadTypeLabel } from '../../drivers/iso15118/v2gtp.ts';
import type { PowerStagePort } from '../mcs/power-port.ts';
import { closeWait, SECC_CLOSE_WAIT_MS } from '../mcs/secc-server.ts';
import { bodyOf, CCS_PAYLOAD_TYPE, type CcsGrammar } from './ccs-protocol.ts';
import { CcsSeccSession, type CcsSeccConfig } from './ccs-session.ts';
import { withResponseFaults } from './response-faults.ts';

export interface CcsServeOptions {
  clock: Clock;
  timeline: Timeline;
  /** Timeline source (the charger resource's name). */
  source: string;
  connection: string;
  config: CcsSeccConfig;
  power: PowerStagePort;
  sequenceTimeoutMs: number;
  /** Bound on waiting for supportedAppProtocolReq (the sequence timer is not armed before it). */
  firstMessageTimeoutMs: number;
  /** After SessionStopRes: how long the vehicle has to close the connection first. */
  closeWaitMs?: number;
}

export interface CcsServeResult {
  reason: 'session-stopped' | 'failed-response' | 'sequence-timeout' | 'malformed-v2gtp' | 'peer-closed' | 'undecodable';
  session: CcsSeccSession;
}

export async function serveCcsConnection(link: MessageLink, o: CcsServeOptions): Promise<CcsServeResult> {
  const session = new CcsSeccSession(o.config, o.clock, o.power);
  const received = new WeakMap<Uint8Array, V2gDoc | Error>();
  link.decorate = ccsDecorator(session, o.connection, received);
  const note = (event: string, extra: Record<string, unknown> = {}) =>
    o.timeline.record('session', o.source, { connection: o.connection, role: 'secc', event, state: session.state, ...extra });
  note('connection accepted');
  let armed = false;
  const end = async (reason: CcsServeResult['reason'], detail: string): Promise<CcsServeResult> => {
    note(`session end: ${reason}`, { detail, protocol: session.protocol });
    session.releaseOutput('charger');
    const stopped = reason === 'session-stopped';
    if (stopped) await closeWait(link, { clock: o.clock, closeWaitMs: o.closeWaitMs ?? SECC_CLOSE_WAIT_MS }, note, true);
    await link.close(`SECC closed the connection: ${reason}`).catch(() => undefined);
    return { reason, session };
  };
  for (;;) {
    const r = await link.receive(armed ? o.sequenceTimeoutMs : o.firstMessageTimeoutMs);
    if (r.kind === 'closed') {
      note('connection closed by the vehicle', { detail: r.reason });
      session.releaseOutput('charger');
      return { reason: 'peer-closed', session };
    }
    if (r.kind === 'timeout') return end('sequence-timeout', `no request for ${armed ? o.sequenceTimeoutMs : o.firstMessageTimeoutMs} ms`);
    if (r.kind === 'malformed') return end('malformed-v2gtp', r.error.message);
    const doc = received.get(r.frame.payload) ?? decodeNow(session.grammar, r.frame.payload);
    if (r.frame.payloadType !== CCS_PAYLOAD_TYPE || doc === undefined || doc instanceof Error)
      return end('undecodable', doc instanceof Error ? doc.message : `payload type ${payloadTypeLabel(r.frame.payloadType)}`);
    armed = true;
    const grammar = session.grammar;
    const decision = withResponseFaults(session.handle(doc), session.protocol, o.config.faults);
    if (decision.delayMs) await o.clock.sleep(decision.delayMs);
    if (decision.response && !link.closed) {
      pendingTx.set(link.decorate!, { doc: decision.response, note: decision.note });
      await link.send(CCS_PAYLOAD_TYPE, encodeExi(decision.grammar, decision.response)).catch(() => undefined);
    }
    if (decision.close) {
      const code = String(responseCode(decision.response) ?? '');
      const stopped = session.ended && /^OK/.test(code) && grammar !== 'app';
      return end(stopped ? 'session-stopped' : 'failed-response', decision.note ?? code);
    }
  }
}

/** A frame the link did not decorate (nothing recorded on this link): decoded here. */
function decodeNow(grammar: CcsGrammar, payload: Uint8Array): V2gDoc | Error {
  try {
    return decodeExiWithDeviations(grammar, payload).document;
  } catch (e) {
    return e as Error;
  }
}

function responseCode(doc: V2gDoc | undefined): unknown {
  if (!doc) return undefined;
  return doc.supportedAppProtocolRes?.ResponseCode ?? bodyOf(doc)?.content.ResponseCode;
}

/** What the next send carries, per decorator (saves decoding our own answer again). */
const pendingTx = new WeakMap<FrameDecorator, { doc: V2gDoc; note?: string }>();

/**
 * Records each frame decoded with the grammar the session is in when it arrives (the frames themselves do not
 * say: DIN, -2 and the handshake all travel as 0x8001), and keeps each received document for the loop.
 */
function ccsDecorator(session: CcsSeccSession, connection: string, received: WeakMap<Uint8Array, V2gDoc | Error>): FrameDecorator {
  const decorate: FrameDecorator = (dir, payloadType, payload) => {
    const base = { codec: `exi(${session.grammar})`, connection };
    if (dir === 'tx') {
      const tx = pendingTx.get(decorate);
      pendingTx.delete(decorate);
      return { ...base, message: tx ? messageName(tx.doc) : '(raw)', doc: tx?.doc, note: tx?.note };
    }
    if (payloadType !== CCS_PAYLOAD_TYPE) return { ...base, message: '(unsupported payload type)' };
    try {
      const { document, deviations } = decodeExiWithDeviations(session.grammar, payload);
      received.set(payload, document);
      return {
        ...base,
        message: messageName(document),
        doc: document,
        ...(deviations.length && { exiDeviations: deviations as ExiDeviation[] }),
      };
    } catch (e) {
      received.set(payload, e as Error);
      return { ...base, message: '(undecodable)', decodeError: (e as Error).message };
    }
  };
  return decorate;
}

/** 'CurrentDemandReq' for a V2G_Message, the root name otherwise. */
export function messageName(doc: V2gDoc): string {
  return bodyOf(doc)?.name ?? safeRoot(doc);
}
