// Clean runs in a row: the whole emulator suite (every suite folder: bench, ccs2, gbt27930, mcs) on the
// virtual-time bench N times (default 20), each in its own process, as the nightly would run it. Prints one
// line per run, then `N runs, X failures`, `clean runs: N of M`, and whether every run's timeline was
// byte-identical (same seed and bench must give the same bytes, whatever the host load); on a difference,
// the first line that differs. Keeps the first run's folder (and the first that differs or fails) and removes
// the others.
//   node --import tsx perf/virtual-repeat.ts [--runs 20] [--suite mcs,gbt27930] [--bench benches/emulator-virtual.yaml]
// Exit code 1 when a run failed or the timelines differ (a nightly job can gate on it).
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { suiteNames } from '../runner/suite-files.ts';
import { firstDifference, runSuites, type SuiteRun } from './virtual-run.ts';

const arg = (name: string, dflt: string | undefined) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const runs = Number(arg('--runs', '20'));
const suite = arg('--suite', undefined);
const bench = arg('--bench', 'benches/emulator-virtual.yaml')!;

console.log(`${runs} runs of ${suite ? `--suite ${suite}` : `every suite (${suiteNames().join(', ')})`} on ${bench}`);
const first: SuiteRun[] = [];
let failures = 0;
let differing: SuiteRun | undefined;
const shas = new Set<string>();
const t0 = process.hrtime.bigint();
for (let i = 1; i <= runs; i++) {
  let r: SuiteRun;
  try {
    r = runSuites(bench, suite);
  } catch (e) {
    failures++; // a run that ended before its run folder (crashed, killed) is a failed run, not the end of the count
    console.log(`run ${i}/${runs}: FAILED before any test: ${(e as Error).message}`);
    continue;
  }
  const failed = r.exitCode !== 0 || r.notPassed.length > 0;
  if (failed) failures++;
  const differs = first.length > 0 && r.timelineSha !== first[0].timelineSha;
  shas.add(r.timelineSha);
  console.log(
    `run ${i}/${runs}: exit ${r.exitCode}, ${r.verdicts.length} tests, ${r.notPassed.length} not passed, ` +
      `timeline ${r.timelineSha.slice(0, 12)}${differs ? ' (differs)' : ''}, ${r.wallS.toFixed(1)} s wall / ${r.cpuS.toFixed(1)} s CPU` +
      ` for ${r.clockS.toFixed(0)} s bench time (load ${r.load[0].toFixed(1)})`,
  );
  for (const t of r.notPassed) console.log(`  ${t}`);
  if (!first.length) first.push(r);
  else if (differs && !differing) differing = r;
  else if (!failed) rmSync(dirname(dirname(r.runDir)), { recursive: true, force: true });
}
const perRunS = Number(process.hrtime.bigint() - t0) / 1e9 / Math.max(1, runs);
console.log(`${runs} runs, ${failures} failures (${perRunS.toFixed(1)} s per run); first run kept in ${first[0]?.runDir}`);
console.log(`clean runs: ${runs - failures} of ${runs}`);
if (shas.size <= 1) console.log(`timelines byte-identical: yes (${runs} runs, sha256 ${first[0]?.timelineSha})`);
else {
  console.log(`timelines byte-identical: NO (${shas.size} distinct)`);
  const d = differing && firstDifference(first[0].runDir, differing.runDir);
  if (d)
    console.log(`first difference at line ${d.line} (kept in ${differing!.runDir}):\n  < ${d.a.slice(0, 400)}\n  > ${d.b.slice(0, 400)}`);
}
process.exitCode = failures > 0 || shas.size > 1 ? 1 : 0;
