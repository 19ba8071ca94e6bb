// The report pipeline as a user runs it: two runs into one reports folder, `mcs-hil report` after each (the
// second twice: regenerating must not add a trend point), then the generated HTML opened in headless Chromium
// (playwright-core + /usr/bin/chromium).
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkReport, type ReportCheckResult } from '../../reports/report-check.ts';
import { mcsHil, tmp } from './helpers.ts';

describe('HTML report', function () {
  let out: string;
  let htmlDir: string;
  let seen: ReportCheckResult;
  const trendOf = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'history', 'history-trend.json'), 'utf8')) as { buildOrder?: number }[];

  before(async function () {
    this.timeout(0); // two runs, three Allure generations and Chromium: as long as the machine needs
    out = tmp('mcs-report-');
    for (let i = 0; i < 2; i++) {
      mcsHil(['run', '--bench', 'test/fixtures/benches/minimal.yaml', '--suite', 'test/fixtures/suites/evidence.spec.ts', '--out', out]);
      const r = mcsHil(['report', '--out', out]);
      expect(r.status, r.stderr).to.equal(0);
      htmlDir = /report: (.*)\/index\.html/.exec(r.stdout)![1];
    }
    // The reports root as the argument: its newest run, reported into that root (no --out needed).
    const again = mcsHil(['report', out]);
    expect(again.status, again.stderr).to.equal(0);
    expect(/report: (.*)\/index\.html/.exec(again.stdout)![1]).to.equal(htmlDir);
    seen = await checkReport(htmlDir, { testCaseId: 'FIX-PASS-001' });
  });

  it('prints the totals and writes the HTML folder and a single-file HTML', function () {
    expect(existsSync(join(htmlDir, 'index.html'))).to.equal(true);
    const single = `${htmlDir}.html`;
    expect(statSync(single).size).to.be.greaterThan(100_000);
    expect(readFileSync(single, 'utf8')).to.contain('<html');
  });

  it('carries history from the previous report, and regenerating a report adds no trend point', function () {
    const trend = trendOf(htmlDir);
    expect(trend.length).to.equal(2);
    expect(trend.map((t) => t.buildOrder).sort()).to.deep.equal([1, 2]);
    expect(readdirSync(join(out, 'history'))).to.include('history.json');
    expect(trendOf(out).length).to.equal(2);
  });

  it('is named after the charger and the bench, with the run as its executor (Chromium)', function () {
    const summary = JSON.parse(readFileSync(join(htmlDir, 'widgets', 'summary.json'), 'utf8')) as { reportName: string };
    expect(summary.reportName).to.equal('charger on bench minimal');
    expect(seen.overviewText).to.contain('charger on bench minimal').and.not.contain('Allure Report');
    const executors = JSON.parse(readFileSync(join(htmlDir, 'widgets', 'executors.json'), 'utf8')) as { name: string; buildName: string }[];
    expect(executors[0].name).to.equal('mcs-hil');
    expect(executors[0].buildName).to.match(/^run \d{4}-/);
  });

  it('shows the totals, a test with its measurement steps, and opens an attachment (Chromium)', function () {
    expect(seen.totalShown).to.equal(3);
    expect(seen.testTitle).to.equal('passes a measurement');
    expect(seen.stepTitles.some((s) => s.startsWith('settle time = 1.5 s'))).to.equal(true);
    expect(seen.attachmentNames).to.include.members(['samples.csv', 'plot.svg', 'measurements.json', 'timeline.jsonl']);
    expect(seen.attachmentPreview.length).to.be.greaterThan(0);
  });

  it('shows the requirement id and clause on the test page, and clause and verified flag in the step name (Chromium)', function () {
    expect(seen.testPageText).to.contain('FIX-PASS-001').and.contain('TEST 1.2.3');
    const step = seen.stepTitles.find((s) => s.startsWith('settle time = 1.5 s'))!;
    expect(step).to.match(/PASS — TEST 1\.2\.3, unverified$/);
  });

  it('the failure shows under its violation category', function () {
    const cats = JSON.parse(readFileSync(join(htmlDir, 'data', 'categories.json'), 'utf8')) as {
      children: { name: string; children: unknown[] }[];
    };
    const names = cats.children.map((c) => c.name);
    expect(names).to.include.members(['Current-control violation', 'Bench fault']);
  });

  it('says clearly when there is no run to report', function () {
    const r = mcsHil(['report', '--out', tmp('mcs-empty-')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/no run found/);
  });
});
