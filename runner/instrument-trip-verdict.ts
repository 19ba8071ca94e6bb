// A protection trip of a bench instrument during a test (a battery emulator's over-voltage, sink
// over-current or I/O watchdog) latches its output off: the vehicle's battery is cut off and the charger
// can no longer be judged. So THAT test is broken, naming the protection, whatever its body concluded —
// in any suite, not only the bench's. The trip is read from the timeline, where the instrument's driver
// records it as soon as its status poll sees it (drivers/scpi/rp7900.ts); the bench kind has already
// started the bench's safe state. A body left waiting on a battery that is gone is not waited for: once
// that safe state has ended, the test ends.

import type { Test } from 'mocha';
import { BenchFault } from '../drivers/core/errors.ts';
import type { Timeline, TimelineEvent } from '../drivers/core/timeline.ts';

type Body = NonNullable<Test['fn']>;

/** What the driver records when a trip is seen, and the reason the bench kind gives its safe state. */
const TRIP_EVENT = 'protection-trip';
const TRIP_SAFE_STATE_REASON = 'instrument trip';

/** The trip this event records, as the test's verdict; undefined for any other event. */
function tripFault(e: TimelineEvent): BenchFault | undefined {
  const d = e.data as { event?: string; protections?: string[] };
  if (e.kind !== 'instrument' || d.event !== TRIP_EVENT) return undefined;
  const what = d.protections?.length ? d.protections.join(' and ') : 'a protection';
  return new BenchFault(
    `${e.source}: ${what} tripped during this test and latched the output off — with the battery cut off the charger cannot be judged`,
    e.source,
  );
}

function isTripSafeStateEnd(e: TimelineEvent): boolean {
  const d = e.data as { event?: string; reason?: string };
  return e.kind === 'safe-state' && d.event === 'end' && String(d.reason ?? '').startsWith(TRIP_SAFE_STATE_REASON);
}

const wrapped = new WeakSet<object>();

/** Wrap a test body so that an instrument trip while it runs makes it broken with the trip's name. */
export function brokenOnInstrumentTrip(fn: Body, timeline: Timeline): Body {
  if (fn.length > 0 || wrapped.has(fn)) return fn; // a callback-style test keeps its own signature
  const body = async function (this: unknown): Promise<unknown> {
    let trip: BenchFault | undefined;
    let tripHandled: () => void = () => undefined;
    const handled = new Promise<void>((resolve) => (tripHandled = resolve));
    const unsubscribe = timeline.subscribe((e) => {
      trip ??= tripFault(e);
      if (trip && isTripSafeStateEnd(e)) tripHandled();
    });
    try {
      const run = (async () => (fn as (this: unknown) => unknown).call(this))();
      const outcome = await Promise.race([
        run.then(
          () => 'done' as const,
          (e: unknown) => ({ thrown: e }),
        ),
        handled.then(() => 'tripped' as const),
      ]);
      if (trip) throw trip;
      if (outcome !== 'done' && outcome !== 'tripped') throw outcome.thrown;
      return undefined;
    } finally {
      unsubscribe();
    }
  };
  wrapped.add(body);
  return Object.assign(body, { toString: () => fn.toString() }) as unknown as Body;
}
