// Limit profiles: every number a suite or a session judges against comes from fixtures/limits/<profile>.yaml,
// each with the clause it comes from, its source, and whether the number was checked against the standard.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { InputError } from './errors.ts';

export interface Limit {
  /** Lower bound (inclusive), when the limit is a minimum or a range. */
  lo?: number;
  /** Upper bound (inclusive), when the limit is a maximum or a range. */
  hi?: number;
  /** A plain value (a timer, a nominal), when the limit is not a bound. */
  value?: number;
  unit: string;
  /** Where the number is required, e.g. 'ISO 15118-20:2022 Table 219' or 'IEC 61851-23:2023 101.2.1.4'. */
  clause: string;
  /** Where we took it from (reference note section, public project). */
  source: string;
  /** True only when checked against the purchased standard text. */
  verified: boolean;
  note?: string;
}

export interface LimitProfile {
  profile: string;
  title: string;
  /** Profiles whose limits this one starts from (later ones override earlier ones). */
  extends?: string[];
  limits: Record<string, Limit>;
  /** sha256 of the profile's files, for the report environment. */
  hash: string;
  files: string[];
}

export const LIMITS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'limits');

export class LimitError extends InputError {
  override name = 'LimitError';
}

const loaded = new Map<string, LimitProfile>();

/** Every profile loaded in this process (the report lists them with their hashes). */
export function loadedLimitProfiles(): LimitProfile[] {
  return [...loaded.values()];
}

/** Load a profile (following `extends`), checking that every limit has unit, clause, source and verified. */
export function loadLimitProfile(profile: string, dir = LIMITS_DIR, seen: string[] = []): LimitProfile {
  if (seen.includes(profile)) throw new LimitError(`limit profiles extend each other in a cycle: ${[...seen, profile].join(' → ')}`);
  const file = join(dir, `${profile}.yaml`);
  if (!existsSync(file)) throw new LimitError(`no limit profile '${profile}' (looked for ${file})`);
  const text = readFileSync(file, 'utf8');
  const raw = parse(text) as { title?: string; extends?: string[]; limits?: Record<string, Partial<Limit>> };
  const merged: Record<string, Limit> = {};
  const files: string[] = [];
  const hash = createHash('sha256');
  for (const parent of raw.extends ?? []) {
    const p = loadLimitProfile(parent, dir, [...seen, profile]);
    Object.assign(merged, p.limits);
    files.push(...p.files);
    hash.update(p.hash);
  }
  for (const [name, l] of Object.entries(raw.limits ?? {})) {
    const where = `${file}: limit '${name}'`;
    if (!l || typeof l !== 'object') throw new LimitError('must be a mapping', where);
    for (const key of ['unit', 'clause', 'source'] as const)
      if (typeof l[key] !== 'string' || !l[key]) throw new LimitError(`needs '${key}'`, where);
    if (typeof l.verified !== 'boolean') throw new LimitError(`needs 'verified: true|false'`, where);
    if (l.lo === undefined && l.hi === undefined && l.value === undefined) throw new LimitError(`needs lo, hi or value`, where);
    merged[name] = l as Limit;
  }
  hash.update(text);
  files.push(file);
  const result = { profile, title: raw.title ?? profile, extends: raw.extends, limits: merged, hash: hash.digest('hex'), files };
  if (seen.length === 0) loaded.set(`${dir}/${profile}`, result);
  return result;
}

/** Typed access that fails loudly when a suite asks for a limit its profile lacks. */
export class Limits {
  constructor(readonly profile: LimitProfile) {}

  get(name: string): Limit {
    const l = this.profile.limits[name];
    if (!l) throw new LimitError(`limit profile '${this.profile.profile}' has no limit '${name}'`);
    return l;
  }

  has(name: string): boolean {
    return name in this.profile.limits;
  }

  /** The limit's value / hi / lo, in that order of preference. */
  num(name: string): number {
    const l = this.get(name);
    const v = l.value ?? l.hi ?? l.lo;
    return v as number;
  }

  static load(profile: string, dir?: string): Limits {
    return new Limits(loadLimitProfile(profile, dir));
  }
}
