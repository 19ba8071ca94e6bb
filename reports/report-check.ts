/// <reference lib="dom" />
// The report check: open a generated Allure report in headless Chromium (playwright-core + Debian's
// /usr/bin/chromium, no browser download) and verify what a reviewer would look at — the totals, a
// test's steps, and that an attachment opens with its content.

import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { BenchFault } from '../drivers/core/errors.ts';

export const CHROMIUM_PATH = process.env.MCS_HIL_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a closed network: without the background-networking ones Chromium hammers refused connections. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ReportCheckResult {
  /** The "N test cases" number on the overview page. */
  totalShown: number;
  /** Which test was opened, and what its page showed. */
  testCaseId: string;
  testTitle: string;
  stepTitles: string[];
  attachmentNames: string[];
  /** The first characters of the attachment opened in the page. */
  attachmentPreview: string;
  /** The overview's text (its title names the charger and bench) and the test page's (requirement, clause). */
  overviewText: string;
  testPageText: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
};

/** Open the report and read back what it shows. Pass a testCaseId to pick the test; default: the first test with steps and an attachment. */
export async function checkReport(htmlDir: string, opts: { testCaseId?: string; screenshotDir?: string } = {}): Promise<ReportCheckResult> {
  if (!existsSync(join(htmlDir, 'index.html'))) throw new BenchFault(`${htmlDir} is not a generated report (no index.html)`);
  const target = pickTest(htmlDir, opts.testCaseId);
  return withReportPage(htmlDir, async (page, base) => {
    await page.goto(`${base}#`);
    const stats = page.locator('.summary-widget__stats');
    await stats.waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => /\d+\s*test cases?/i.test(document.querySelector('.summary-widget__stats')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    const totalShown = Number(/(\d+)\s*test cases?/i.exec((await stats.textContent()) ?? '')?.[1] ?? NaN);
    const overviewText = await page.evaluate(() => document.body.innerText);
    if (opts.screenshotDir) await page.screenshot({ path: join(opts.screenshotDir, 'report-overview.png') });

    await page.goto(`${base}#testresult/${target.uid}`);
    await page.locator('.step__title').first().waitFor({ timeout: 30_000 });
    // Open the set-up / tear-down stages so their attachments are on the page too.
    for (const stage of await page.locator('.step__title_stage').all()) {
      const expanded = await stage.evaluate((el) => el.parentElement?.classList.contains('step_expanded') ?? false);
      if (!expanded) await stage.click();
    }
    const stepTitles = (await page.locator('.step__title:not(.step__title_stage) .step__name').allTextContents()).map((s) => s.trim());
    const rows = page.locator('.attachment-row');
    await rows.first().waitFor({ timeout: 30_000 });
    const attachmentNames = (await page.locator('.attachment-row__name').allTextContents()).map((s) => s.trim());
    await rows.first().click();
    const preview = page.locator('.attachment-row__content').first();
    await page.waitForFunction(() => (document.querySelector('.attachment-row__content')?.textContent ?? '').trim().length > 0, undefined, {
      timeout: 30_000,
    });
    const attachmentPreview = ((await preview.textContent()) ?? '').trim().slice(0, 200);
    const testPageText = await page.evaluate(() => document.body.innerText);
    if (opts.screenshotDir) await page.screenshot({ path: join(opts.screenshotDir, 'report-test.png'), fullPage: true });
    return {
      totalShown,
      testCaseId: target.testCaseId,
      testTitle: target.name,
      stepTitles,
      attachmentNames,
      attachmentPreview,
      overviewText,
      testPageText,
    };
  });
}

/** Serve the report folder on 127.0.0.1 and open a Chromium page on it; base is the report's index.html URL. */
export async function withReportPage<T>(htmlDir: string, use: (page: Page, base: string) => Promise<T>): Promise<T> {
  if (!existsSync(join(htmlDir, 'index.html'))) throw new BenchFault(`${htmlDir} is not a generated report (no index.html)`);
  if (!existsSync(CHROMIUM_PATH)) throw new BenchFault(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const server = http.createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let p = join(htmlDir, rel);
    if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'index.html');
    if (!p.startsWith(htmlDir) || !existsSync(p)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', TYPES[extname(p)] ?? 'application/octet-stream');
    createReadStream(p).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    return await use(await browser.newPage({ viewport: { width: 1400, height: 1000 } }), base);
  } finally {
    await browser.close();
    server.close();
  }
}

interface TestCaseFile {
  uid: string;
  name: string;
  testStage?: { steps?: unknown[]; attachmentsCount?: number };
  afterStages?: { attachmentsCount?: number }[];
  labels?: { name: string; value: string }[];
}

function pickTest(htmlDir: string, testCaseId?: string): { uid: string; name: string; testCaseId: string } {
  const dir = join(htmlDir, 'data', 'test-cases');
  const cases = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as TestCaseFile);
  const idOf = (c: TestCaseFile) => c.labels?.find((l) => l.name === 'requirement')?.value ?? '';
  const usable = (c: TestCaseFile) =>
    (c.testStage?.steps?.length ?? 0) > 0 &&
    ((c.testStage?.attachmentsCount ?? 0) > 0 || (c.afterStages ?? []).some((s) => (s.attachmentsCount ?? 0) > 0));
  const found = cases.filter((c) => (testCaseId ? idOf(c) === testCaseId : usable(c))).sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!found)
    throw new BenchFault(
      testCaseId ? `the report has no test with testCaseId ${testCaseId}` : 'the report has no test with steps and an attachment',
    );
  return { uid: found.uid, name: found.name, testCaseId: idOf(found) };
}
