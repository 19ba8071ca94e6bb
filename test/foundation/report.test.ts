// The report pipeline as a user runs it: two runs into one reports folder, `mcs-hil report` after each,
// then the generated HTML opened in headless Chromium (playwright-core + /usr/bin/chromium).
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkReport } from '../../reports/report-check.ts';
import { mcsHil, tmp } from './helpers.ts';

describe('HTML report', function () {
  let out: string;
  let htmlDir: string;

  before(function () {
    out = tmp('mcs-report-');
    for (let i = 0; i < 2; i++) {
      mcsHil(['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/evidence.spec.ts', '--out', out]);
      const r = mcsHil(['report', '--out', out]);
      expect(r.status, r.stderr).to.equal(0);
      htmlDir = /report: (.*)\/index\.html/.exec(r.stdout)![1];
    }
  });

  it('prints the totals and writes the HTML folder and a single-file HTML', function () {
    expect(existsSync(join(htmlDir, 'index.html'))).to.equal(true);
    const single = `${htmlDir}.html`;
    expect(statSync(single).size).to.be.greaterThan(100_000);
    expect(readFileSync(single, 'utf8')).to.contain('<html');
  });

  it('carries history from the previous report (nightly trends)', function () {
    const trend = JSON.parse(readFileSync(join(htmlDir, 'history', 'history-trend.json'), 'utf8')) as unknown[];
    expect(trend.length).to.equal(2);
    expect(readdirSync(join(out, 'history'))).to.include('history.json');
  });

  it('shows the totals, a test with its measurement steps, and opens an attachment (Chromium)', async function () {
    const seen = await checkReport(htmlDir, { testCaseId: 'FIX-PASS-001' });
    expect(seen.totalShown).to.equal(3);
    expect(seen.testTitle).to.equal('passes a measurement');
    expect(seen.stepTitles.some((s) => s.startsWith('settle time = 1.5 s'))).to.equal(true);
    expect(seen.attachmentNames).to.include.members(['samples.csv', 'plot.svg', 'measurements.json', 'timeline.jsonl']);
    expect(seen.attachmentPreview.length).to.be.greaterThan(0);
  });

  it('the failure shows under its violation category', function () {
    const cats = JSON.parse(readFileSync(join(htmlDir, 'data', 'categories.json'), 'utf8')) as { children: { name: string; children: unknown[] }[] };
    const names = cats.children.map((c) => c.name);
    expect(names).to.include.members(['Current-control violation', 'Bench fault']);
  });

  it('says clearly when there is no run to report', function () {
    const r = mcsHil(['report', '--out', tmp('mcs-empty-')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/no run found/);
  });
});
