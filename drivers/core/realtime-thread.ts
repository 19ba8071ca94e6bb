// The harness's main thread under SCHED_FIFO while tests run on a real-time bench (issue 14). On a loaded machine
// the vehicle's reaction to a charger's answer waits mostly for a CPU, not for its own work: perf/reaction.ts
// measured p50 0.1 ms either way, p99 49 ms as SCHED_OTHER and 0.19 ms as SCHED_FIFO on a 2-core box at load 13.
//
// Why the whole main thread, and not a real-time path beside it: the reaction is TLS decryption, EXI decoding,
// the session's next step, EXI encoding and TLS encryption, all on the thread that owns the TLS session; a
// pre-encoded next request still needs that thread to decrypt the answer it depends on and to encrypt it, and a
// FIFO writer thread would have to own the whole ISO 15118 link (TLS included) to help. So the choice is the policy
// of the main thread, and it is made per bench:
//   - a bench with nothing emulated in this process (a lab bench: the charger is a real one): SCHED_FIFO by
//     default, priority 20 (below the CAN helper's 80/81). The lab PC serves the bench; what else runs on it is
//     ours, and plots already render on a SCHED_OTHER thread. The kernel's RT throttling (95 % of each second) is
//     the guard should a test compute for long: other processes keep at least 5 % of that CPU and all the others.
//   - a bench whose charger or instruments are emulated in this process (the emulator benches, CI): opt-in, since
//     the emulated charger's work would run at FIFO too and hold a CPU of a shared machine.
// MCS_HIL_REALTIME=<priority 1..98> asks for FIFO on any real-time bench, MCS_HIL_REALTIME=off never. The policy is
// set with SCHED_RESET_ON_FORK: threads and processes started meanwhile (workers, libuv's pool, tools) begin as
// SCHED_OTHER and take a real-time policy only where they set one themselves (the CAN helper does).

import { spawnSync } from 'node:child_process';

export interface RealtimeMainThread {
  /** What the main thread got, for the run environment. */
  note: string;
  /** Back to SCHED_OTHER (idempotent). */
  restore(): void;
}

/** The main thread's priority on a lab bench when MCS_HIL_REALTIME does not say. */
export const LAB_BENCH_PRIORITY = 20;

export interface RealtimeBench {
  /** The bench runs on a real clock (a virtual one has no host latency to fight). */
  realClock: boolean;
  /** Something of the bench (charger, instrument, lines) is emulated in this process. */
  emulatedInProcess: boolean;
}

/** Put this process's main thread (tid = pid) under SCHED_FIFO when the bench or env asks and it is permitted. */
export function realtimeMainThread(bench: RealtimeBench, env: NodeJS.ProcessEnv = process.env): RealtimeMainThread {
  const asked = env.MCS_HIL_REALTIME;
  const none = (note: string): RealtimeMainThread => ({ note, restore: () => {} });
  if (!bench.realClock) return none('virtual time: the harness latency is 0 by construction');
  if (asked === 'off') return none('SCHED_OTHER (MCS_HIL_REALTIME=off)');
  if (!asked && bench.emulatedInProcess)
    return none('SCHED_OTHER (emulated in this process; MCS_HIL_REALTIME=<priority> runs the tests under SCHED_FIFO)');
  const priority = asked ? Number(asked) : LAB_BENCH_PRIORITY;
  if (!Number.isInteger(priority) || priority < 1 || priority > 98)
    return none(`SCHED_OTHER (MCS_HIL_REALTIME='${asked}' is not a priority 1..98 or 'off')`);
  const why = asked ? `MCS_HIL_REALTIME=${asked}` : 'lab bench default; MCS_HIL_REALTIME=off for SCHED_OTHER';
  const pid = String(process.pid);
  const r = spawnSync('chrt', ['--reset-on-fork', '-f', '-p', String(priority), pid], { encoding: 'utf8' });
  if (r.status !== 0) return none(`SCHED_OTHER (${why}; chrt -f refused: ${r.stderr?.trim() || r.error?.message || `exit ${r.status}`})`);
  let restored = false;
  return {
    note: `SCHED_FIFO ${priority} while tests run (main thread; ${why})`,
    restore: () => {
      if (!restored) spawnSync('chrt', ['-o', '-p', '0', pid]);
      restored = true;
    },
  };
}
