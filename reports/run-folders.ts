// Where runs and reports live: out/runs/<timestamp>/ per run (allure-results, junit.xml, timeline,
// attachments), out/html/<timestamp>/ per generated report, out/history/ carried between runs. `out/` is
// generated output, outside the source tree's folders and git-ignored; `--out DIR` puts it elsewhere.

import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** out/ in the project: the default output folder when mcs-hil is started inside the checkout. */
export const DEFAULT_OUT_DIR = join(PROJECT_ROOT, 'out');

/**
 * The default output folder: out/ in the project when started inside the checkout; ./mcs-hil-reports when a
 * linked or installed `mcs-hil` runs elsewhere (the package folder is not the user's, and may not be writable).
 */
export function defaultOutDir(cwd = process.cwd()): string {
  const rel = relative(PROJECT_ROOT, resolve(cwd));
  const inside = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  return inside ? DEFAULT_OUT_DIR : resolve(cwd, 'mcs-hil-reports');
}

/** A reports root (it has runs/ with at least one run): its newest run; anything else: undefined. */
export function newestRunIfRoot(dir: string): string | undefined {
  return existsSync(join(dir, 'runs')) ? latestRunDir(dir) : undefined;
}

export function newRunDir(reportsDir: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let dir = join(reportsDir, 'runs', stamp);
  for (let n = 2; existsSync(dir); n++) dir = join(reportsDir, 'runs', `${stamp}-${n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The newest run folder under reportsDir/runs, or undefined. */
export function latestRunDir(reportsDir: string): string | undefined {
  const runs = join(reportsDir, 'runs');
  if (!existsSync(runs)) return undefined;
  const dirs = readdirSync(runs)
    .map((d) => join(runs, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'allure-results')))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b));
  return dirs.at(-1);
}
