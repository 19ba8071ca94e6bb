// Tests a stopped run never started (interrupted, or aborted after a failed safe state) as Allure results:
// skipped, with "not run: …" as their message, so the report's totals count them and a reviewer sees that
// the charger was not judged on them. Written beside allure-mocha's results in the same result format.

import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** md5 of no parameters: allure-js's historyId suffix for a test without parameters. */
const NO_PARAMETERS = createHash('md5').update('').digest('hex');

export interface NotRunTest {
  /** mocha's full title. */
  title: string;
  testCaseId?: string;
  /** The describe block (the report's parent suite). */
  suite: string;
  file?: string;
}

export function writeNotRunResults(resultsDir: string, tests: NotRunTest[], why: string): void {
  const now = Date.now();
  for (const t of tests) {
    const uuid = randomUUID();
    const rel = t.file ? relative(ROOT, t.file) : 'unknown';
    const name = t.suite && t.title.startsWith(`${t.suite} `) ? t.title.slice(t.suite.length + 1) : t.title;
    const id = t.testCaseId ?? createHash('md5').update(t.title).digest('hex');
    const result = {
      uuid,
      name,
      fullName: `mcs-hil:${rel}: ${t.suite} > ${name}`,
      historyId: `${id}:${NO_PARAMETERS}`,
      testCaseId: id,
      status: 'skipped',
      statusDetails: { message: `not run: ${why}` },
      stage: 'finished',
      description: t.testCaseId ? `**Requirement** \`${t.testCaseId}\` — not run` : 'not run',
      steps: [],
      attachments: [],
      parameters: [],
      labels: [
        ...(t.testCaseId ? [{ name: 'requirement', value: t.testCaseId }] : []),
        { name: 'parentSuite', value: t.suite },
        { name: 'package', value: `mcs-hil.${rel.replace(/\//g, '.')}` },
        { name: 'tag', value: 'not run' },
      ],
      links: [],
      start: now,
      stop: now,
    };
    writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify(result));
  }
}
