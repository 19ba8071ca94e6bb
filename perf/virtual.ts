// Virtual time against real time, measured side by side in one run of this script:
//   node --import tsx perf/virtual.ts [--suite all|SUITES] [--loops N]
// 1. the start-up every run pays before its first test (process, modules, bench file, spec files);
// 2. the same suites (default: every suite) on the real-time emulator bench and on the virtual-time one, each in
//    its own process: wall and CPU seconds, the bench time each covered, and the ratios side by side —
//    bench time per wall second and per CPU second (what a loaded host does not inflate), and the real run's wall
//    time over the virtual run's wall and CPU time; then the same for the tests both benches ran (a real-time
//    bench skips the sessions too long for it, the virtual one the tests that need a real network), from each
//    test's own time, and whether the verdicts of those tests are identical;
// 3. N clean runs of every suite on the virtual bench (perf/virtual-repeat.ts does this with more detail).
// The host's load average is printed beside each figure: a wall-time ratio only means something with it.
// Prints figures, asserts nothing (perf/ is not the test run).
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { runSuites, startupCost, type SuiteRun } from './virtual-run.ts';

const VIRTUAL = 'benches/emulator-virtual.yaml';
const REAL = 'benches/emulator.yaml';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const suite = arg('--suite', arg('--real-suite', 'all'));
const loops = Number(arg('--loops', '0'));
const selection = suite === 'all' ? undefined : suite;

const f1 = (x: number) => x.toFixed(1);
const load = (r: SuiteRun) => `load ${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}`;

const startV = startupCost(VIRTUAL);
console.log(`start-up before the first test (virtual bench): ${f1(startV.wallS)} s wall, ${f1(startV.cpuS)} s CPU`);

const v = runSuites(VIRTUAL, selection);
const r = runSuites(REAL, selection);
console.log(`side by side (${selection ?? 'every suite'}), whole runs:`);
console.log('  bench          wall s    CPU s  bench s  bench s per wall s  per CPU s  tests  exit');
for (const [name, x] of [
  ['real-time', r],
  ['virtual', v],
] as const)
  console.log(
    `  ${name.padEnd(12)} ${f1(x.wallS).padStart(7)} ${f1(x.cpuS).padStart(8)} ${f1(x.clockS).padStart(8)}` +
      ` ${f1(x.clockS / x.wallS).padStart(18)}x ${f1(x.clockS / x.cpuS).padStart(9)}x ${String(x.verdicts.length).padStart(6)}` +
      ` ${String(x.exitCode).padStart(5)}  (${load(x)})`,
  );
console.log(
  `  speed-up: the real-time run's wall time over the virtual run's wall time ${f1(r.wallS / v.wallS)}x,` +
    ` over its CPU time ${f1(r.wallS / v.cpuS)}x`,
);

// The tests both benches ran to a verdict: each test's own time (JUnit), without the start-up and the per-test evidence.
const ran = (x: SuiteRun) => new Map(x.verdicts.filter((t) => !t.startsWith('skipped ')).map((t) => [t.slice(t.indexOf(' ') + 1), t]));
const rv = ran(v);
const rr = ran(r);
const both = [...rv.keys()].filter((t) => rr.has(t));
const sum = (x: SuiteRun) => both.reduce((s, t) => s + (x.testWallS.get(t) ?? Number.NaN), 0);
const differ = both.filter((t) => rv.get(t) !== rr.get(t));
console.log(
  `  the ${both.length} tests both ran: real time ${f1(sum(r))} s, virtual ${f1(sum(v))} s of test time:` +
    ` speed-up ${f1(sum(r) / sum(v))}x; verdicts ${differ.length ? `DIFFER in ${differ.length}` : 'identical'}`,
);
for (const t of differ) console.log(`    real: ${rr.get(t)}  /  virtual: ${rv.get(t)}`);
for (const x of [v, r]) rmSync(dirname(dirname(x.runDir)), { recursive: true, force: true }); // ~400 MB a virtual run
console.log(
  `  only on the virtual bench: ${rv.size - both.length} test(s); only on the real-time bench: ${rr.size - both.length}` +
    ` (skipped on the other)`,
);

if (loops > 0) {
  let failures = 0;
  const shas = new Set<string>();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < loops; i++) {
    const x = runSuites(VIRTUAL, undefined);
    if (x.exitCode !== 0) failures++;
    shas.add(x.timelineSha);
    rmSync(dirname(dirname(x.runDir)), { recursive: true, force: true });
  }
  const perRunS = Number(process.hrtime.bigint() - t0) / 1e9 / loops;
  console.log(
    `${loops} clean runs of every suite on the virtual bench: ${failures} failed,` +
      ` ${shas.size} distinct timeline(s), ${f1(perRunS)} s per run`,
  );
}
