// How an EVCC session ends when a test is done with it: as the standard intends. A real charger that
// sees TCP closed without SessionStop holds the session until its V2G_SECC_Sequence_Timeout and answers
// no SDP meanwhile, so the next test would start against a busy charger.

import { ZERO_SESSION_ID } from './messages.ts';
import type { EvccSession } from './session.ts';

/** A session is set up and nothing (SessionStop, a FAILED answer, the link closing, the test) has ended it. */
export function sessionIsOpen(s: EvccSession): boolean {
  if (s.link.closed || s.sessionId === ZERO_SESSION_ID || s.brokenOnPurpose) return false;
  const last = s.exchanges.at(-1);
  if (!last) return true;
  if (last.outcome === 'timeout') return true; // the charger may still hold it
  if (last.outcome !== 'response') return false;
  return last.message !== 'SessionStop' && !/^FAILED/i.test(last.responseCode ?? '');
}

/** SessionStop(Terminate) for an open session, then close TCP; says what was done. Never throws. */
export async function endSession(s: EvccSession, reason: string): Promise<string> {
  let did: string;
  if (sessionIsOpen(s)) {
    const ex = await s.exchange('SessionStop', { ChargingSession: 'Terminate' });
    did = ex.outcome === 'response' ? `SessionStop(Terminate) → ${ex.responseCode}` : `SessionStop(Terminate): ${ex.outcome}`;
  } else did = s.brokenOnPurpose ? `broken on purpose (${s.brokenOnPurpose})` : 'no open session';
  if (!s.link.closed) await s.link.close().catch(() => undefined);
  s.note('session ended', { reason, did });
  return did;
}
