// Virtual time against real time, measured side by side in one run, and the stability of the virtual bench:
//   node --import tsx perf/virtual.ts [--real-suite gbt27930|all|SUITES] [--loops 20]
// 1. every suite on the virtual-time emulator bench: wall time, the virtual time it covered, their ratio;
// 2. the same selection on both benches (default the GB/T suite, whose timers and timeouts make it the
//    longest in real time for its size; `--real-suite all` runs every suite in real time, 8–9 minutes): the
//    speed-up as the real run's wall time over the virtual run's, and whether the verdicts are identical;
//    beside it the same ratio against the virtual run's CPU time, which a loaded host does not inflate;
// 3. N clean runs of every suite on the virtual bench: how many of them did not pass, and whether their
//    timelines were all byte-identical.
// Prints figures, asserts nothing (perf/ is not the test run).
import { runSuites } from './virtual-run.ts';

const VIRTUAL = 'benches/emulator-virtual.yaml';
const REAL = 'benches/emulator.yaml';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const realSuite = arg('--real-suite', 'gbt27930');
const loops = Number(arg('--loops', '20'));
const run = runSuites;

const f1 = (x: number) => x.toFixed(1);
const all = run(VIRTUAL, undefined);
console.log(
  `every suite, virtual bench: ${f1(all.wallS)} s wall (${f1(all.cpuS)} s CPU) for ${f1(all.clockS)} s of bench time` +
    ` (${f1(all.clockS / all.wallS)}x), exit ${all.exitCode}, ${all.verdicts.length} tests`,
);

const selection = realSuite === 'all' ? undefined : realSuite;
const v = selection ? run(VIRTUAL, selection) : all;
const r = run(REAL, selection);
const same = JSON.stringify(v.verdicts) === JSON.stringify(r.verdicts);
console.log(
  `side by side (${selection ?? 'every suite'}): real time ${f1(r.wallS)} s, virtual ${f1(v.wallS)} s: speed-up ${f1(r.wallS / v.wallS)}x` +
    ` (against its ${f1(v.cpuS)} s of CPU: ${f1(r.wallS / v.cpuS)}x);` +
    ` verdicts ${same ? 'identical' : 'DIFFER'} (${v.verdicts.length} tests)`,
);
if (!same) for (const x of v.verdicts.filter((t) => !r.verdicts.includes(t))) console.log(`  virtual only: ${x}`);

let failures = 0;
const shas = new Set<string>();
const t0 = process.hrtime.bigint();
for (let i = 0; i < loops; i++) {
  const x = run(VIRTUAL, undefined);
  if (x.exitCode !== 0) failures++;
  shas.add(x.timelineSha);
}
const perRunS = Number(process.hrtime.bigint() - t0) / 1e9 / Math.max(1, loops);
console.log(
  `${loops} clean runs of every suite on the virtual bench: ${failures} failed, ${shas.size} distinct timeline(s), ${f1(perRunS)} s per run`,
);
