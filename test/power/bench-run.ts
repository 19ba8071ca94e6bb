// A run of the harness on one of this folder's bench fixtures, into a fresh output folder: what the
// bench tests judge (its Allure results, and each not-passed test as '<requirement> <status>').
import { allureResults, label, mcsHil, onlyRunDir, tmp } from '../foundation/helpers.ts';

export function runOnBench(bench: string, suites: string[]) {
  const out = tmp('mcs-power-bench-');
  const run = mcsHil(['run', '--bench', `test/power/fixtures/${bench}`, '--suite', suites.join(','), '--out', out]);
  const dir = onlyRunDir(out);
  const results = allureResults(dir);
  const notPassed = results.filter((r) => r.status !== 'passed').map((r) => `${label(r, 'requirement')} ${r.status}`);
  /** The end of the run's output: the message of a failed expectation. */
  const tail = run.stdout.slice(-3000);
  return { dir, results, notPassed, tail };
}
