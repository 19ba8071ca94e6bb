// The teardown every in-process test rig shares: close its parts in order (the sessions before the links they
// talk on, the links before their transports), then stop a virtual clock's auto-advance and close the timeline.

import { VirtualClock, type Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';

/** Anything a rig ends: a part with close(), or a step of its own (e.g. the vehicle's safe state). */
export type RigPart = { close(): unknown } | (() => unknown);

/** The rig's parts with its close(): `parts` closed one after the other, in the order given. */
export function withRigClose<T extends { clock: Clock; timeline: Timeline }>(rig: T, parts: RigPart[]): T & { close(): Promise<void> } {
  return {
    ...rig,
    async close() {
      for (const p of parts) await (typeof p === 'function' ? p() : p.close());
      if (rig.clock instanceof VirtualClock) rig.clock.stopAutoAdvance();
      rig.timeline.close();
    },
  };
}
