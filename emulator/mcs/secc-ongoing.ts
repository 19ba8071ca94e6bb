// The charger keeping the vehicle waiting: while the bench withholds the customer's authorization (at an EIM
// charger nobody presents the ID) or the schedule (the backend has not answered yet), the SECC answers
// EVSEProcessing=Ongoing. ISO 15118-20 has the SECC end such a loop itself: once its own Ongoing limit has
// passed it answers FAILED and stops the session. The limits below are this charger's own, kept inside the
// vehicle's V2G_EVCC_Ongoing_Timeout for ScheduleExchange so the charger, not the vehicle, ends the wait.

import type { SeccDecision } from './secc-config.ts';

/** What the bench currently withholds (shared by every session of the charger, set through its chargerControl). */
export interface OngoingHolds {
  authorization: boolean;
  schedule: boolean;
}

export type OngoingMessage = 'Authorization' | 'ScheduleExchange';

/** This charger's Ongoing limits (clock ms): under 60 s for ScheduleExchange, three minutes for a customer at the EIM reader. */
export const SECC_ONGOING_LIMIT_MS: Readonly<Record<OngoingMessage, number>> = { Authorization: 170_000, ScheduleExchange: 50_000 };

/** The fault switch that keeps each loop Ongoing past the limit. */
export const ONGOING_FOREVER_FAULT: Readonly<Record<OngoingMessage, string>> = {
  Authorization: 'authorization-ongoing-forever',
  ScheduleExchange: 'schedule-ongoing-forever',
};

export type OngoingAnswer = 'ongoing' | 'failed' | 'go-on';

/** One session's Ongoing loops: when each began, and what to answer the next request of it. */
export class OngoingLoops {
  private readonly startMs = new Map<OngoingMessage, number>();

  constructor(
    private readonly holds: OngoingHolds | undefined,
    private readonly faults: ReadonlySet<string>,
  ) {}

  answer(message: OngoingMessage, nowMs: number): OngoingAnswer {
    const held = message === 'Authorization' ? this.holds?.authorization : this.holds?.schedule;
    if (!held) return 'go-on';
    const start = this.startMs.get(message) ?? nowMs;
    this.startMs.set(message, start);
    if (nowMs - start < SECC_ONGOING_LIMIT_MS[message] || this.faults.has(ONGOING_FOREVER_FAULT[message])) return 'ongoing';
    return 'failed';
  }

  /** Why the loop ended FAILED, for the timeline. */
  failNote(message: OngoingMessage): string {
    const what = message === 'Authorization' ? 'EIM authorization still withheld' : 'schedule still not available';
    return `${what} after the charger's Ongoing limit of ${SECC_ONGOING_LIMIT_MS[message]} ms: FAILED`;
  }
}

/** Fault: at the limit the charger ends the session by closing the connection, without the FAILED answer. */
export const ONGOING_UNANSWERED_FAULT = 'ongoing-limit-without-failed';

/** The limit passed: `fail` answers FAILED and ends the session; under the fault the answer is withheld and the connection closes. */
export function giveUp(faults: ReadonlySet<string>, fail: () => SeccDecision): SeccDecision {
  const d = fail();
  if (!faults.has(ONGOING_UNANSWERED_FAULT)) return d;
  return { ...d, response: undefined, note: `fault ${ONGOING_UNANSWERED_FAULT}: ${d.note ?? 'FAILED'} not sent, connection closed` };
}
