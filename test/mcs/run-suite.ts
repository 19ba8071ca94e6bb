// Runs the mcs suite with the MCS resource kinds registered (until the lead wires them into
// benches/kinds.ts): `node --import tsx test/mcs/run-suite.ts [--bench FILE] [--fault NAME] [--grep RE]`.
// Used by the self-validation test (one child process per fault) and by hand.
import '../../benches/kinds/v2g-link.ts';
import '../../benches/kinds/emulated-ce-id.ts';
import '../../benches/emulator/power/emulated-battery-emulator.ts';
import '../../benches/emulator/mcs/kind.ts';
import '../../benches/kinds/iso15118-ev.ts';
import { join } from 'node:path';
import { BENCH_FAULTS } from '../../benches/emulator/bench-faults.ts';
import { faultCatalogue } from '../../benches/emulator/faults.ts';
import { MCS_FAULTS } from '../../benches/emulator/mcs/faults.ts';
import { runSuites } from '../../suites/support/runner.ts';

// Until benches/emulator/faults.ts gathers MCS_FAULTS, add them to the catalogue the runner validates against.
if (!faultCatalogue().some((f) => f.name === MCS_FAULTS[0].name)) (BENCH_FAULTS as unknown as unknown[]).push(...MCS_FAULTS);

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const here = new URL('.', import.meta.url).pathname;
const summary = await runSuites({
  bench: opt('--bench') ?? join(here, 'fixtures', 'mcs-veth.yaml'),
  suite: opt('--suite') ?? 'mcs/handshake.spec.ts',
  faults: opt('--fault') ? [opt('--fault')!] : [],
  grep: opt('--grep'),
  out: opt('--out'),
});
process.stdout.write(`RESULT ${JSON.stringify(summary.tests.map((t) => ({ id: t.testCaseId, state: t.state, error: t.error?.slice(0, 300) })))}\n`);
process.exit(summary.exitCode);
