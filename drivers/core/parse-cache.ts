// Data files parsed once per text, across runs: the limit profiles' YAML took ~0.2 s of every run's start to
// parse (more on a loaded host). The parsed value is kept with v8.serialize (a deep copy that keeps what JSON
// would not: Infinity, NaN, undefined) under the hash of the text and the parser's name and version, so an
// edited file or another parser version is parsed afresh. The cache is a speed-up only: any failure to read or
// write it falls back to parsing.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { parse } from 'yaml';

const YAML_PARSER = `yaml@${(createRequire(import.meta.url)('yaml/package.json') as { version: string }).version}`;

/** Where the harness keeps what it derives from its own files: the package's node_modules/.cache (git-ignored). */
export function harnessCacheDir(): string {
  // MCS_HIL_CACHE_DIR puts it elsewhere (a test's own folder).
  return (
    process.env.MCS_HIL_CACHE_DIR || join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'node_modules', '.cache', 'mcs-hil')
  );
}

/** yaml's parse(text) (default options), through the cache. */
export function parseYamlCached(text: string): unknown {
  return cachedParse(YAML_PARSER, text, (t) => parse(t) as unknown);
}

/** parse(text), or the value a previous parse of the same text by the same parser (name@version) stored. */
export function cachedParse<T>(parser: string, text: string, parse: (text: string) => T): T {
  const key = createHash('sha256').update(parser).update('\0').update(text).digest('hex').slice(0, 32);
  const file = join(harnessCacheDir(), `parsed-${key}.v8`);
  try {
    const bytes = readFileSync(file);
    return deserialize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)) as T;
  } catch {
    // not cached yet, or unreadable: parse
  }
  const value = parse(text);
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: runs starting at the same time never read half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    const bytes = serialize(value);
    writeFileSync(tmp, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    renameSync(tmp, file);
  } catch {
    // a read-only install: every run parses, as before
  }
  return value;
}
