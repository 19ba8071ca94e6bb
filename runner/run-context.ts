// The running bench as the root hooks see it. The runner sets it before mocha loads any spec, in the same
// process, so hooks and specs share this module instance.

import type { Bench } from '../benches/bench.ts';

export interface RunContext {
  bench: Bench;
  /** Set when SIGINT/SIGTERM arrived: the in-flight test is failed as broken and no further test starts. */
  interrupted?: string;
}

let current: RunContext | undefined;

export function setRunContext(ctx: RunContext | undefined): void {
  current = ctx;
}

export function runContext(): RunContext {
  if (!current) throw new Error('no bench is open: suites run through `mcs-hil run`, which opens the bench first');
  return current;
}

export function hasRunContext(): boolean {
  return current !== undefined;
}
