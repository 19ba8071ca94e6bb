// Limit profiles: every number a suite or a session judges against comes from fixtures/limits/<profile>.yaml,
// each with the clause it comes from, its source, and whether the number was checked against the standard.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { InputError } from './errors.ts';
import { parseYamlCached } from './parse-cache.ts';

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
  /** Requirement id of the standard, e.g. '[V2G20-1502]' ('none' where the public record names none). */
  requirement?: string;
  /** Table of the standard the number sits in, e.g. 'ISO 15118-20:2022 Table 217' ('none' when not in one). */
  table?: string;
  /** Public sources a reader can follow: URLs, or 'owner/repo@commit:path'. Empty only for our own choices. */
  sources?: string[];
  /** How well the public record backs the number (required for timing limits of a profile that says so). */
  corroborated?: Corroboration;
}

/**
 * standard-extract: a public extract of the standard's text gives it; two-implementations / one-implementation:
 * that many independent open implementations use it; our-choice: nothing public fixes it (a bound of ours).
 */
export const CORROBORATION_LEVELS = ['standard-extract', 'two-implementations', 'one-implementation', 'our-choice'] as const;
export type Corroboration = (typeof CORROBORATION_LEVELS)[number];

/** Units of a timing limit (a profile with `corroboration: required-for-timing` needs `corroborated` on each). */
const TIMING_UNITS = new Set(['ms', 's']);
/** A followable source: a URL, or a repository path pinned to a commit ('owner/repo@abc1234:path'). */
const PUBLIC_SOURCE = /^(https?:\/\/\S+|[\w.-]+\/[\w.-]+@[0-9a-f]{7,40}(:\S+)?)$/;
/** Sources a user of the repository cannot follow (notes kept outside it). */
const OUTSIDE_REPO = /(\.\.\/shared|(^|[\s(])reference\/)/;

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
  const raw = parseOnce(file, text) as {
    title?: string;
    extends?: string[];
    corroboration?: string;
    limits?: Record<string, Partial<Limit>>;
  };
  const timingNeedsCorroboration = raw.corroboration === 'required-for-timing';
  if (raw.corroboration !== undefined && !timingNeedsCorroboration)
    throw new LimitError(`'corroboration' may only be 'required-for-timing', not '${raw.corroboration}'`, file);
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
    checkProvenance(l, where, timingNeedsCorroboration && TIMING_UNITS.has(l.unit!));
    merged[name] = l as Limit;
  }
  hash.update(text);
  files.push(file);
  const result = { profile, title: raw.title ?? profile, extends: raw.extends, limits: merged, hash: hash.digest('hex'), files };
  if (seen.length === 0) loaded.set(`${dir}/${profile}`, result);
  return result;
}

const parsed = new Map<string, { text: string; raw: unknown }>();

/** YAML parsed once per file text (every suite and bench kind loads its profiles; parsing was ~0.5 s of a run), a fresh copy each time;
 * the package's own profiles across runs too (parse-cache.ts; a test's profiles in a temporary folder would only fill the cache). */
function parseOnce(file: string, text: string): unknown {
  let p = parsed.get(file);
  if (p?.text !== text) parsed.set(file, (p = { text, raw: file.startsWith(LIMITS_DIR) ? parseYamlCached(text) : parse(text) }));
  return structuredClone(p.raw);
}

/** The public record of a limit: typed, followable, and present where the profile requires it. */
function checkProvenance(l: Partial<Limit>, where: string, required: boolean): void {
  // Every limit, corroborated or not: a reader must be able to follow its source from the repository.
  const outside = [l.source, ...(Array.isArray(l.sources) ? l.sources : [])].filter((x) => typeof x === 'string' && OUTSIDE_REPO.test(x));
  if (outside.length) throw new LimitError(`source points outside the repository: ${outside.map((x) => `'${x}'`).join(', ')}`, where);
  const c = l.corroborated;
  if (c === undefined) {
    if (required) throw new LimitError(`is a timing limit: needs 'corroborated' (${CORROBORATION_LEVELS.join(' | ')})`, where);
    return;
  }
  if (!CORROBORATION_LEVELS.includes(c))
    throw new LimitError(`'corroborated: ${String(c)}' is not one of ${CORROBORATION_LEVELS.join(', ')}`, where);
  for (const key of ['requirement', 'table'] as const)
    if (typeof l[key] !== 'string' || !l[key]) throw new LimitError(`is corroborated: needs '${key}' ('none' when there is none)`, where);
  const sources = l.sources;
  if (!Array.isArray(sources) || sources.some((x) => typeof x !== 'string'))
    throw new LimitError(`is corroborated: needs 'sources' (a list of URLs or owner/repo@commit:path)`, where);
  if (sources.length === 0 && c !== 'our-choice') throw new LimitError(`is '${c}' but names no source`, where);
  const bad = sources.filter((x) => !PUBLIC_SOURCE.test(x));
  if (bad.length) throw new LimitError(`sources must be URLs or owner/repo@commit:path, not ${bad.map((x) => `'${x}'`).join(', ')}`, where);
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
