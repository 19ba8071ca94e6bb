// BEM and CEM, the two sides' error messages, are built alike (GB/T 27930-2015 Tables 9 and 10): every
// timeout flag normal and 'other' 0, then the flags the sender reports; and each side keeps a table of
// which flag reports which of its own timeouts.

import { allNormal, STATUS, type StatusFlags, type StatusRows } from './message-def.ts';
import type { TimeoutName } from './timing.ts';

export type ErrorFlags<R extends StatusRows> = StatusFlags<R> & { other: number };

export function errorMessage<R extends StatusRows>(rows: R, bits: Partial<ErrorFlags<R>>): ErrorFlags<R> {
  return { ...allNormal(rows), other: 0, ...bits };
}

/** Which flag reports each timeout, as the bits to send: that flag active (a timeout left out is 'other'). */
export function timeoutBits<F extends string>(
  flagOf: Partial<Record<TimeoutName, F>>,
): Partial<Record<TimeoutName, Partial<Record<F, number>>>> {
  return Object.fromEntries(Object.entries(flagOf).map(([timeout, flag]) => [timeout, { [flag as F]: STATUS.active }]));
}
