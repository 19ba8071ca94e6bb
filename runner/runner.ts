// `mcs-hil run`: validate the bench, open it, run the suites with mocha (serial, no retries, forbid-only)
// into allure-results + JUnit XML + the streaming timeline, and close the bench through the safe-state
// path on every exit path — normal end, failure, SIGINT/SIGTERM, uncaught error.

import Mocha from 'mocha';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench } from '../benches/bench.ts';
import '../benches/kinds.ts';
import { SafeStateFailed } from '../benches/safe-state.ts';
import { loadBenchFile, DEFAULT_BENCH } from '../benches/load.ts';
import { makeClock, openBench } from '../benches/open.ts';
import { faultCatalogue } from '../emulator/faults.ts';
import { RunInterrupted, UsageError } from '../drivers/core/errors.ts';
import { loadedLimitProfiles } from '../drivers/core/limits.ts';
import { Timeline } from '../drivers/core/timeline.ts';
import { AllureMochaReporter, reporterOptions } from '../reports/mocha-reporter.ts';
import { environmentInfo } from '../reports/run-metadata.ts';
import { loadPlotting } from '../reports/plots.ts';
import { defaultOutDir, newRunDir } from '../reports/run-folders.ts';
import { resolveSuiteFiles } from './suite-files.ts';
import { selectTests, type PlannedTest } from './select-tests.ts';
import { watchProgress } from './progress.ts';
import { startLiveView } from './live-view-server.ts';
import { writeNotRunResults } from '../reports/not-run-results.ts';
import { vehicleCanSources } from '../benches/vehicle-can.ts';
import { CandumpRecorder } from '../drivers/can/candump-recorder.ts';
import { harnessLatencyOfRun, type RunHarnessLatency } from './harness-latency-env.ts';
import { plotsOffMainThread } from '../reports/plot-thread.ts';
import { realtimeMainThread } from '../drivers/core/realtime-thread.ts';
import { setRunContext, type RunAborted, type RunContext } from './run-context.ts';
import { exitCodeOf, notRunLine, printWaits } from './run-outcome.ts';

export interface RunOptions {
  bench?: string;
  suite?: string;
  grep?: string;
  /** Requirement ids (testCaseId): only the tests declaring one of them run. */
  ids?: string[];
  faults?: string[];
  /** Reports folder; the run gets its own subfolder runs/<timestamp>/ there. */
  out?: string;
  /** Overrides the bench's clock rate (emulator benches only). */
  clockRate?: number;
  /** Per-test timeout in ms. */
  timeoutMs?: number;
  /** Where progress goes (tests pass a sink). */
  log?: (line: string) => void;
  /** Only the lines of tests that did not pass, and the totals (CI). */
  quiet?: boolean;
  /** Wall-clock period of a long test's "still running" line (runner/progress.ts); 0: none. */
  progressIntervalMs?: number;
  /** Serve the live bench view (runner/live-view-server.ts) while the run lasts. */
  ui?: { port?: number; host?: string };
}

export interface RunSummary {
  runDir: string;
  passed: number;
  failed: number;
  skipped: number;
  broken: number;
  interrupted?: string;
  /** Set when a safe state failed: which resource, which step, after which test. */
  aborted?: RunAborted;
  /** The bench could not be opened: no test ran. */
  benchFault?: string;
  /** Tests the run selected, and how many of them never ran (interrupted or aborted runs). */
  total: number;
  notRun: number;
  /** The process's exit code (README: 0 passed, 1 charger failure, 2 usage, 3 bench fault/aborted, 130 interrupted). */
  exitCode: number;
  /** The harness's own latency over the run (runner/harness-latency-env.ts): every timing verdict carries it. */
  harnessLatency?: RunHarnessLatency;
  tests: { title: string; testCaseId?: string; state: 'passed' | 'failed' | 'skipped'; error?: string }[];
}

export async function runSuites(opts: RunOptions): Promise<RunSummary> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const config = loadBenchFile(opts.bench ?? DEFAULT_BENCH); // throws BenchFileError before anything opens
  const faults = validateFaults(opts.faults ?? [], config.resources);
  if (opts.clockRate !== undefined) {
    const physical = Object.entries(config.resources)
      .filter(([, r]) => isPhysical(r))
      .map(([n]) => n);
    if (physical.length)
      throw new UsageError(
        `--clock-rate only applies to emulator benches; this one has physical resources (${physical.join(', ')}) that run in real time`,
      );
    config.clock = { kind: 'real', rate: opts.clockRate };
  }
  const files = resolveSuiteFiles(opts.suite);
  if (files.length === 0) throw new UsageError(`no suite matches '${opts.suite}' (suites live in suites/<name>/*.spec.ts)`);
  // The tests are chosen before anything opens: a selection that matches nothing is a usage error, not a run.
  const mocha = new Mocha({
    retries: 0,
    forbidOnly: true,
    timeout: opts.timeoutMs ?? 180_000,
    rootHooks: (await import('./hooks.ts')).mochaHooks,
  });
  const { planned, unknownIds } = await selectTests(mocha, files, { grep: opts.grep, ids: opts.ids });
  // On virtual time every wait must be one the clock can see: the plot modules load now, not inside a test.
  if (config.clock.kind === 'virtual') await loadPlotting();
  if (unknownIds.length) log(`mcs-hil run: no test in the chosen suites declares ${unknownIds.map((i) => `'${i}'`).join(', ')}`);

  // Before the run folder: a port already taken is a usage error that leaves nothing behind.
  const liveView = opts.ui ? await startLiveView({ ...opts.ui, total: planned.length }) : undefined;
  const runDir = newRunDir(opts.out ?? defaultOutDir());
  const resultsDir = join(runDir, 'allure-results');
  mkdirSync(resultsDir, { recursive: true });
  const clock = makeClock(config, faults);
  const timeline = new Timeline({ clock, file: join(runDir, 'timeline.jsonl') });
  liveView?.follow(timeline);
  if (liveView) log(`mcs-hil run: live view at ${liveView.url}`);
  timeline.record('run', 'runner', {
    event: 'start',
    bench: config.file,
    suite: opts.suite ?? '(all)',
    grep: opts.grep,
    ids: opts.ids,
    faults,
    files,
    tests: planned.length,
  });
  log(
    `mcs-hil run: bench ${config.name} (${config.file}), ${planned.length} test(s) in ${files.length} spec file(s), run folder ${runDir}`,
  );

  const summary: RunSummary = {
    runDir,
    passed: 0,
    failed: 0,
    skipped: 0,
    broken: 0,
    total: planned.length,
    notRun: 0,
    exitCode: 1,
    tests: [],
  };
  let bench: Bench | undefined;
  const ctx: RunContext = { bench: undefined as unknown as Bench };
  const envInfo = environmentInfo(config, faults);
  let mochaRunner: Mocha.Runner | undefined;
  let canRecorder: CandumpRecorder | undefined;
  // Ctrl-C / SIGTERM end every wait at once, also one inside bench open (a link held by another run).
  const interrupt = new AbortController();
  const stopPrintingWaits = printWaits(timeline, log);
  ctx.onAbort = () => {
    summary.aborted = ctx.aborted;
    mochaRunner?.abort();
  };

  // Every exit path flushes the timeline; signals also stop the in-flight test as broken.
  const onExit = () => timeline.close();
  process.on('exit', onExit);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    timeline.record('run', 'runner', { event: 'signal', signal: sig });
    timeline.flush();
    if (signals > 1) {
      log(`mcs-hil run: second ${sig}, leaving now (timeline flushed to ${runDir})`);
      process.exit(130);
    }
    log(`mcs-hil run: ${sig} — stopping after the bench reaches its safe state (press again to leave at once)`);
    ctx.interrupted = sig;
    summary.interrupted = sig;
    interrupt.abort(new RunInterrupted(sig));
    mochaRunner?.abort();
    const r = mochaRunner?.currentRunnable as (Mocha.Runnable & { callback?: (e: unknown) => void }) | undefined;
    if (r?.callback && r.state === undefined) {
      r.callback(new RunInterrupted(sig));
      r.timedOut = true; // the test body may still settle later: mocha must not count it twice
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const onUncaught = (e: unknown) => {
    timeline.record('run', 'runner', { event: 'uncaught', error: String((e as Error)?.stack ?? e) });
    timeline.flush();
  };
  process.on('uncaughtExceptionMonitor', onUncaught);

  try {
    try {
      bench = await openBench({ config, runDir, faults, timeline, clock, signal: interrupt.signal });
    } catch (e) {
      if (!summary.interrupted) {
        log(`mcs-hil run: bench fault: ${(e as Error).message}`);
        summary.benchFault = (e as Error).message;
        throw e;
      }
      log(`mcs-hil run: interrupted by ${summary.interrupted} while the bench was opening`);
    }
    if (bench && !summary.interrupted) {
      // SCHED_FIFO for the tests' main thread: default on a lab bench, opt-in with emulation here (realtime-thread.ts).
      const rt = realtimeMainThread({
        realClock: !clock.description.startsWith('virtual'),
        emulatedInProcess: Object.values(config.resources).some((r) => r.kind.startsWith('emulated-')),
      });
      envInfo['harness.mainThread'] = rt.note;
      // Plots render off the main thread on a real-time bench (reports/plot-thread.ts says why not on virtual time).
      plotsOffMainThread(!clock.description.startsWith('virtual'));
      await runMocha(bench).finally(() => (rt.restore(), plotsOffMainThread(false)));
    }
  } finally {
    const final = bench ? await bench.close(summary.interrupted ? `interrupted by ${summary.interrupted}` : 'run finished') : undefined;
    if (bench) {
      const latency = harnessLatencyOfRun(bench.resources.values(), clock);
      Object.assign(envInfo, latency.env);
      summary.harnessLatency = latency.summary;
    }
    // The last safe state failing leaves the bench unsafe for whatever runs next on it: also an abort.
    if (final && !final.ok && !summary.aborted) summary.aborted = closeAbort(final.failure!, timeline);
    canRecorder?.stop();
    stopPrintingWaits();
    setRunContext(undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtExceptionMonitor', onUncaught);
    summary.total = Math.max(summary.total, summary.passed + summary.failed + summary.skipped);
    summary.notRun = summary.total - summary.passed - summary.failed - summary.skipped;
    summary.exitCode = exitCodeOf(summary);
    // Tests that never started are in the report too, as skipped "not run" cases: its totals must not read as complete.
    if (summary.notRun > 0) writeNotRunResults(resultsDir, notRunTests(planned, summary), notRunLine(summary));
    writeSummary(summary, timeline);
    await liveView?.close();
    timeline.close();
    process.off('exit', onExit);
  }
  if (summary.aborted) {
    log(`mcs-hil run: ABORTED — ${summary.aborted.message}`);
    envInfo['run.aborted'] = summary.aborted.message;
  }
  if (summary.interrupted) envInfo['run.interrupted'] = `by ${summary.interrupted}`;
  if (summary.notRun) log(`mcs-hil run: ${notRunLine(summary)}`);
  if (summary.aborted || summary.interrupted) envInfo['run.not run'] = notRunLine(summary);
  // environment.properties was written by the reporter at its end; rewrite it with the reported identity.
  writeEnvironment(resultsDir, envInfo);
  log(totalsLine(summary));
  return summary;

  async function runMocha(bench: Bench): Promise<void> {
    ctx.bench = bench;
    setRunContext(ctx);
    // The run's whole CAN traffic as the vehicle saw it, as a candump log beside the timeline.
    const canSources = vehicleCanSources(bench);
    if (canSources.length) canRecorder = new CandumpRecorder({ timeline, file: join(runDir, 'can.log'), sources: canSources }).start();

    mocha.reporter(
      AllureMochaReporter as unknown as string,
      reporterOptions({ resultsDir, junitFile: join(runDir, 'junit.xml'), environmentInfo: envInfo }),
    );
    const idOf = new Map(planned.map((p) => [p.title, p.testCaseId]));

    let stopProgress = () => {};
    await new Promise<void>((resolve) => {
      mochaRunner = mocha.run(() => resolve());
      stopProgress = watchProgress(mochaRunner, {
        log,
        timeline,
        total: planned.length,
        quiet: opts.quiet,
        intervalMs: opts.progressIntervalMs,
      });
      mochaRunner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (t) => {
        summary.passed++;
        summary.tests.push({ title: t.fullTitle(), testCaseId: idOf.get(t.fullTitle()), state: 'passed' });
      });
      mochaRunner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (t, err: Error) => {
        // The safe state after a test failed: that is the run's abort, not a verdict on a test.
        if (err instanceof SafeStateFailed) return;
        summary.failed++;
        if (!/assert/i.test(err?.name ?? '')) summary.broken++;
        summary.tests.push({ title: t.fullTitle(), testCaseId: idOf.get(t.fullTitle()), state: 'failed', error: err?.message });
      });
      mochaRunner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (t) => {
        summary.skipped++;
        summary.tests.push({ title: t.fullTitle(), testCaseId: idOf.get(t.fullTitle()), state: 'skipped' });
      });
    });
    stopProgress();
    // The charger's identity as the resources report it (after the sessions ran).
    for (const r of bench.resources.values()) for (const [k, v] of Object.entries(safeIdentity(r))) envInfo[`${r.name}.${k}`] = v;
    // Suites and sessions load their standard's profile too: list every one the verdicts came from.
    for (const p of loadedLimitProfiles()) envInfo[`limits.used.${p.profile}`] = `${p.title} (sha256 ${p.hash.slice(0, 16)}…)`;
  }
}

/** `N passed, N failed` (broken counts as failed), with skipped and never-run tests when there are any. */
function totalsLine(s: RunSummary): string {
  return `${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}${s.notRun ? `, ${s.notRun} not run` : ''}`;
}

/** The planned tests with no verdict: they never started. */
function notRunTests(planned: PlannedTest[], s: RunSummary): PlannedTest[] {
  const done = new Set(s.tests.map((t) => t.title));
  return planned.filter((p) => !done.has(p.title));
}

/** The final safe state (bench close) failed: recorded like an abort between tests. */
function closeAbort(f: { resource: string; title: string; error?: string }, timeline: Timeline): RunAborted {
  const message = `safe state not reached at the end of the run: resource '${f.resource}', step '${f.title}': ${f.error}`;
  timeline.record('run', 'runner', { event: 'aborted', afterTest: '(end of run)', resource: f.resource, step: f.title, error: f.error });
  return { afterTest: '(end of run)', resource: f.resource, step: f.title, error: f.error ?? 'failed', message };
}

/** Hardware, or a link to hardware: it runs in real time and has no fault switches. */
function isPhysical(r: { kind: string } & Record<string, unknown>): boolean {
  // A SCPI resource served by an emulated instrument of the same bench (`emulated:`) runs on the bench clock.
  return (
    r.kind === 'ethernet-link' ||
    r.kind === 'plc-modem' ||
    r.kind === 'socketcan' ||
    (r.kind.startsWith('scpi-') && !r.emulated) ||
    (r.kind === 'socketcand' && !r.hub)
  );
}

function validateFaults(faults: string[], resources: Record<string, { kind: string }>): string[] {
  const known = new Map(faultCatalogue().map((f) => [f.name, f]));
  for (const f of faults) {
    if (!known.has(f)) throw new UsageError(`unknown fault '${f}' (see \`mcs-hil faults\`)`);
  }
  if (faults.length && !Object.values(resources).some((r) => r.kind.startsWith('emulated-')))
    throw new UsageError('--fault needs a bench with emulated resources (a real charger has no fault switches)');
  return faults;
}

function safeIdentity(r: { identity?: () => Record<string, string> }): Record<string, string> {
  try {
    return r.identity?.() ?? {};
  } catch {
    return {};
  }
}

function writeSummary(summary: RunSummary, timeline: Timeline): void {
  try {
    writeFileSync(join(summary.runDir, 'summary.json'), JSON.stringify(summary, null, 2));
    timeline.record('run', 'runner', {
      event: 'end',
      passed: summary.passed,
      failed: summary.failed,
      skipped: summary.skipped,
      notRun: summary.notRun,
      interrupted: summary.interrupted,
      aborted: summary.aborted?.message,
      exitCode: summary.exitCode,
    });
  } catch {
    /* the run folder may be gone; the console summary still prints */
  }
}

function writeEnvironment(resultsDir: string, env: Record<string, string>): void {
  const esc = (s: string) =>
    s
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/([=:])/g, '\\$1');
  writeFileSync(
    join(resultsDir, 'environment.properties'),
    Object.entries(env)
      .map(([k, v]) => `${esc(k)}=${esc(v)}`)
      .join('\n') + '\n',
  );
}
