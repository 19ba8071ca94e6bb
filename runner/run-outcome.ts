// How a run ended, in the words and numbers the console, summary.json and the exit code give.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Timeline } from '../drivers/core/timeline.ts';

/** Exit codes of `mcs-hil run` (README, bin/cli.ts). */
export const EXIT = { passed: 0, chargerFailed: 1, usage: 2, benchFault: 3, interrupted: 130 } as const;

interface Ending {
  failed: number;
  broken: number;
  interrupted?: string;
  aborted?: unknown;
  benchFault?: string;
}

/**
 * Interrupted wins (the operator stopped it); then an aborted run or a bench that never opened (nothing
 * after it can be trusted); then a charger failure (an assertion failed); then broken tests alone.
 */
export function exitCodeOf(s: Ending): number {
  if (s.interrupted) return EXIT.interrupted;
  if (s.aborted || s.benchFault) return EXIT.benchFault;
  if (s.failed > s.broken) return EXIT.chargerFailed;
  if (s.broken > 0) return EXIT.benchFault;
  return EXIT.passed;
}

export function notRunLine(s: { total: number; notRun: number; interrupted?: string; aborted?: unknown }): string {
  const why = s.interrupted ? `interrupted by ${s.interrupted}` : s.aborted ? 'run aborted' : 'run ended early';
  if (s.total === 0) return `no test ran (${why} before the tests were loaded)`;
  return `${s.notRun} of ${s.total} tests did not run (${why})`;
}

/** Say on the console what the run is waiting for (a held link, a device): a silent wait looks like a hang. */
export function printWaits(timeline: Timeline, log: (line: string) => void): () => void {
  return timeline.subscribe((e) => {
    const waiting = (e.data as { waiting?: unknown }).waiting;
    if (typeof waiting === 'string') log(`mcs-hil run: ${waiting}`);
  });
}

/** For `mcs-hil report`: what summary.json says about a run that stopped early (nothing for a complete run). */
export function stoppedRunLines(runDir: string): string[] {
  let s: { aborted?: { message?: string }; interrupted?: string; total?: number; notRun?: number };
  try {
    s = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  } catch {
    return []; // an older run folder, or one whose process died before writing it
  }
  const lines: string[] = [];
  if (s.aborted?.message) lines.push(`run ABORTED: ${s.aborted.message}`);
  if (s.interrupted) lines.push(`run interrupted by ${s.interrupted}`);
  if ((s.aborted || s.interrupted) && s.total !== undefined) lines.push(notRunLine({ total: s.total, notRun: s.notRun ?? 0, ...s }));
  return lines;
}

/** summary.json holds the code the process exits with: rewrite it when something after the run changed it. */
export function recordExitCode(runDir: string, exitCode: number): number {
  try {
    const file = join(runDir, 'summary.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), exitCode }, null, 2));
  } catch {
    /* no summary to correct */
  }
  return exitCode;
}

/** How many tests of a run never started (summary.json; 0 for a complete or older run). */
export function notRunOf(runDir: string): number {
  try {
    return (JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { notRun?: number }).notRun ?? 0;
  } catch {
    return 0;
  }
}
