// The harness's main thread under SCHED_FIFO while tests run on a real-time bench (issue 14). On a loaded machine
// the vehicle's reaction to a charger's answer waits mostly for a CPU, not for its own work: perf/reaction.ts
// measured p50 0.1 ms either way, p99 49 ms as SCHED_OTHER and 0.19 ms as SCHED_FIFO on a 2-core box at load 13.
// Opt-in (MCS_HIL_REALTIME=<priority 1..98>): a FIFO thread that computes for long (a big plot) holds its CPU
// from every normal process, which a shared CI machine may not want. The kernel's RT throttling (95 %) bounds it.

import { spawnSync } from 'node:child_process';

export interface RealtimeMainThread {
  /** What the main thread got, for the run environment. */
  note: string;
  /** Back to SCHED_OTHER (idempotent). */
  restore(): void;
}

/** Put this process's main thread (tid = pid) under SCHED_FIFO when asked and permitted; say what it got. */
export function realtimeMainThread(realClock: boolean, env: NodeJS.ProcessEnv = process.env): RealtimeMainThread {
  const asked = env.MCS_HIL_REALTIME;
  const none = (note: string): RealtimeMainThread => ({ note, restore: () => {} });
  if (!realClock) return none('virtual time: the harness latency is 0 by construction');
  if (!asked) return none('SCHED_OTHER (MCS_HIL_REALTIME=<priority> runs the tests under SCHED_FIFO)');
  const priority = Number(asked);
  if (!Number.isInteger(priority) || priority < 1 || priority > 98)
    return none(`SCHED_OTHER (MCS_HIL_REALTIME='${asked}' is not a priority 1..98)`);
  const pid = String(process.pid);
  const r = spawnSync('chrt', ['-f', '-p', String(priority), pid], { encoding: 'utf8' });
  if (r.status !== 0) return none(`SCHED_OTHER (chrt -f refused: ${r.stderr?.trim() || r.error?.message || `exit ${r.status}`})`);
  let restored = false;
  return {
    note: `SCHED_FIFO ${priority} while tests run (main thread)`,
    restore: () => {
      if (!restored) spawnSync('chrt', ['-o', '-p', '0', pid]);
      restored = true;
    },
  };
}
