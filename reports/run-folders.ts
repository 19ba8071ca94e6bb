// Where runs and reports live: out/runs/<timestamp>/ per run (allure-results, junit.xml, timeline,
// attachments), out/html/<timestamp>/ per generated report, out/history/ carried between runs. `out/` is
// generated output, outside the source tree's folders and git-ignored; `--out DIR` puts it elsewhere.

import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The default output folder: out/ in the project, wherever the command is started from. */
export const DEFAULT_OUT_DIR = join(fileURLToPath(new URL('..', import.meta.url)), 'out');

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
