// The summary's files in a bundle: pctr.json (machine-readable), pctr.html, and pctr.pdf printed by
// headless Chromium (playwright-core, /usr/bin/chromium) from that same HTML.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { BenchFault } from '../drivers/core/errors.ts';
import type { BundleFile } from './bundle-contents.ts';
import { buildPctr } from './pctr.ts';
import { pctrHtml } from './pctr-html.ts';
import { CHROMIUM_PATH } from './report-check.ts';

export async function htmlToPdf(html: string): Promise<Buffer> {
  if (!existsSync(CHROMIUM_PATH)) throw new BenchFault(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      landscape: true,
      printBackground: true,
      margin: { top: '10mm', bottom: '10mm', left: '8mm', right: '8mm' },
    });
  } finally {
    await browser.close();
  }
}

export async function pctrFiles(runDir: string, o: { pdf: boolean }): Promise<BundleFile[]> {
  const p = buildPctr(runDir);
  const html = pctrHtml(p);
  const files: BundleFile[] = [
    { path: 'summary/pctr.json', data: Buffer.from(JSON.stringify(p, null, 2) + '\n'), role: 'summary' },
    { path: 'summary/pctr.html', data: Buffer.from(html), role: 'summary', note: 'PCTR-style summary' },
  ];
  if (o.pdf) files.push({ path: 'summary/pctr.pdf', data: await htmlToPdf(html), role: 'summary', note: 'the same summary, printed' });
  return files;
}
