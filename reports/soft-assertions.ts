// Soft assertions: inside a test wrapped by judgeAtEnd() (the root hooks wrap every test), a failed
// measurement is remembered instead of thrown, so the test records every value and the report shows them
// all; the test then fails at its end with the first violation. An inconclusive value (within the
// harness's uncertainty of a bound) ends the test broken unless a violation was found. Bench faults
// (preconditions) still stop the test at once. Outside a wrapped test every failure throws.

import { InconclusiveError, ViolationError } from './verdicts.ts';

/** Counts tests; `softTest` is the one whose wrapped body runs (its failures are remembered, not thrown). */
let testNo = 0;
let softTest = -1;
let inTest = false;
/** The failed and inconclusive verdicts of the running test, in the order they were recorded. */
let remembered: Error[] = [];

/** A test starts (its verdicts so far are forgotten) / ends. */
export function beginVerdicts(): void {
  remembered = [];
  inTest = true;
  testNo++;
}

export function endVerdicts(): void {
  inTest = false;
}

/** A failed or inconclusive verdict: remembered for the end of a wrapped test (also when it stops it), thrown otherwise. */
export function conclude(e: Error, stop = false): void {
  const soft = softTest === testNo && inTest;
  if (soft) remembered.push(e);
  if (!soft || stop) throw e;
}

/**
 * Wrap a test function for soft assertions: it runs to its end recording every measurement, then fails
 * with the first violation (the others listed after it); if none, an inconclusive value makes it broken;
 * else whatever it threw stands. A violation outranks a later error, which is usually its consequence.
 * Functions taking mocha's `done` callback are left alone (they keep failing at the first violation).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function judgeAtEnd<F extends (...args: any[]) => unknown>(fn: F): F {
  if (fn.length > 0 || judging.has(fn)) return fn;
  const wrapped = async function (this: unknown): Promise<unknown> {
    // A body abandoned by a mocha timeout may finish during a later test: it must not switch that one's mode.
    const mine = (softTest = testNo);
    let thrown: unknown;
    let out: unknown;
    const body = Promise.resolve().then(() => fn.call(this));
    bodyRunning = body.then(
      () => undefined,
      () => undefined,
    );
    try {
      out = await body;
    } catch (e) {
      thrown = e;
    } finally {
      if (softTest === mine) softTest = -1;
    }
    if (mine !== testNo) return out; // mocha already gave up on this test; the running one keeps its own record
    settle(thrown);
    return out;
  };
  judging.add(wrapped);
  // mocha shows (and allure-mocha may record) the test's body via toString: keep the original's.
  return Object.assign(wrapped, { toString: () => fn.toString() }) as unknown as F;
}

/** The running (or last) wrapped body, settled when it ends: a hook waits on one mocha gave up on (a timeout). */
let bodyRunning: Promise<void> | undefined;

export function runningBody(): Promise<void> | undefined {
  return bodyRunning;
}

/** Functions already wrapped (a retried test keeps its wrapper). */
const judging = new WeakSet<object>();

/** The end-of-test verdict from the remembered failures and what the test threw (if anything). */
function settle(thrown: unknown): void {
  const found = remembered;
  remembered = [];
  const violations = found.filter((e): e is ViolationError => e instanceof ViolationError);
  const inconclusive = found.filter((e) => e instanceof InconclusiveError);
  const extra = thrown !== undefined && !found.includes(thrown as Error) ? [thrown] : [];
  if (violations.length) throw combined(violations[0], [...violations.slice(1), ...inconclusive, ...extra]);
  if (thrown !== undefined) throw thrown; // a bench fault (or a skip) after inconclusive values: it stands
  if (inconclusive.length) throw combined(inconclusive[0], inconclusive.slice(1));
}

/** The first error, its message followed by the others (each on its own line). */
function combined<E extends Error>(first: E, others: unknown[]): E {
  if (!others.length) return first;
  const lines = others.map((e) => `  - ${e instanceof Error ? e.message : String(e)}`);
  first.message = `${first.message}\nand ${others.length} more:\n${lines.join('\n')}`;
  return first;
}
