// mcs-hil command line: parses arguments and calls into the layers. Exit codes (README, runner/run-outcome.ts):
//   0   all passed
//   1   a charger failure: an assertion failed (a product non-conformance)
//   2   usage or bad input (argument, bench file, frame, stream)
//   3   bench fault or aborted run: broken tests and no failed one, a bench that could not open, a safe state
//       that failed (the run stops), or a harness error — the charger was not judged
//   130 interrupted (Ctrl-C, SIGTERM)
// `run` writes the same code into summary.json, with how many tests did not run. The commands themselves are
// specs in bin/harness-commands.ts and bin/area-commands.ts.

import { Command, CommanderError } from 'commander';
import { BenchFault, InputError } from '../drivers/core/errors.ts';
import { harnessVersion } from '../reports/run-metadata.ts';
import { areaCommands } from './area-commands.ts';
import { dossierCommands } from './dossier-commands.ts';
import { registerCommands } from './command-spec.ts';
import { harnessCommands } from './harness-commands.ts';

const program = new Command();
program
  .name('mcs-hil')
  .description(
    'Hardware-in-the-loop test harness for high-power DC chargers: plays the vehicle, judges the charger, writes Allure evidence.',
  )
  .version(harnessVersion())
  .showHelpAfterError()
  .exitOverride();

registerCommands(program, [...harnessCommands, ...areaCommands, ...dossierCommands]);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof InputError) {
    console.error(`mcs-hil: ${e.message}`);
    process.exitCode = 2;
  } else if (e instanceof BenchFault) {
    console.error(`mcs-hil: bench fault: ${e.message}`);
    process.exitCode = 3;
  } else {
    console.error(e);
    process.exitCode = 3; // the harness itself failed: no verdict on the charger
  }
}

// Leave now: a test may have left timers or sockets behind, and nothing must keep a finished run alive.
// Wait until stdout/stderr have drained into their pipes first.
await new Promise<void>((r) => process.stdout.write('', () => r()));
await new Promise<void>((r) => process.stderr.write('', () => r()));
process.exit(process.exitCode ?? 0);
