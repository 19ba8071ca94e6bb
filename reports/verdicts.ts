// The two kinds of verdict a check can reach besides a pass, as errors: a charger violation (failed, in its
// Allure category) and an inconclusive value (broken: the harness's own uncertainty is too large to judge).

import { BenchFault } from '../drivers/core/errors.ts';

export type Violation = 'protocol' | 'timing' | 'current-control' | 'safety';

/**
 * A product non-conformance. Named 'AssertionError' (with actual/expected) so mocha shows it as a failed
 * assertion and Allure classifies the test as failed, never broken.
 */
export class ViolationError extends Error {
  override name = 'AssertionError';
  constructor(
    message: string,
    readonly violation: Violation,
    readonly actual: unknown,
    readonly expected: unknown,
  ) {
    super(message);
  }
}

/**
 * A value within the harness's own uncertainty of its bound: neither a pass nor a charger violation.
 * A BenchFault, so the test is broken (the bench could not judge), never failed.
 */
export class InconclusiveError extends BenchFault {
  override name = 'InconclusiveMeasurement';
}

/** Why a value inside the uncertainty band cannot be judged (the report and categories match this text). */
export const INCONCLUSIVE_PREFIX = 'harness latency too high to judge:';

/** The Allure categories; a failure's message starts with its tag so categories.json can match it. */
export const VIOLATION_TAG: Record<Violation, string> = {
  protocol: '[protocol violation]',
  timing: '[timing violation]',
  'current-control': '[current-control violation]',
  safety: '[safety violation]',
};

/** The failure message: category tag, what was seen against what was required, the clause and its standing. */
export function violationError(
  v: Violation,
  what: string,
  source: { clause: string; verified: boolean },
  note: string | undefined,
  actual: unknown,
  expected: unknown,
): ViolationError {
  const standing = source.verified ? '' : ', limit unverified';
  return new ViolationError(`${VIOLATION_TAG[v]} ${what} (${source.clause}${standing})${note ? ` — ${note}` : ''}`, v, actual, expected);
}
