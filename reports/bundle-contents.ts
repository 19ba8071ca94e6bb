// What of a run folder goes into the reviewer bundle, and in which form. Full-rate data is kept once: the
// run's timeline.jsonl holds every frame, message and sample block, so a test's timeline slice (a copy of
// a seq range of it) is left out of the evidence, and the samples CSVs (copies of the sample blocks) are
// decimated for the report only. Everything else is copied as recorded.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface BundleFile {
  path: string;
  data: Buffer;
  role: 'evidence' | 'report' | 'summary';
  note?: string;
}

interface AllureAttachmentRef {
  name: string;
  source: string;
  type?: string;
}

interface AllureStepLike {
  attachments?: AllureAttachmentRef[];
  steps?: AllureStepLike[];
  /** Containers: the fixtures (the root hooks attach a test's evidence in its afterEach). */
  befores?: AllureStepLike[];
  afters?: AllureStepLike[];
}

/** Attachment file name → its title, from every result's (and step's) attachment list. */
export function attachmentTitles(resultsDir: string): Map<string, string> {
  const titles = new Map<string, string>();
  const visit = (s: AllureStepLike) => {
    for (const a of s.attachments ?? []) titles.set(a.source, a.name);
    for (const c of [...(s.steps ?? []), ...(s.befores ?? []), ...(s.afters ?? [])]) visit(c);
  };
  for (const f of readdirSync(resultsDir))
    if (f.endsWith('-result.json') || f.endsWith('-container.json'))
      visit(JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as AllureStepLike);
  return titles;
}

/** A test's timeline slice: a copy of part of timeline.jsonl. */
export function isTimelineSlice(title: string | undefined): boolean {
  return title === 'timeline.jsonl';
}

export function isSamplesCsv(file: string): boolean {
  return file.endsWith('.csv');
}

/** Every file of the run folder as raw evidence, except the copies named above; `omitted` says what was left out and why. */
export function evidenceFiles(runDir: string): { files: BundleFile[]; omitted: string[] } {
  const results = join(runDir, 'allure-results');
  const titles = attachmentTitles(results);
  const files: BundleFile[] = [];
  const omitted: string[] = [];
  for (const abs of walk(runDir)) {
    const rel = relative(runDir, abs).split('\\').join('/');
    const base = rel.split('/').at(-1)!;
    if (rel.startsWith('allure-results/history/')) continue; // the trend of earlier runs, not this run's evidence
    if (rel.startsWith('allure-results/') && isTimelineSlice(titles.get(base))) {
      omitted.push(`${rel}: the test's slice of timeline.jsonl (same events, same seq numbers)`);
      continue;
    }
    if (rel.startsWith('captures/')) {
      omitted.push(`${rel}: a test's pcapng, the same file as its Allure attachment (cut from the run's capture-<link>.pcap)`);
      continue;
    }
    if (rel.startsWith('allure-results/') && isSamplesCsv(base)) {
      omitted.push(`${rel}: samples CSV, a copy of the 'samples' blocks in timeline.jsonl (the report keeps a decimated copy)`);
      continue;
    }
    files.push({ path: `evidence/${rel}`, data: readFileSync(abs), role: 'evidence' });
  }
  return { files, omitted };
}

/** At most maxRows data rows of a CSV (every k-th, the last one kept), header unchanged: for viewing only. */
export function decimateCsv(text: string, maxRows: number): string {
  const lines = text.split('\n').filter((l, i, a) => l.length > 0 || i < a.length - 1);
  const [head, ...rows] = lines;
  if (rows.length <= maxRows) return text;
  const step = Math.ceil(rows.length / maxRows);
  const kept = rows.filter((_, i) => i % step === 0);
  if (kept.at(-1) !== rows.at(-1)) kept.push(rows.at(-1)!);
  return [head, ...kept].join('\n') + '\n';
}

export function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) yield* walk(abs);
    else yield abs;
  }
}
