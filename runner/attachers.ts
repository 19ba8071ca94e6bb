// Per-test evidence formats. After every test the root hooks hand each attacher the events of its kinds
// from the test's slice of the timeline; one that finds what it formats returns an attachment (a candump log
// of the CAN frames, a readable V2G message log, …). Areas add theirs here without touching the hooks.

import type { TimelineEvent, TimelineKind } from '../drivers/core/timeline.ts';

export interface TestAttachment {
  name: string;
  /** The text, or a writer of it piece by piece (a long session's message log is tens of MB: it is streamed to the file). */
  content: string | ((put: (piece: string) => void) => void);
  contentType: 'text/plain' | 'application/json' | 'text/csv' | 'image/svg+xml';
  fileExtension: string;
}

/**
 * An attacher's events, read afresh from the timeline on each call rather than held: a long test has
 * ~100 k of them. forEach streams them (fn returns false to stop); filter collects the few it keeps.
 */
export interface TestEvents {
  forEach(fn: (e: TimelineEvent) => boolean | void): void;
  some(pred: (e: TimelineEvent) => boolean): boolean;
  filter(pred: (e: TimelineEvent) => boolean): TimelineEvent[];
  /** The last event before the test body (after its idle precondition): what the body did comes after it. */
  readonly bodyStartSeq: number;
}

export type TestAttacher = (events: TestEvents) => TestAttachment | undefined;

export interface RegisteredAttacher {
  /** The event kinds it reads: only these are read back for it (never the sample blocks unless it asks). */
  kinds: readonly TimelineKind[];
  attach: TestAttacher;
}

const attachers: RegisteredAttacher[] = [];

export function registerTestAttacher(kinds: readonly TimelineKind[], attach: TestAttacher): void {
  attachers.push({ kinds, attach });
}

export function testAttachers(): readonly RegisteredAttacher[] {
  return attachers;
}
