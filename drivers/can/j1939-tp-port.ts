// What a TP session (sending or receiving) needs from the node it runs in: our address, the clock and
// timers, and the node's way to put TP frames on the wire (which applies the negative-test mutate hooks).

import type { Clock } from '../core/clock.ts';
import type { CanFrame } from './frame.ts';
import type { TpFrameRole } from './j1939-tp-messages.ts';
import type { J1939Timeouts } from './j1939-tp-timeouts.ts';

/** Negative-test hook: return the frame (possibly changed), or null to drop it. */
export type TpMutate = (frame: CanFrame, role: TpFrameRole) => CanFrame | null;

export interface TpPort {
  /** Our node address. */
  readonly sa: number;
  readonly clock: Clock;
  readonly timeouts: J1939Timeouts;
  /** Send a TP.CM frame to `da`. */
  cm(da: number, bytes: number[], role: TpFrameRole, mutate?: TpMutate): Promise<void>;
  /** Send a TP.DT frame to `da`. */
  dt(da: number, payload: Uint8Array, mutate?: TpMutate): Promise<void>;
  /** Send TP.CM Abort to `da` and note it; never rejects (an abort is best effort). */
  abort(da: number, pgn: number, reason: number, mutate?: TpMutate): Promise<void>;
  /** Record a TP event on the timeline. */
  note(event: string, data: Record<string, unknown>): void;
}
