// The running bench as the root hooks see it. The runner sets it before mocha loads any spec, in the same
// process, so hooks and specs share this module instance.

import type { Bench } from '../benches/bench.ts';

export interface RunContext {
  bench: Bench;
  /** Set when SIGINT/SIGTERM arrived: the in-flight test is failed as broken and no further test starts. */
  interrupted?: string;
  /** Set when a safe state failed: the bench may be unsafe, no further test starts. */
  aborted?: RunAborted;
  /** The runner's way to stop mocha when the hooks abort the run. */
  onAbort?: () => void;
}

export interface RunAborted {
  afterTest: string;
  resource: string;
  step: string;
  error: string;
  /** The whole sentence, for the console and the report. */
  message: string;
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
