/// <reference lib="dom" />
// What a reviewer sees in a merged (several benches) report, read in headless Chromium: the overview's total and
// environment, each bench's group in the Suites tree with its counts per status, and the page of a re-run test
// (its bench and charger tags and the note that the latest verdict counts).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchFault } from '../drivers/core/errors.ts';
import { RERUN_TAG } from './merge-results.ts';
import { withReportPage } from './report-check.ts';

export interface MergedReportView {
  totalShown: number;
  overviewText: string;
  /** Suites tree, top level: one group per bench, its counts by status as the tree shows them. */
  benchGroups: { name: string; counts: Record<string, number> }[];
  /** The page of the first test tagged as a re-run ('' when none is). */
  rerunPageText: string;
}

export async function checkMergedReport(htmlDir: string, opts: { screenshotDir?: string } = {}): Promise<MergedReportView> {
  const rerun = rerunTestUid(htmlDir);
  return withReportPage(htmlDir, async (page, base) => {
    await page.goto(`${base}#`);
    const stats = page.locator('.summary-widget__stats');
    await page.waitForFunction(
      () => /\d+\s*test cases?/i.test(document.querySelector('.summary-widget__stats')?.textContent ?? ''),
      undefined,
      {
        timeout: 30_000,
      },
    );
    const totalShown = Number(/(\d+)\s*test cases?/i.exec((await stats.textContent()) ?? '')?.[1] ?? NaN);
    const overviewText = await page.evaluate(() => document.body.innerText);
    if (opts.screenshotDir) await page.screenshot({ path: join(opts.screenshotDir, 'merged-overview.png'), fullPage: true });

    await page.goto(`${base}#suites`);
    await page.locator('.tree__content > .node > .node__title').first().waitFor({ timeout: 30_000 });
    const benchGroups = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.tree__content > .node > .node__title')).map((t) => {
        const counts: Record<string, number> = {};
        for (const l of Array.from(t.querySelectorAll('.node__stats .label'))) {
          const status = /label_status_(\w+)/.exec(l.className)?.[1] ?? 'unknown';
          counts[status] = Number(l.textContent);
        }
        return { name: t.querySelector('.node__name')?.textContent?.trim() ?? '', counts };
      }),
    );
    if (opts.screenshotDir) await page.screenshot({ path: join(opts.screenshotDir, 'merged-suites.png') });

    let rerunPageText = '';
    if (rerun) {
      await page.goto(`${base}#testresult/${rerun}`);
      await page.locator('.test-result__name, .pane__title').first().waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.body.innerText.includes('Re-run on bench'), undefined, { timeout: 30_000 });
      rerunPageText = await page.evaluate(() => document.body.innerText);
      if (opts.screenshotDir) await page.screenshot({ path: join(opts.screenshotDir, 'merged-rerun-test.png'), fullPage: true });
    }
    return { totalShown, overviewText, benchGroups, rerunPageText };
  });
}

function rerunTestUid(htmlDir: string): string | undefined {
  const dir = join(htmlDir, 'data', 'test-cases');
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    throw new BenchFault(`${htmlDir} is not a generated report (no data/test-cases)`);
  }
  for (const f of files.sort()) {
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { uid: string; labels?: { name: string; value: string }[] };
    if (c.labels?.some((l) => l.name === 'tag' && l.value === RERUN_TAG)) return c.uid;
  }
  return undefined;
}
