// Does each fault fail ONLY the tests the catalogue lists for it? The self-validation
// (test/self-validation/faults.test.ts) runs, under a fault, only its listed tests and proves those fail; a
// fault that also fails or breaks another test of its port goes unseen there. This long job (not a test: a
// run of a whole suite per fault) runs the WHOLE suite of each fault's port under the fault on the
// virtual-time bench, with the self-validation's own runner, and compares the tests that did not pass with
// the catalogue's list. It prints one line per fault (ok / also fails: … / does not fail: …) and exits 1 on
// any mismatch.
//
//   npx tsx perf/fault-exactness.ts [--port ccs2,mcs] [--only fault-a,fault-b] [--jobs 2] [--keep DIR]
//
// Faults caught only by tests the virtual bench skips (SLAC's raw Ethernet, the raw TLS handshakes, SDP over
// UDP multicast: they need the real-time bench) are listed as not covered, with the skipped tests named.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { faultCatalogue } from '../emulator/faults.ts';
import type { FaultSwitch } from '../emulator/fault-catalogue.ts';
import { idOf, notPassed, runSuite, skipped, VIRTUAL_BENCH, type RunOutcome } from '../test/self-validation/selfval-runs.ts';

/** The host has two cores shared with everything else: more runs at once only queue. */
const MAX_JOBS = 2;

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    only: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    keep: { type: 'string' },
  },
});
const list = (s?: string) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const ports = list(opts.port);
const only = list(opts.only);
const jobs = Math.min(MAX_JOBS, Math.max(1, Number(opts.jobs) || 1));
const outRoot = opts.keep ?? mkdtempSync(join(tmpdir(), 'mcs-fault-exactness-'));
mkdirSync(outRoot, { recursive: true });

const catalogue = faultCatalogue().filter((f) => (!ports || ports.includes(f.suite)) && (!only || only.includes(f.name)));
if (only) {
  const unknown = only.filter((n) => !faultCatalogue().some((f) => f.name === n));
  if (unknown.length) usage(`not in the fault catalogue: ${unknown.join(', ')}`);
}
if (catalogue.length === 0) usage('no fault matches --port/--only');

interface Timed extends RunOutcome {
  wallS: number;
}

/** One whole-suite run in its own output folder (removed after reading unless --keep). */
async function run(suite: string, fault?: string): Promise<Timed> {
  const out = join(outRoot, fault ?? `baseline-${suite}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const t0 = process.hrtime.bigint();
  const outcome = await runSuite(VIRTUAL_BENCH, suite, fault ? [fault] : [], out);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!opts.keep) rmSync(out, { recursive: true, force: true });
  return { ...outcome, wallS };
}

/** A small pool: each worker takes the next job when it is free. */
async function inParallel<T>(work: (() => Promise<T>)[], workers: number): Promise<T[]> {
  const done: T[] = new Array(work.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, work.length) }, async () => {
      for (let i = next++; i < work.length; i = next++) done[i] = await work[i]();
    }),
  );
  return done;
}

/** Per fault: what the whole-suite run under it showed against the catalogue's list. */
interface Verdict {
  fault: FaultSwitch;
  /** Not judged here, and why (needs the real-time bench, the run died, …). */
  notCovered?: string;
  alsoFails: string[];
  doesNotFail: string[];
  /** Tests that ran in the baseline and were skipped under the fault: their checks went unseen. */
  newlySkipped: string[];
  /** Tests an aborted run never started (its safe state failed: by design no further test starts). */
  notRun: number;
  wallS: number;
}

function statusOf(o: RunOutcome, id: string): string {
  return o.results.find((r) => idOf(r) === id)?.status ?? '?';
}

function judge(fault: FaultSwitch, base: Timed, o: Timed): Verdict {
  const v: Verdict = { fault, alsoFails: [], doesNotFail: [], newlySkipped: [], notRun: 0, wallS: o.wallS };
  if (o.results.length === 0) return { ...v, notCovered: `the run wrote no results:\n${o.stdout.trim().slice(-1500)}` };
  const failing = new Set(notPassed(o.results));
  const failingBefore = new Set(notPassed(base.results));
  const expected = new Set(fault.catches);
  v.alsoFails = [...failing]
    .filter((id) => !expected.has(id))
    .map((id) => `${id} (${statusOf(o, id)}${failingBefore.has(id) ? ', fails without the fault too' : ''})`);
  v.doesNotFail = [...expected].filter((id) => !failing.has(id)).map((id) => `${id} (${statusOf(o, id)})`);
  const skippedBefore = new Set(skipped(base.results));
  const notRun = new Set(o.results.filter((r) => r.statusDetails?.message?.startsWith('not run')).map(idOf));
  v.notRun = notRun.size;
  v.newlySkipped = skipped(o.results).filter((id) => !skippedBefore.has(id) && !notRun.has(id));
  return v;
}

/** Why the virtual bench cannot judge this fault, or undefined when it can. */
function whyNotVirtual(fault: FaultSwitch, base: Timed): string | undefined {
  if (base.results.length === 0) return `the baseline run of '${fault.suite}' wrote no results`;
  const ids = new Set(base.results.map(idOf));
  const missing = fault.catches.filter((id) => !ids.has(id));
  if (missing.length) return `catching test(s) not in suite '${fault.suite}': ${missing.join(', ')}`;
  const needsNetwork = fault.catches.filter((id) => skipped(base.results).includes(id));
  if (needsNetwork.length) return `needs the real-time bench (skipped on the virtual bench: ${needsNetwork.join(', ')})`;
  return undefined;
}

function line(v: Verdict): string {
  const head = `${v.fault.name} [${v.fault.suite}]`;
  if (v.notCovered) return `${head}: not covered: ${v.notCovered}`;
  const parts: string[] = [];
  if (v.alsoFails.length) parts.push(`also fails: ${v.alsoFails.join(', ')}`);
  if (v.doesNotFail.length) parts.push(`does not fail: ${v.doesNotFail.join(', ')}`);
  if (v.newlySkipped.length) parts.push(`skipped only under the fault: ${v.newlySkipped.join(', ')}`);
  const aborted = v.notRun ? `, run aborted: ${v.notRun} test(s) not run` : '';
  return `${head}: ${parts.length ? parts.join('; ') : 'ok'} (${v.wallS.toFixed(0)} s${aborted})`;
}

function mismatch(v: Verdict): boolean {
  return v.alsoFails.length + v.doesNotFail.length + v.newlySkipped.length > 0;
}

function usage(message: string): never {
  process.stderr.write(
    `fault-exactness: ${message}\nusage: npx tsx perf/fault-exactness.ts [--port S,…] [--only F,…] [--jobs 1|2] [--keep DIR]\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const t0 = process.hrtime.bigint();
  const suites = [...new Set(catalogue.map((f) => f.suite))];
  console.log(`fault-exactness: ${catalogue.length} fault(s) of ${suites.join(', ')} on ${VIRTUAL_BENCH.file}, ${jobs} at a time`);
  const baselines = new Map<string, Timed>();
  await inParallel(
    suites.map((s) => async () => {
      const b = await run(s);
      baselines.set(s, b);
      const bad = notPassed(b.results);
      console.log(
        `baseline ${s}: ${b.results.length} tests, ${skipped(b.results).length} skipped, ${bad.length} not passed (${b.wallS.toFixed(0)} s)`,
      );
      if (bad.length) console.log(`  WARNING: fails without any fault: ${bad.join(', ')}`);
    }),
    jobs,
  );

  const verdicts = await inParallel(
    catalogue.map((fault) => async (): Promise<Verdict> => {
      const base = baselines.get(fault.suite)!;
      const why = whyNotVirtual(fault, base);
      const v = why
        ? { fault, notCovered: why, alsoFails: [], doesNotFail: [], newlySkipped: [], notRun: 0, wallS: 0 }
        : judge(fault, base, await run(fault.suite, fault.name));
      console.log(line(v));
      return v;
    }),
    jobs,
  );

  const judged = verdicts.filter((v) => !v.notCovered);
  const wrong = judged.filter(mismatch);
  const notCovered = verdicts.filter((v) => v.notCovered);
  console.log(`\n== summary (${(Number(process.hrtime.bigint() - t0) / 1e9 / 60).toFixed(1)} min wall)`);
  for (const v of verdicts) if (v.notCovered || mismatch(v)) console.log(line(v));
  console.log(`${judged.length - wrong.length} ok, ${wrong.length} mismatched, ${notCovered.length} not covered by this script`);
  if (opts.keep) console.log(`run folders: ${outRoot}`);
  else rmSync(outRoot, { recursive: true, force: true });
  process.exitCode = wrong.length > 0 || notCovered.some((v) => !v.notCovered!.startsWith('needs the real-time bench')) ? 1 : 0;
}

await main();
