// What one request/response exchange of the EVCC session yields, and the error the normal flow throws
// when the charger's answer does not let the session go on. Kept apart from the session so tests and
// suites can name them without the session's machinery.

import type { Grammar, V2gDoc } from './messages.ts';

export type ExchangeOutcome = 'response' | 'timeout' | 'closed' | 'malformed' | 'undecodable';

export interface Exchange {
  message: string;
  request: V2gDoc;
  sentAtNs: number;
  outcome: ExchangeOutcome;
  response?: V2gDoc;
  /** Root element of the response ('SessionSetupRes'). */
  responseRoot?: string;
  /** The response's content (response[responseRoot]). */
  body?: Record<string, any>;
  responseCode?: string;
  /** From the request leaving to the response arriving (clock ms). */
  responseMs?: number;
  receivedAtNs?: number;
  detail?: string;
}

export interface ExchangeOptions {
  /** Override the header's SessionID (unknown-session tests). */
  sessionId?: string;
  /** Frame with this payload type instead of the message's own (V2GTP negative tests). */
  payloadType?: number;
  /** Encode with this grammar instead of the message's own. */
  grammar?: Grammar;
  /** Wait this long for the answer instead of V2G_EVCC_Msg_Timeout. */
  timeoutMs?: number;
  /** Do not add a Header (supportedAppProtocol has none anyway). */
  noHeader?: boolean;
}

export type V2gSessionErrorKind =
  | 'timeout'
  | 'closed'
  | 'malformed'
  | 'undecodable'
  | 'unexpected-response'
  | 'failed-response'
  | 'unknown-session'
  | 'timer-expired'
  | 'no-service';

/** The normal flow cannot go on because of what the charger did (or did not do). */
export class V2gSessionError extends Error {
  override name = 'V2gSessionError';
  constructor(
    readonly kind: V2gSessionErrorKind,
    message: string,
    readonly exchange?: Exchange,
  ) {
    super(message);
  }
}
