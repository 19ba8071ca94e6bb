// The bench schema's validator. Compiling it with ajv took ~0.4 s of every run's start (plus loading ajv), so
// the compiled code is kept as ajv standalone code in the harness's cache folder (drivers/core/parse-cache.ts),
// under a name that is the hash of the schema, ajv's version and its options: a changed schema (a new resource
// kind) gets a new entry by itself.
// Only the answer "valid" comes from the cached code. A file with problems is validated again by a freshly
// compiled ajv, whose verbose errors (each with its schema: the did-you-mean) are what bench-problems.ts reads,
// exactly as before. The cache is a speed-up only: any failure to read or write it falls back to compiling.

import type { ErrorObject, Options } from 'ajv';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { harnessCacheDir } from '../drivers/core/parse-cache.ts';
import type { JsonSchema } from './registry.ts';

// ajv is CommonJS and loaded only when needed (a cache miss or a file with problems): synchronously, as
// bench-file loading is.
const require = createRequire(import.meta.url);

/** `allErrors`: every problem at once; `verbose`: errors carry their schema (for did-you-mean). */
const OPTIONS: Options = { allErrors: true, strict: false, verbose: true };

export type ValidateFn = (data: unknown) => boolean;

/** Validators of this process, by schema key (the schema is built afresh by every load): cached, and compiled for errors. */
const loaded = new Map<string, ValidateFn>();
const withErrors = new Map<string, ReturnType<ReturnType<typeof newAjv>['compile']>>();

/** Validate data against the schema: no errors when it conforms, else ajv's verbose errors (all of them). */
export function validateAgainst(schema: JsonSchema): (data: unknown) => ErrorObject[] | undefined {
  const key = schemaKey(schema);
  let valid = loaded.get(key);
  if (!valid) loaded.set(key, (valid = validatorFor(schema, harnessCacheDir())));
  return (data) => {
    if (valid(data)) return undefined;
    let validate = withErrors.get(key);
    if (!validate) withErrors.set(key, (validate = newAjv().compile(schema)));
    return validate(data) ? undefined : (validate.errors ?? []);
  };
}

/** The schema's validator from the cache folder, compiled (and stored there) when it is not there or unusable. */
export function validatorFor(schema: JsonSchema, dir: string): ValidateFn {
  const file = join(dir, `bench-validator-${schemaKey(schema)}.cjs`);
  return loadStandalone(file) ?? compileAndStore(schema, file);
}

function schemaKey(schema: JsonSchema): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return createHash('sha256')
    .update(JSON.stringify([ajvVersion, OPTIONS, schema]))
    .digest('hex')
    .slice(0, 24);
}

/** The cached code as a function, or undefined when it is missing or unusable (then it is compiled again). */
export function loadStandalone(file: string): ValidateFn | undefined {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const module = { exports: {} as unknown };
    // The code is ajv's own output (CommonJS: `module.exports = validate…`); its runtime helpers resolve from here.
    new Function('require', 'module', 'exports', code)(require, module, module.exports);
    return typeof module.exports === 'function' ? (module.exports as ValidateFn) : undefined;
  } catch {
    return undefined;
  }
}

function compileAndStore(schema: JsonSchema, file: string): ValidateFn {
  const ajv = newAjv({ code: { source: true } });
  const validate = ajv.compile(schema);
  try {
    const standaloneCode = (require('ajv/dist/standalone') as { default: (a: unknown, v: unknown) => string }).default;
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: runs starting at the same time never read half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standaloneCode(ajv, validate));
    renameSync(tmp, file);
    // Only the current schema's entry is kept (~0.5 MB each; every edit of a kind's schema makes a new one).
    for (const old of readdirSync(dirname(file)))
      if (/^bench-validator-[0-9a-f]+\.cjs$/.test(old) && join(dirname(file), old) !== file)
        rmSync(join(dirname(file), old), { force: true });
  } catch {
    // a read-only install: every run compiles, as before
  }
  return (data) => validate(data);
}

function newAjv(extra: Options = {}): { compile(schema: JsonSchema): ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } } {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv({ ...OPTIONS, ...extra });
}
