// mcs-hil command line: parses arguments and calls into the layers. Exit codes (README, runner/run-outcome.ts):
//   0   all passed
//   1   a charger failure: an assertion failed (a product non-conformance)
//   2   usage or bad input (argument, bench file, frame, stream)
//   3   bench fault or aborted run: broken tests and no failed one, a bench that could not open, a safe state
//       that failed (the run stops), or a harness error — the charger was not judged
//   130 interrupted (Ctrl-C, SIGTERM)
// `run` writes the same code into summary.json, with how many tests did not run.

import { Command, CommanderError } from 'commander';
import { BenchFault, InputError, UsageError } from '../drivers/core/errors.ts';
import { harnessVersion } from '../reports/run-metadata.ts';

const program = new Command();
program
  .name('mcs-hil')
  .description('Hardware-in-the-loop test harness for high-power DC chargers: plays the vehicle, judges the charger, writes Allure evidence.')
  .version(harnessVersion())
  .showHelpAfterError()
  .exitOverride();

program
  .command('run')
  .description('open a bench, run suites against the charger, write allure-results, JUnit XML and the timeline')
  .option('--bench <file>', 'bench file', 'benches/emulator.yaml')
  .option('--suite <name|glob>', 'suite folder under suites/ (comma-separated), or a glob of spec files; default: all')
  .option('--grep <re>', 'only tests whose title matches')
  .option('--fault <names>', 'emulator fault switches to turn on, comma-separated (see `mcs-hil faults`)')
  .option('--out <dir>', 'output folder (the run gets runs/<timestamp>/ in it; default: out/ in the project)')
  .option('--clock-rate <x>', 'emulator benches: run time x times faster than the wall clock', parseNumber)
  .option('--report', 'generate the HTML report when the run ends')
  .action(async (o) => {
    const { runSuites } = await import('../runner/runner.ts');
    const summary = await runSuites({
      bench: o.bench,
      suite: o.suite,
      grep: o.grep,
      faults: o.fault ? String(o.fault).split(',').map((s: string) => s.trim()).filter(Boolean) : [],
      out: o.out,
      clockRate: o.clockRate,
    });
    if (o.report) {
      const { generateReport } = await import('../reports/generate.ts');
      const r = await generateReport({ runDir: summary.runDir, reportsDir: o.out });
      console.log(`report: ${r.htmlDir}/index.html (single file: ${r.singleFile})`);
    }
    process.exitCode = summary.exitCode;
  });

program
  .command('report [runDir]')
  .description('generate the HTML report (and a single-file HTML) of a run; default: the newest run, with history from the previous report')
  .option('--out <dir>', 'output folder (default: out/ in the project)')
  .action(async (runDir: string | undefined, o) => {
    const { generateReport } = await import('../reports/generate.ts');
    const r = await generateReport({ runDir, reportsDir: o.out });
    console.log(`report: ${r.htmlDir}/index.html`);
    console.log(`single file: ${r.singleFile}`);
    const { stoppedRunLines } = await import('../runner/run-outcome.ts');
    // An aborted or interrupted run's report must not read as complete.
    for (const line of stoppedRunLines(r.runDir)) console.log(line);
    console.log(`${r.stats.passed} passed, ${r.stats.failed + r.stats.broken} failed${r.stats.skipped ? `, ${r.stats.skipped} skipped` : ''}`);
  });

program
  .command('verify-report [htmlDir]')
  .description("open a generated report in headless Chromium and check it shows the run's totals, a test's steps and an attachment")
  .option('--out <dir>', 'output folder (default report: its newest one; default: out/ in the project)')
  .action(async (htmlDir: string | undefined, o) => {
    const { verifyReport } = await import('../reports/verify-report.ts');
    const v = await verifyReport({ htmlDir, reportsDir: o.out });
    for (const line of v.lines) console.log(line);
    process.exitCode = v.ok ? 0 : 1;
  });

program
  .command('doctor')
  .description('check Node, Java, Chromium, the bench file and each resource; print what to fix')
  .option('--bench <file>', 'bench file', 'benches/emulator.yaml')
  .action(async (o) => {
    const { doctor } = await import('../benches/doctor.ts');
    const ok = await doctor(o.bench, (l) => console.log(l));
    process.exitCode = ok ? 0 : 1;
  });

program
  .command('faults')
  .description('list the emulator fault switches: name, what it does, the tests and checks expected to catch it')
  .option('--json', 'print JSON instead of tab-separated lines')
  .option('--unproven', "list the checks a run made that no fault names (nothing printed when every check is proven)")
  .option('--run <dir>', 'with --unproven: the run folder to read (default: the newest run)')
  .option('--out <dir>', 'output folder holding runs/ (default: out/ in the project)')
  .action(async (o) => {
    const { faultsCommand } = await import('./faults-command.ts');
    const r = faultsCommand(o);
    for (const l of r.lines) console.log(l);
    process.exitCode = r.exitCode;
  });

program
  .command('schema')
  .description('print the bench-file JSON Schema (benches/bench.schema.json is this output)')
  .action(async () => {
    await import('../benches/kinds.ts');
    const { benchSchema } = await import('../benches/schema.ts');
    console.log(JSON.stringify(benchSchema(), null, 2));
  });

program
  .command('validate <benchFile>')
  .description('validate a bench file without opening anything')
  .action(async (file: string) => {
    await import('../benches/kinds.ts');
    const { loadBenchFile } = await import('../benches/load.ts');
    const b = loadBenchFile(file);
    console.log(`${b.file}: valid bench '${b.name}' with ${Object.keys(b.resources).length} resources`);
  });

await registerAreaCommands(program);

function parseNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`expected a positive number, got '${v}'`);
  return n;
}

/** Commands of the protocol areas (EXI, CAN, traces, emulator), each in its own file. */
async function registerAreaCommands(p: Command): Promise<void> {
  const { areaCommands } = await import('./area-commands.ts');
  areaCommands(p);
}

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
