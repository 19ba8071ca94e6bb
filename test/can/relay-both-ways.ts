// Frames both ways between a real-time CAN wire (worker thread or native helper) and a main-thread socketcand
// client on the same hub bus: each end gets what the other sent, in order, the wire's frames stamped. Judged
// on what arrives, never how fast (waitMs only bounds the wait on a loaded machine).

import { expect } from 'chai';
import { waitFor, type Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { frameText, type CanFrame } from '../../drivers/can/frame.ts';

interface CanEnd {
  onFrame(listener: (f: CanFrame) => void): unknown;
  send(f: CanFrame): Promise<unknown>;
  close(): Promise<unknown>;
}

/** Relays the frames, checks both ends and the timeline's rx records, then closes both ends. */
export async function relayBothWays(
  clock: Clock,
  timeline: Timeline,
  waitMs: number,
  ends: { wire: CanEnd; main: CanEnd },
  toWire: CanFrame[],
  toMain: CanFrame[],
) {
  const atWire: CanFrame[] = [];
  const atMain: CanFrame[] = [];
  ends.wire.onFrame((f) => atWire.push(f));
  ends.main.onFrame((f) => atMain.push(f));
  for (const f of toWire) await ends.main.send(f);
  for (const f of toMain) await ends.wire.send(f);
  expect(await waitFor(clock, () => atWire.length === toWire.length && atMain.length === toMain.length, waitMs)).to.equal(true);
  expect(atWire.map(frameText)).to.deep.equal(toWire.map(frameText));
  expect(atMain.map(frameText)).to.deep.equal(toMain.map(frameText));
  expect(atWire.every((f) => typeof f.t === 'number' && typeof f.busT === 'number')).to.equal(true);
  expect(timeline.query({ kind: 'can' }).filter((e) => e.data.dir === 'rx')).to.have.length(toWire.length);
  await ends.wire.close();
  await ends.main.close();
  // The wire (the end on the timeline) recorded its open and close, nothing else.
  expect(timeline.query({ kind: 'link' }).map((e) => e.data.event)).to.deep.equal(['can-open', 'can-close']);
}
