// A run's recorded results as the dossier reads them: each test case with its recorded verdict and the
// measurements it was judged on, read from allure-results (the measurements.json attachment of each test).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasurementRecord } from './evidence.ts';
import { INCONCLUSIVE_PREFIX } from './verdicts.ts';

export type AllureStatus = 'passed' | 'failed' | 'broken' | 'skipped' | 'unknown';

export interface RecordedTest {
  /** The result file (allure-results/<uuid>-result.json). */
  file: string;
  testCaseId: string;
  name: string;
  fullName: string;
  epic?: string;
  clause?: string;
  status: AllureStatus;
  message?: string;
  start?: number;
  measurements: MeasurementRecord[];
}

interface AllureResultJson {
  name: string;
  fullName?: string;
  testCaseId?: string;
  status?: AllureStatus;
  statusDetails?: { message?: string };
  labels?: { name: string; value: string }[];
  attachments?: { name: string; source: string }[];
  start?: number;
}

interface AttachmentRef {
  name: string;
  source: string;
}

interface AllureNode {
  attachments?: AttachmentRef[];
  steps?: AllureNode[];
}

interface AllureContainerJson {
  children?: string[];
  afters?: AllureNode[];
}

function attachmentsIn(n: AllureNode): AttachmentRef[] {
  return [...(n.attachments ?? []), ...(n.steps ?? []).flatMap(attachmentsIn)];
}

/** Result uuid → the attachments its fixtures (the root hooks' afterEach, one step per attachment) added. */
function fixtureAttachments(dir: string, files: string[]): Map<string, AttachmentRef[]> {
  const out = new Map<string, AttachmentRef[]>();
  for (const f of files) {
    if (!f.endsWith('-container.json')) continue;
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureContainerJson;
    const atts = (c.afters ?? []).flatMap(attachmentsIn);
    if (!atts.length) continue;
    for (const child of c.children ?? []) out.set(child, [...(out.get(child) ?? []), ...atts]);
  }
  return out;
}

export function readRecordedTests(runDir: string): RecordedTest[] {
  const dir = join(runDir, 'allure-results');
  const files = readdirSync(dir).sort();
  const fixtures = fixtureAttachments(dir, files);
  const out: RecordedTest[] = [];
  for (const f of files) {
    if (!f.endsWith('-result.json')) continue;
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResultJson & { uuid: string };
    const label = (n: string) => r.labels?.find((l) => l.name === n)?.value;
    const m = [...(r.attachments ?? []), ...(fixtures.get(r.uuid) ?? [])].find((a) => a.name === 'measurements.json');
    const measurements =
      m && existsSync(join(dir, m.source)) ? (JSON.parse(readFileSync(join(dir, m.source), 'utf8')) as MeasurementRecord[]) : [];
    out.push({
      file: f,
      testCaseId: r.testCaseId ?? label('requirement') ?? r.name,
      name: r.name,
      fullName: r.fullName ?? r.name,
      epic: label('epic'),
      clause: label('clause'),
      status: r.status ?? 'unknown',
      message: r.statusDetails?.message,
      start: r.start,
      measurements,
    });
  }
  return out.sort((a, b) => (a.start ?? 0) - (b.start ?? 0) || a.testCaseId.localeCompare(b.testCaseId));
}

/** The certification verdicts (ISO/IEC 9646 style) the summary uses. */
export type DossierVerdict = 'pass' | 'fail' | 'inconclusive' | 'not applicable' | 'not run';

/** Recorded Allure status → verdict. A bench fault judged nothing about the charger: inconclusive, with its reason. */
export function verdictOf(t: Pick<RecordedTest, 'status' | 'message'>): DossierVerdict {
  if (t.status === 'passed') return 'pass';
  if (t.status === 'failed') return 'fail';
  if (t.status === 'broken') return 'inconclusive';
  return 'not run';
}

export function isInconclusiveMeasurement(message: string | undefined): boolean {
  return !!message?.startsWith(INCONCLUSIVE_PREFIX);
}

/** environment.properties of the run (bench, declared charger identity and ratings, limit profiles). */
export function readEnvironment(runDir: string): Record<string, string> {
  const file = join(runDir, 'allure-results', 'environment.properties');
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i).replace(/\\(.)/g, '$1')] = line.slice(i + 1).replace(/\\(.)/g, '$1');
  }
  return env;
}
