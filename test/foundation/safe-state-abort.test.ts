// A safe state that fails stops the run: the test it ends shows why, no later test starts, the run exits
// with the aborted code (3), and summary.json, the timeline, the console and the report's environment
// name the resource and the step that failed.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTimelineFile } from '../../drivers/core/timeline.ts';
import { allureResults, runFixtureSuite } from './helpers.ts';

describe('a failed safe state aborts the run', function () {
  const suite = 'test/foundation/fixtures/three-tests.spec.ts';
  const run = runFixtureSuite('mcs-safe-abort-', suite, ['--fault', 'safe-state-fails']);

  it('exits with the aborted code and says which resource failed which step, and how many tests did not run', function () {
    expect(run.status, run.stdout + run.stderr).to.equal(3);
    expect(run.stdout).to.match(/ABORTED — safe state not reached .*resource 'interlock', step 'interlock open': no result within/);
    expect(run.stdout).to.contain('2 of 3 tests did not run (run aborted)');
  });

  it('starts no test after the failed safe state', function () {
    const results = allureResults(run.runDir);
    expect(results.filter((r) => r.status !== 'skipped').map((r) => r.name)).to.deep.equal(['arms the interlock']);
    // The others are in the report as not run, so its totals do not read as complete.
    for (const r of results.filter((x) => x.status === 'skipped'))
      expect(r.statusDetails?.message).to.equal('not run: 2 of 3 tests did not run (run aborted)');
  });

  it('writes the final exit code and the abort into summary.json', function () {
    const s = JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8'));
    expect(s.exitCode).to.equal(3);
    expect(s.total).to.equal(3);
    expect(s.notRun).to.equal(2);
    expect(s.aborted).to.include({ resource: 'interlock', step: 'interlock open' });
  });

  it('records each safe-state step and the abort on the timeline, before the run ends', function () {
    const events = readTimelineFile(join(run.runDir, 'timeline.jsonl'));
    const failed = events.findIndex((e) => e.kind === 'safe-state' && e.source === 'interlock' && e.data.event === 'failed');
    const aborted = events.findIndex((e) => e.data.event === 'aborted');
    const end = events.findIndex((e) => e.kind === 'run' && e.source === 'runner' && e.data.event === 'end');
    expect(failed).to.be.greaterThan(-1);
    expect(aborted).to.be.greaterThan(failed);
    expect(end).to.be.greaterThan(aborted);
    expect(events[end].data).to.include({ exitCode: 3, notRun: 2 });
  });

  it("shows the abort in the report's environment and as the broken tear-down of the test it ended", function () {
    const env = readFileSync(join(run.runDir, 'allure-results', 'environment.properties'), 'utf8');
    expect(env).to.match(/^run\.aborted=safe state not reached/m);
    expect(env).to.match(/^run\.not run=2 of 3 tests did not run/m);
    const dir = join(run.runDir, 'allure-results');
    type Fixture = { status?: string; statusDetails?: { message?: string }; steps?: { name: string }[] };
    const containers = readdirJson(dir, '-container.json') as { afters?: Fixture[] }[];
    const teardown = containers.flatMap((c) => c.afters ?? []).find((a) => a.status === 'broken');
    expect(teardown?.statusDetails?.message).to.match(/safe state not reached/);
    const steps = teardown?.steps?.map((s) => s.name).join('\n');
    expect(steps).to.match(/safe state: interlock: interlock open — \d+ ms \(limit \d+ ms\): no result/);
  });
});

function readdirJson(dir: string, suffix: string): unknown[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}
