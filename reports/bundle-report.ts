// The bundle's HTML report: Allure's single-file report of the run, made from a viewing copy of its
// results in which each test's timeline slice points into the bundle's full timeline.jsonl and the
// samples CSVs are decimated. The full-rate data stays in the bundle's evidence, once.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchFault } from '../drivers/core/errors.ts';
import { attachmentTitles, decimateCsv, isSamplesCsv, isTimelineSlice } from './bundle-contents.ts';
import { ALLURE_BIN, javaVersion } from './generate.ts';

/** Rows a decimated samples CSV keeps: enough for a plot, far less than 1 kS/s over minutes. */
export const VIEW_CSV_ROWS = 2000;

export function viewingReport(runDir: string): Buffer {
  if (!javaVersion())
    throw new BenchFault('Java is not installed, and the bundle report (Allure 2) needs it: apt-get install -y default-jre-headless');
  const work = mkdtempSync(join(tmpdir(), 'mcs-hil-bundle-'));
  try {
    const results = join(work, 'allure-results');
    cpSync(join(runDir, 'allure-results'), results, { recursive: true });
    rmSync(join(results, 'history'), { recursive: true, force: true });
    const titles = attachmentTitles(results);
    for (const f of readdirSync(results)) {
      const abs = join(results, f);
      if (isTimelineSlice(titles.get(f))) writeFileSync(abs, slicePointer(readFileSync(abs, 'utf8')));
      else if (isSamplesCsv(f)) writeFileSync(abs, decimateCsv(readFileSync(abs, 'utf8'), VIEW_CSV_ROWS));
    }
    const out = join(work, 'html');
    execFileSync(ALLURE_BIN, ['generate', results, '-o', out, '--clean', '--single-file'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ALLURE_NO_ANALYTICS: 'true' },
    });
    if (!existsSync(join(out, 'index.html'))) throw new BenchFault('allure generate wrote no index.html for the bundle report');
    return readFileSync(join(out, 'index.html'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What a slice becomes in the viewing report: where its events are in the bundle's timeline. */
function slicePointer(slice: string): string {
  const seqs = slice
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(/"seq":(\d+)/.exec(l)?.[1]))
    .filter(Number.isFinite);
  if (!seqs.length) return slice;
  const range = `seq ${Math.min(...seqs)}..${Math.max(...seqs)}`;
  return JSON.stringify({ note: `this test's timeline is evidence/timeline.jsonl ${range} in the bundle (full rate, kept once)` }) + '\n';
}
