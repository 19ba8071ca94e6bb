// The PCTR-style summary: opened as HTML in Chromium and as the printed PDF (text extracted with
// pdftotext from poppler-utils), both list every test case with its verdict; identity and PICS show the
// declared and the on-the-wire values; every unverified limit the verdicts used is listed.

import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { pctrFiles } from '../../reports/pctr-files.ts';
import { buildPctr } from '../../reports/pctr.ts';
import { CHROMIUM_PATH } from '../../reports/report-check.ts';
import { syntheticRun } from './synthetic-run.ts';

describe('PCTR summary (HTML and PDF)', function () {
  const run = syntheticRun([
    { recording: 'seq-clean.log', title: 'in order' },
    { recording: 'seq-cml-before-bcp.log', title: 'with CML before BCP' },
  ]);
  const work = mkdtempSync(join(tmpdir(), 'mcs-hil-pctr-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('states identity, PICS, each case with verdict and limits, and the unverified limits', () => {
    const p = buildPctr(run);
    expect(p.identity.declared.vendor).to.equal('mcs-hil');
    expect(p.identity.wire['charger number / region (GB/T 27930 CRM)']).to.equal('1 / EMU');
    expect(p.pics.find((r) => r.item === 'protocol gbt27930')).to.include({ declared: 'supported', status: 'consistent' });
    expect(p.pics.find((r) => r.item === 'protocol iso15118-20-mcs')!.status).to.equal('not advertised');
    expect(p.cases.map((c) => [c.testCaseId, c.verdict])).to.deep.equal([
      ['GBT27930-SEQ-001', 'pass'],
      ['GBT27930-SEQ-001', 'fail'],
    ]);
    expect(p.cases[0].limits.find((l) => l.measurement === 'BRM → CRM(0xAA)')).to.include({ limit: 'x <= 5000 ms', verified: false });
    expect(p.unverifiedLimits.map((u) => u.limit)).to.include('x <= 5000 ms');
  });

  it('opens as HTML and as PDF, both listing every test case with its verdict', async function () {
    // pdftotext comes from Debian's poppler-utils, which .ci/run installs.
    if (spawnSync('pdftotext', ['-v']).error) this.skip();
    const files = await pctrFiles(run, { pdf: true });
    const html = files.find((f) => f.path === 'summary/pctr.html')!.data.toString();
    const pdf = files.find((f) => f.path === 'summary/pctr.pdf')!.data;
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      const rows = await page.$$eval('table', (tables) => {
        const cases = tables.find((t) => t.querySelector('th')?.textContent === 'test case id')!;
        return Array.from(cases.querySelectorAll('tbody tr')).map((tr) => [
          tr.children[0].textContent,
          tr.querySelector('.v')?.textContent,
        ]);
      });
      expect(rows).to.deep.equal([
        ['GBT27930-SEQ-001', 'pass'],
        ['GBT27930-SEQ-001', 'fail'],
      ]);
    } finally {
      await browser.close();
    }
    writeFileSync(join(work, 'pctr.pdf'), new Uint8Array(pdf));
    const text = execFileSync('pdftotext', ['-layout', join(work, 'pctr.pdf'), '-']).toString();
    const lines = text.split('\n').filter((l) => l.trimStart().startsWith('GBT27930-SEQ-001')); // the test-case rows
    expect(lines.map((l) => /\b(pass|fail|inconclusive|not applicable|not run)\b/.exec(l)?.[1])).to.deep.equal(['pass', 'fail']);
    expect(text).to.include('Unverified limits the verdicts used');
  });
});
