// Commands of the harness itself: run the suites, report a run, check a bench, list the faults, the bench
// schema. Each wires arguments to a function of its layer; exit codes are the ones bin/cli.ts documents.

import { UsageError } from '../drivers/core/errors.ts';
import { BENCH_OPTION, bundledFallback, commaList, opt, type CommandSpec } from './command-spec.ts';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`expected a positive number, got '${v}'`);
  return n;
}

function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`expected a number >= 0, got '${v}'`);
  return n;
}

/** `--ui [port]` and `--ui-host`: the live bench view (runner/live-view-server.ts). */
export const UI_OPTIONS = [
  opt('--ui [port]', 'serve the live bench view in the browser on this port (default 7415; 0: any free port)', { parse: port }),
  opt('--ui-host <host>', 'address the live view listens on (default 127.0.0.1; 0.0.0.0 for a lab network)'),
];

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`expected a TCP port 0-65535, got '${v}'`);
  return n;
}

/** The live-view settings of the options, or undefined without --ui. */
export function uiOf(o: { ui?: number | boolean; uiHost?: string }): { port?: number; host?: string } | undefined {
  if (o.ui === undefined && o.uiHost === undefined) return undefined;
  return { port: typeof o.ui === 'number' ? o.ui : undefined, host: o.uiHost };
}

const OUT_DEFAULT = 'default: out/ in the project inside the checkout, ./mcs-hil-reports elsewhere';

export const harnessCommands: CommandSpec[] = [
  {
    name: 'run',
    description: 'open a bench, run suites against the charger, write allure-results, JUnit XML and the timeline',
    options: [
      BENCH_OPTION,
      opt('--suite <name|glob>', 'suite folder under suites/ (comma-separated), or a glob of spec files; default: all'),
      opt('--grep <re>', 'only tests whose title matches'),
      opt('--id <ids>', 'only tests with these requirement ids (testCaseId), comma-separated', { parse: commaList }),
      opt('--fault <names>', 'emulator fault switches to turn on, comma-separated (see `mcs-hil faults`)', { parse: commaList }),
      opt('--out <dir>', `output folder (the run gets runs/<timestamp>/ in it; ${OUT_DEFAULT})`),
      opt('--clock-rate <x>', 'emulator benches: run time x times faster than the wall clock', { parse: positiveNumber }),
      opt('--report', 'generate the HTML report when the run ends'),
      opt('--quiet', 'print only tests that did not pass and the totals (CI)'),
      opt('--progress-every <s>', "a long test's progress line every s seconds (default 15; 0: none)", { parse: nonNegativeNumber }),
      ...UI_OPTIONS,
    ],
    action: async (_args, o) => {
      const { runSuites } = await import('../runner/runner.ts');
      const { bench, suite, grep, out, clockRate, quiet } = o;
      const progressIntervalMs = o.progressEvery === undefined ? undefined : o.progressEvery * 1000;
      const ui = uiOf(o);
      const summary = await runSuites({
        bench,
        suite,
        grep,
        ids: o.id,
        faults: o.fault ?? [],
        out,
        clockRate,
        quiet,
        progressIntervalMs,
        ui,
      });
      if (!o.report) return summary.exitCode;
      const { generateReport } = await import('../reports/generate.ts');
      const { recordExitCode } = await import('../runner/run-outcome.ts');
      try {
        const r = await generateReport({ runDir: summary.runDir, reportsDir: out });
        console.log(`report: ${r.htmlDir}/index.html (single file: ${r.singleFile})`);
        return summary.exitCode;
      } catch (e) {
        // The run's verdicts stand; a run that passed but has no report did not finish its job.
        console.error(`mcs-hil: report failed: ${(e as Error).message}`);
        return recordExitCode(summary.runDir, summary.exitCode === 0 ? 3 : summary.exitCode);
      }
    },
  },
  {
    name: 'report [runDir]',
    description:
      'generate the HTML report (and a single-file HTML) of a run; default: the newest run, with history from the previous report',
    options: [
      opt('--out <dir>', `output folder (${OUT_DEFAULT}; with --merge: merged/ in the default one)`),
      opt('--merge <runs...>', 'one report over runs of several benches: run folders, or folders holding them (CI artifacts)'),
    ],
    action: async ([runDir], o) => {
      if (o.merge) {
        const { mergeCommand } = await import('../reports/merge-command.ts');
        return mergeCommand([...(runDir ? [runDir] : []), ...(o.merge as string[])], o.out);
      }
      const { generateReport } = await import('../reports/generate.ts');
      const r = await generateReport({ runDir, reportsDir: o.out });
      console.log(`report: ${r.htmlDir}/index.html`);
      console.log(`title: ${r.name}`);
      console.log(`single file: ${r.singleFile}`);
      const { notRunOf, stoppedRunLines } = await import('../runner/run-outcome.ts');
      // An aborted or interrupted run's report must not read as complete.
      for (const line of stoppedRunLines(r.runDir)) console.log(line);
      // Tests that never started are in the report as skipped "not run" results: counted as not run here.
      const notRun = notRunOf(r.runDir);
      const { passed, failed, broken } = r.stats;
      const skipped = r.stats.skipped - notRun;
      console.log(
        `${passed} passed, ${failed + broken} failed${skipped ? `, ${skipped} skipped` : ''}${notRun ? `, ${notRun} not run` : ''}`,
      );
    },
  },
  {
    name: 'ui [run]',
    description: "replay a run's timeline in the live bench view (a run folder, a reports root, default: the newest run) until Ctrl-C",
    options: [
      opt('--port <port>', 'port of the live view (default 7415; 0: any free port)', { parse: port }),
      opt('--host <host>', 'address the live view listens on (default 127.0.0.1; 0.0.0.0 for a lab network)'),
      opt('--speed <x>', 'bench-clock seconds replayed per second (default 1; 0: at once)', { parse: nonNegativeNumber }),
    ],
    action: async ([run], o) => {
      const { replayRun } = await import('../runner/live-view-replay.ts');
      return replayRun({ run, speed: o.speed, port: o.port, host: o.host });
    },
  },
  {
    name: 'verify-report [htmlDir]',
    description: "open a generated report in headless Chromium and check it shows the run's totals, a test's steps and an attachment",
    options: [opt('--out <dir>', `output folder (default report: its newest one; ${OUT_DEFAULT})`)],
    action: async ([htmlDir], o) => {
      const { verifyReport } = await import('../reports/verify-report.ts');
      const v = await verifyReport({ htmlDir, reportsDir: o.out });
      for (const line of v.lines) console.log(line);
      return v.ok ? 0 : 1;
    },
  },
  {
    name: 'doctor',
    description: 'check Node, Java, Chromium, the bench file and each resource; print what to fix',
    options: [BENCH_OPTION, opt('--json', 'print one JSON document: ready, and each finding with its status and fix')],
    action: async (_args, o) => {
      const { doctor } = await import('../benches/doctor.ts');
      return (await doctor(o.bench, (l) => console.log(l), { json: !!o.json })) ? 0 : 1;
    },
  },
  {
    name: 'faults',
    description: 'list the emulator fault switches: name, what it does, the tests and checks expected to catch it',
    options: [
      opt('--json', 'print JSON instead of tab-separated lines'),
      opt('--unproven', 'list the checks a run made that no fault names (nothing printed when every check is proven)'),
      opt('--run <dir>', 'with --unproven: the run folder to read (default: the newest run)'),
      opt('--out <dir>', `output folder holding runs/ (${OUT_DEFAULT})`),
    ],
    action: async (_args, o) => {
      const { faultsCommand } = await import('./faults-command.ts');
      const r = faultsCommand(o);
      for (const l of r.lines) console.log(l);
      return r.exitCode;
    },
  },
  {
    name: 'schema',
    description: 'print the bench-file JSON Schema (benches/bench.schema.json is this output)',
    action: async () => {
      await import('../benches/kinds.ts');
      const { benchSchema } = await import('../benches/schema.ts');
      console.log(JSON.stringify(benchSchema(), null, 2));
    },
  },
  {
    name: 'validate <benchFile>',
    description: 'validate a bench file without opening anything; lists every problem (file:line:col) with did-you-mean for misspelt keys',
    options: [opt('--json', 'print one JSON document: valid, and each problem with its line, column and key')],
    action: async ([file], o) => {
      await import('../benches/kinds.ts');
      const { BenchFileError, formatProblem, loadBenchFile } = await import('../benches/load.ts');
      const path = bundledFallback(String(file));
      try {
        const b = loadBenchFile(path);
        const resources = Object.keys(b.resources).length;
        if (o.json) console.log(JSON.stringify({ file: b.file, valid: true, name: b.name, resources, problems: [] }, null, 2));
        else console.log(`${b.file}: valid bench '${b.name}' with ${resources} resources`);
        return 0;
      } catch (e) {
        if (!(e instanceof BenchFileError)) throw e;
        if (o.json) console.log(JSON.stringify({ file: e.file, valid: false, problems: e.problems }, null, 2));
        else for (const p of e.problems) console.error(`mcs-hil: ${formatProblem(e.file, p)}`);
        return 2;
      }
    },
  },
];
