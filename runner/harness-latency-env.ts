// The harness's own latency over the whole run, for the run's environment (Allure environment, summary.json):
// every timing verdict of the run is read against it. Each resource that measures itself (a HarnessLatency:
// the GB/T BMS node, the ISO 15118 vehicle) contributes its receive-to-stamp and timer-lateness p99; on a
// virtual clock it is 0 by construction (time stands still while the harness works).

import type { Clock } from '../drivers/core/clock.ts';
import { describeStats, HarnessLatency } from '../drivers/core/harness-latency.ts';

/** summary.json's harnessLatency: clock ms, the worst resource's receive and schedule p99 combined. */
export interface RunHarnessLatency {
  p99Ms: number;
  basis: string;
  resources: Record<string, { receiveP99Ms: number | null; scheduleP99Ms: number | null; samples: number }>;
}

const VIRTUAL = '0 by construction (virtual time)';

export function harnessLatencyOfRun(
  resources: Iterable<{ name: string; latency?: unknown }>,
  clock: Clock,
): { env: Record<string, string>; summary: RunHarnessLatency } {
  if (clock.description.startsWith('virtual'))
    return { env: { 'harness.latency.p99': VIRTUAL }, summary: { p99Ms: 0, basis: VIRTUAL, resources: {} } };
  const env: Record<string, string> = {};
  const summary: RunHarnessLatency = { p99Ms: 0, basis: '', resources: {} };
  let worst: string | undefined;
  for (const r of resources) {
    if (!(r.latency instanceof HarnessLatency)) continue;
    // The figures its verdicts carry: on a CAN wire engine, that path's (its stamps are taken off the main thread).
    const s = r.latency.judgedStats();
    const p99 = (d: { count: number; p99Ms: number }) => (d.count ? d.p99Ms : null);
    const samples = s.receive.count + s.schedule.count;
    if (!samples) continue;
    summary.resources[r.name] = { receiveP99Ms: p99(s.receive), scheduleP99Ms: p99(s.schedule), samples };
    const wire = r.latency.wireEngine;
    env[`harness.latency.${r.name}`] = `${describeStats(s)}${wire ? ` (frames stamped off the main thread by the ${wire})` : ''}`;
    // Combined as the verdicts' uncertainty is (harness-latency.ts): root sum of squares of the two p99s.
    const combined = Math.hypot(p99(s.receive) ?? 0, p99(s.schedule) ?? 0);
    if (worst === undefined || combined > summary.p99Ms) {
      summary.p99Ms = combined;
      worst = r.name;
    }
  }
  summary.basis =
    worst === undefined
      ? 'no samples: no resource of this bench measured its own latency in this run'
      : `${worst} (worst resource), receive and timer-lateness p99 combined by root sum of squares, clock ms, ${clock.description} clock`;
  env['harness.latency.p99'] = worst === undefined ? summary.basis : `${summary.p99Ms.toFixed(3)} ms — ${summary.basis}`;
  return { env, summary };
}
