// Per-test evidence formats. After every test the root hooks hand the test's slice of the timeline to
// each attacher; one that finds its kind of events returns an attachment (a candump log of the CAN
// frames, a readable V2G message log, …). Areas add theirs here without touching the hooks.

import type { TimelineEvent } from '../drivers/core/timeline.ts';

export interface TestAttachment {
  name: string;
  content: string;
  contentType: 'text/plain' | 'application/json' | 'text/csv' | 'image/svg+xml';
  fileExtension: string;
}

export type TestAttacher = (events: TimelineEvent[]) => TestAttachment | undefined;

const attachers: TestAttacher[] = [];

export function registerTestAttacher(a: TestAttacher): void {
  attachers.push(a);
}

export function testAttachers(): readonly TestAttacher[] {
  return attachers;
}
