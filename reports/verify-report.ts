// `mcs-hil verify-report`: does the generated report show what the run recorded? The totals on the
// overview must equal the run's own summary, and a test page must show its steps and open an attachment.

import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../drivers/core/errors.ts';
import { checkReport } from './report-check.ts';
import { defaultOutDir } from './run-folders.ts';

export async function verifyReport(opts: { htmlDir?: string; reportsDir?: string }): Promise<{ ok: boolean; lines: string[] }> {
  const reportsDir = resolve(opts.reportsDir ?? defaultOutDir());
  const htmlDir = opts.htmlDir
    ? resolve(opts.htmlDir)
    : existsSync(join(reportsDir, 'latest'))
      ? resolve(reportsDir, readlinkSync(join(reportsDir, 'latest')))
      : undefined;
  if (!htmlDir || !existsSync(join(htmlDir, 'index.html')))
    throw new UsageError(`no generated report found (looked for ${htmlDir ?? join(reportsDir, 'latest')}); run \`mcs-hil report\` first`);
  const summaryFile = join(reportsDir, 'runs', basename(htmlDir), 'summary.json');
  const summary = existsSync(summaryFile)
    ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as { passed: number; failed: number; skipped: number; notRun?: number })
    : undefined;
  const seen = await checkReport(htmlDir);
  const lines: string[] = [];
  let ok = true;
  // Tests a stopped run never started are in the report as skipped "not run" cases.
  const expectTotal = summary ? summary.passed + summary.failed + summary.skipped + (summary.notRun ?? 0) : undefined;
  if (expectTotal !== undefined && seen.totalShown !== expectTotal) {
    ok = false;
    lines.push(`FAIL the overview shows ${seen.totalShown} test cases, the run recorded ${expectTotal}`);
  } else lines.push(`ok   the overview shows ${seen.totalShown} test cases${expectTotal !== undefined ? ' (as the run recorded)' : ''}`);
  if (!seen.stepTitles.length) {
    ok = false;
    lines.push(`FAIL test '${seen.testTitle}' shows no steps`);
  } else
    lines.push(`ok   test '${seen.testTitle}' (${seen.testCaseId}) shows ${seen.stepTitles.length} step(s), e.g. "${seen.stepTitles[0]}"`);
  if (!seen.attachmentPreview) {
    ok = false;
    lines.push(`FAIL attachment '${seen.attachmentNames[0]}' opened empty`);
  } else
    lines.push(`ok   attachment '${seen.attachmentNames[0]}' opens with content (${seen.attachmentNames.length} attachments on the page)`);
  return { ok, lines };
}
