// The judge command's run for an ISO 15118-20 capture: the capture's V2G events judged by every MCS check
// decidable offline, written as a run folder like a live run's. The Allure results carry the readable,
// decrypted message log (what the checks read); the pcapng itself is copied beside them as the raw evidence.

import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { judgeCases, writeJudgedRun } from './rejudge-recording.ts';
import { DEFAULT_OUT_DIR, newRunDir } from './run-folders.ts';
import { resolve } from 'node:path';

export function judgeIso15118Capture(o: {
  protocol: string;
  file: string;
  out?: string;
  events: TimelineEvent[];
  log: string;
  notes: string[];
}): {
  runDir: string;
  lines: string[];
  exitCode: number;
} {
  const judged = judgeCases(o.protocol, o.events);
  const runDir = newRunDir(resolve(o.out ?? DEFAULT_OUT_DIR));
  const header = [`capture: ${basename(o.file)} (copied as recording.pcapng)`, ...o.notes, ''].join('\n');
  writeJudgedRun(runDir, {
    protocol: o.protocol,
    recording: { name: `${basename(o.file)}: decrypted V2G message log (what was judged)`, text: header + o.log },
    events: o.events,
    judged,
  });
  copyFileSync(o.file, join(runDir, 'recording.pcapng'));
  const mark = { passed: 'PASS   ', failed: 'FAIL   ', skipped: 'NOT RUN' } as const;
  const lines = [...o.notes, ...judged.map((j) => `${mark[j.status]} ${j.testCaseId} ${j.title}${j.reason ? ` — ${j.reason}` : ''}`)];
  const n = (s: string) => judged.filter((j) => j.status === s).length;
  lines.push(`run folder: ${runDir}`);
  lines.push(`${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} not run (not decidable offline or not in the recording)`);
  return { runDir, lines, exitCode: n('failed') ? 1 : 0 };
}
