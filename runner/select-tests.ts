// Which tests a run will start: the spec files loaded into mocha, pruned to the tests whose full title matches
// `--grep` and whose requirement id is one of `--id`. Done before the bench opens, so a selection that matches
// nothing is a usage error (exit 2) and not an empty "0 passed" run; the plan (titles and requirement ids) is
// also what an interrupted run counts and reports as "not run".

import Mocha from 'mocha';
import { UsageError } from '../drivers/core/errors.ts';
import { probeRequirementId } from '../reports/evidence.ts';

export interface PlannedTest {
  /** mocha's full title (describe … it), as the console and summary.json show it. */
  title: string;
  /** The requirement id the test declares (testCaseId), when it could be read without running the test. */
  testCaseId?: string;
  /** The describe block it sits in, for the report's suite label. */
  suite: string;
  file?: string;
}

export interface TestSelection {
  grep?: string;
  /** Requirement ids (testCaseId), any of which selects a test. */
  ids?: string[];
}

/** Load the files into mocha and keep only the selected tests; throws UsageError when none is left. */
export async function selectTests(
  mocha: Mocha,
  files: string[],
  sel: TestSelection,
): Promise<{ planned: PlannedTest[]; unknownIds: string[] }> {
  let grep: RegExp | undefined;
  try {
    grep = sel.grep ? new RegExp(sel.grep) : undefined;
  } catch (e) {
    throw new UsageError(`--grep '${sel.grep}' is not a regular expression: ${(e as Error).message}`);
  }
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const ids = sel.ids?.length ? new Set(sel.ids) : undefined;
  const planned: PlannedTest[] = [];
  const seenIds = new Set<string>();
  prune(mocha.suite, (test) => {
    const testCaseId = test.fn ? probeRequirementId(test.fn as (...a: unknown[]) => unknown, test.ctx) : undefined;
    if (testCaseId) seenIds.add(testCaseId);
    const keep = (!grep || grep.test(test.fullTitle())) && (!ids || (testCaseId !== undefined && ids.has(testCaseId)));
    if (keep) planned.push({ title: test.fullTitle(), testCaseId, suite: test.parent?.fullTitle() ?? '', file: test.file });
    return keep;
  });
  if (planned.length === 0) throw new UsageError(nothingSelected(sel, seenIds));
  return { planned, unknownIds: (sel.ids ?? []).filter((id) => !seenIds.has(id)) };
}

function prune(suite: Mocha.Suite, keep: (t: Mocha.Test) => boolean): void {
  suite.tests = suite.tests.filter(keep);
  for (const s of suite.suites) prune(s, keep);
}

function nothingSelected(sel: TestSelection, seenIds: Set<string>): string {
  const parts = [sel.grep ? `--grep '${sel.grep}'` : '', sel.ids?.length ? `--id ${sel.ids.join(',')}` : ''].filter(Boolean);
  const unknown = (sel.ids ?? []).filter((id) => !seenIds.has(id));
  const known = [...seenIds].sort();
  const hint = unknown.length
    ? `; no test declares ${unknown.map((i) => `'${i}'`).join(', ')}${known.length ? ` (ids here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : ''}`
    : '';
  return `no test matches ${parts.join(' and ') || 'the selection'} in the chosen suites${hint}`;
}
