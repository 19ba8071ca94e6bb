// `mcs-hil faults`: the emulator fault catalogue (a header line, then one switch per line, or --json),
// and `--unproven`: the checks a run made that no fault names — each one a verdict self-validation has
// never seen fail, so nothing proves the harness would catch a charger that gets it wrong.

import { join } from 'node:path';
import { InputError } from '../drivers/core/errors.ts';
import { faultsNaming } from '../emulator/fault-catalogue.ts';
import { faultCatalogue } from '../emulator/faults.ts';
import { checkNames, checksOfRun } from '../reports/run-checks.ts';
import { defaultOutDir, latestRunDir } from '../reports/run-folders.ts';

export interface FaultsOptions {
  json?: boolean;
  unproven?: boolean;
  /** The run whose checks --unproven reads (default: the newest under `out`). */
  run?: string;
  out?: string;
}

/** The lines to print and the exit code (1 when --unproven found a check no fault proves). */
export function faultsCommand(o: FaultsOptions): { lines: string[]; exitCode: number } {
  const catalogue = faultCatalogue();
  if (!o.unproven) {
    if (o.json) return { lines: [JSON.stringify(catalogue, null, 2)], exitCode: 0 };
    const header = 'fault\twhat the emulator does wrong\tcaught by (category, suite)\tchecks that must fail';
    const rows = catalogue.map((f) => {
      const caught = `caught by: ${f.catches.join(', ')} (${f.category}, suite ${f.suite})`;
      return `${f.name}\t${f.description}\t${caught}\tchecks: ${f.checks.join('; ') || '—'}`;
    });
    return { lines: [header, ...rows], exitCode: 0 };
  }
  const outDir = o.out ?? defaultOutDir();
  const runDir = o.run ?? latestRunDir(outDir);
  if (!runDir) throw new InputError(`no run in ${join(outDir, 'runs')}: run the suites first ('mcs-hil run'), or name one with --run DIR`);
  const tests = checksOfRun(runDir);
  const unproven = checkNames(tests)
    .filter((name) => faultsNaming(catalogue, name).length === 0)
    .map((name) => ({
      check: name,
      tests: tests
        .filter((t) => t.checks.some((c) => c.name === name))
        .map((t) => t.id)
        .sort(),
    }));
  const lines = o.json ? [JSON.stringify(unproven, null, 2)] : unproven.map((u) => `${u.check}\tmade by: ${u.tests.join(', ')}`);
  return { lines, exitCode: unproven.length ? 1 : 0 };
}
