// Which spec files `--suite NAME|GLOB` means: a folder name under suites/ (all its *.spec.ts, recursively),
// several separated by commas, or a glob relative to the project root. Without it: every suite.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../benches/load.ts';

export const SUITES_DIR = join(PROJECT_ROOT, 'suites');

export function resolveSuiteFiles(suite?: string): string[] {
  const all = listSpecs(SUITES_DIR);
  if (!suite) return all;
  const out = new Set<string>();
  for (const part of suite
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    // A spec file named by path (e.g. the harness's own fixture suites under test/).
    for (const candidate of [resolve(part), join(PROJECT_ROOT, part)]) {
      if (candidate.endsWith('.spec.ts') && existsSync(candidate) && statSync(candidate).isFile()) out.add(candidate);
    }
    if (out.size && part.endsWith('.spec.ts')) continue;
    const dir = join(SUITES_DIR, part);
    if (!/[*?[]/.test(part) && existsSync(dir) && statSync(dir).isDirectory()) {
      for (const f of listSpecs(dir)) out.add(f);
      continue;
    }
    const re = globToRegExp(part);
    for (const f of all) if (re.test(relative(PROJECT_ROOT, f)) || re.test(relative(SUITES_DIR, f))) out.add(f);
  }
  return [...out].sort();
}

/** The suite names (folders under suites/ with specs), for help texts. */
export function suiteNames(): string[] {
  return readdirSync(SUITES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'support' && listSpecs(join(SUITES_DIR, d.name)).length > 0)
    .map((d) => d.name)
    .sort();
}

function listSpecs(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory() && d.name !== 'support') out.push(...listSpecs(p));
    else if (d.isFile() && d.name.endsWith('.spec.ts')) out.push(p);
  }
  return out.sort();
}

/** `*` within a path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
