// The judge command's run: judge the recording's events, write the run folder, and say per case what came out.

import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { judgeCases, writeJudgedRun } from './rejudge-recording.ts';
import { DEFAULT_OUT_DIR, newRunDir } from './run-folders.ts';

export function judgeRecordingFile(o: { protocol: string; file: string; out?: string; events: TimelineEvent[] }): {
  runDir: string;
  lines: string[];
  exitCode: number;
} {
  const judged = judgeCases(o.protocol, o.events);
  const runDir = newRunDir(resolve(o.out ?? DEFAULT_OUT_DIR));
  writeJudgedRun(runDir, {
    protocol: o.protocol,
    recording: { name: `${basename(o.file)} (the recording judged)`, text: readFileSync(o.file, 'latin1') },
    events: o.events,
    judged,
  });
  const mark = { passed: 'PASS   ', failed: 'FAIL   ', skipped: 'NOT RUN' } as const;
  const lines = judged.map((j) => `${mark[j.status]} ${j.testCaseId} ${j.title}${j.reason ? ` — ${j.reason}` : ''}`);
  const n = (s: string) => judged.filter((j) => j.status === s).length;
  lines.push(`run folder: ${runDir}`);
  lines.push(`${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} not run (not decidable offline or not in the recording)`);
  return { runDir, lines, exitCode: n('failed') ? 1 : 0 };
}
