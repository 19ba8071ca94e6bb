// A transport that can run periodic frames itself, off the main event loop (worker-can.ts): the scheduler
// (scheduler.ts) hands it a task instead of arming main-thread timers, and keeps the same statistics from
// the send reports it gets back.

import type { CanFrame } from './frame.ts';

export interface PeriodicWireSpec {
  name: string;
  periodMs: number;
  phaseMs: number;
  /** Clock ns the schedule counts from (due k = start + phase + k·period). */
  startNs: number;
  frame: CanFrame;
  count?: number;
}

/** One send the wire made: k-th slot, clock ns when it went to the socket and when it was due. */
export interface PeriodicWireSend {
  k: number;
  t: number;
  due: number;
}

export interface PeriodicWireEvents {
  sent(s: PeriodicWireSend): void;
  /** The count was reached. */
  done(): void;
  /** The link went away: no further sends. */
  failed(err: Error): void;
}

export interface PeriodicWireHandle {
  /** The frame for the next sends. */
  update(frame: CanFrame): void;
  stop(): void;
}

export interface PeriodicWire {
  startPeriodic(spec: PeriodicWireSpec, events: PeriodicWireEvents): PeriodicWireHandle;
}

export function periodicWire(transport: unknown): PeriodicWire | undefined {
  const t = transport as Partial<PeriodicWire> | undefined;
  return typeof t?.startPeriodic === 'function' ? (t as PeriodicWire) : undefined;
}
