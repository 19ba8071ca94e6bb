// The bench's HV interlock / emergency-stop loop as suites and the safe-state strategy see it, whatever
// implements it (the emulated loop, a relay with readback on a physical bench's I/O box).

import type { Resource } from './registry.ts';

export type InterlockState = 'open' | 'closed';

export interface Interlock extends Resource {
  readonly state: InterlockState;
  /** Energise permission: close the loop (tests call this before they let current flow). */
  arm(): Promise<void>;
  /** Open the loop and confirm by readback. */
  disarm(): Promise<void>;
  /** Read the loop state back from the hardware, bounded by its response timeout. */
  readBack(): Promise<InterlockState>;
}
