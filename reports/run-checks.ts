// The checks a finished run made, read back from its allure-results: for every test, the measurements it
// recorded (the measurements.json the root hooks attach) with their outcome. Self-validation proves each
// fault's checks from these, and `mcs-hil faults --unproven` lists the checks no fault names.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../drivers/core/errors.ts';
import type { MeasurementRecord } from './evidence.ts';

export interface TestChecks {
  /** The test's requirement id (testCaseId), or its name when it has none. */
  id: string;
  name: string;
  status: string;
  message?: string;
  checks: Pick<MeasurementRecord, 'name' | 'outcome' | 'violation'>[];
}

interface Attached {
  name: string;
  source: string;
}
interface StepLike {
  name?: string;
  attachments?: Attached[];
  steps?: StepLike[];
}
interface ResultFile {
  uuid: string;
  name: string;
  status: string;
  statusDetails?: { message?: string };
  testCaseId?: string;
  labels?: { name: string; value: string }[];
  attachments?: Attached[];
  steps?: StepLike[];
}
interface ContainerFile {
  children?: string[];
  befores?: StepLike[];
  afters?: StepLike[];
}

/** Every test of the run with the checks it recorded. A folder that is no run is a clear InputError. */
export function checksOfRun(runDir: string): TestChecks[] {
  const dir = join(runDir, 'allure-results');
  if (!existsSync(dir)) throw new InputError(`no allure-results in ${runDir}: not a run folder (see 'mcs-hil run')`);
  const files = readdirSync(dir);
  const read = <T>(f: string): T => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T;
  // The measurements attachment is written by the root afterEach hook, so it sits in the hook's container.
  const attachedTo = new Map<string, Attached[]>();
  for (const f of files.filter((x) => x.endsWith('-container.json'))) {
    const c = read<ContainerFile>(f);
    const found = [...(c.befores ?? []), ...(c.afters ?? [])].flatMap(attachmentsOf);
    for (const child of c.children ?? []) attachedTo.set(child, [...(attachedTo.get(child) ?? []), ...found]);
  }
  return files
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => read<ResultFile>(f))
    .map((r) => {
      const all = [...(r.attachments ?? []), ...(r.steps ?? []).flatMap(attachmentsOf), ...(attachedTo.get(r.uuid) ?? [])];
      const m = all.find((a) => a.name === 'measurements.json');
      const checks = m && existsSync(join(dir, m.source)) ? read<MeasurementRecord[]>(m.source) : [];
      return {
        id: r.labels?.find((l) => l.name === 'requirement')?.value ?? r.testCaseId ?? r.name,
        name: r.name,
        status: r.status,
        message: r.statusDetails?.message,
        checks: checks.map((c) => ({ name: c.name, outcome: c.outcome, violation: c.violation })),
      };
    });
}

function attachmentsOf(s: StepLike): Attached[] {
  return [...(s.attachments ?? []), ...(s.steps ?? []).flatMap(attachmentsOf)];
}

/** The distinct check names of a run, sorted. */
export function checkNames(tests: TestChecks[]): string[] {
  return [...new Set(tests.flatMap((t) => t.checks.map((c) => c.name)))].sort();
}
