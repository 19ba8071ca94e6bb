// What one emulated SECC session is configured with (shared by every connection of the charger) and what it
// decides for each request (the answer, whether to close, an optional delay), kept apart from the state machine.

import type { Grammar, V2gDoc } from '../../drivers/iso15118/evcc/messages.ts';
import type { SeccRatings } from './secc-responses.ts';
import type { OngoingHolds } from './secc-ongoing.ts';

export interface SeccConfig {
  evseId: string;
  ratings: SeccRatings;
  /** Energy services offered, in order (default [8 MCS, 2 DC]). */
  services: number[];
  /** How long the cable check reports Ongoing (clock ms). */
  cableCheckMs: number;
  /** How many AuthorizationReq are answered Ongoing before Finished (EIM: the customer presents a card). */
  authorizationOngoingCount: number;
  faults: ReadonlySet<string>;
  /** What the bench withholds now (authorization, schedule): those loops answer Ongoing (secc-ongoing.ts). */
  holds?: OngoingHolds;
  /** Paused sessions the charger remembers (SessionID → true), shared across connections. */
  pausedSessions: Set<string>;
  /**
   * The one connector's output belongs to the session that last energized it (cable check, precharge,
   * power delivery), shared across connections. A session that ends — FAILED answer, sequence timeout,
   * the vehicle closing — switches the output off only while it still owns it: an older connection that
   * closes late must not cut the output of the session now running on the connector.
   */
  output?: { owner?: unknown };
}

export interface SeccDecision {
  response: V2gDoc | undefined;
  grammar: Grammar;
  /** Close the connection after sending (session ended or FAILED). */
  close: boolean;
  /** Delay before answering (fault slow-response). */
  delayMs?: number;
  /** Why, for the timeline. */
  note?: string;
}
