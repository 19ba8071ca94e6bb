// Runs the MCS ramp and safety suites with the resource kinds they need registered (until the lead wires
// them into benches/kinds.ts): `node --import tsx test/power/run-power-suites.ts [--bench FILE]
// [--fault NAME] [--grep RE] [--suite GLOB]`. Used by the power self-validation test and by hand.
import '../../benches/kinds/emulated-ce-id.ts';
import '../../benches/emulator/power/emulated-battery-emulator.ts';
import '../../benches/kinds/scpi-battery-emulator.ts';
import '../../benches/emulator/mcs/kind.ts';
import '../../benches/kinds/iso15118-ev.ts';
import { join } from 'node:path';
import { BENCH_FAULTS } from '../../benches/emulator/bench-faults.ts';
import { faultCatalogue } from '../../benches/emulator/faults.ts';
import { POWER_FAULTS } from '../../benches/emulator/power/faults.ts';
import { runSuites } from '../../suites/support/runner.ts';

// Until benches/emulator/faults.ts gathers POWER_FAULTS, add them to the catalogue the runner validates against.
for (const f of POWER_FAULTS) if (!faultCatalogue().some((x) => x.name === f.name)) (BENCH_FAULTS as unknown as unknown[]).push(f);

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const here = new URL('.', import.meta.url).pathname;
const summary = await runSuites({
  bench: opt('--bench') ?? join(here, 'fixtures', 'mcs-power.yaml'),
  suite: opt('--suite') ?? 'suites/mcs/current-ramp.spec.ts,suites/mcs/safety.spec.ts',
  faults: opt('--fault') ? opt('--fault')!.split(',') : [],
  grep: opt('--grep'),
  out: opt('--out'),
});
process.stdout.write(`RESULT ${JSON.stringify(summary.tests.map((t) => ({ id: t.testCaseId, state: t.state, error: t.error?.slice(0, 400) })))}\n`);
process.exit(summary.exitCode);
