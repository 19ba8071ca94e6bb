// Read and validate a bench file before anything is opened. Every error names the file, the line and
// the offending key, in one line, so a lab engineer can fix it without reading a stack trace.

import { Ajv, type ErrorObject } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError } from '../drivers/core/errors.ts';
import { LIMITS_DIR } from '../drivers/core/limits.ts';
import { resourceKind, type BenchConfig } from './registry.ts';
import { benchSchema } from './schema.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_BENCH = join(PROJECT_ROOT, 'benches', 'emulator.yaml');
export const VEHICLES_DIR = join(PROJECT_ROOT, 'fixtures', 'vehicles');

export class BenchFileError extends InputError {
  override name = 'BenchFileError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly key?: string,
  ) {
    super(message, line ? `${file}:${line}` : file);
  }
}

export function loadBenchFile(path: string): BenchConfig {
  const file = relative(process.cwd(), resolve(path)) || path;
  if (!existsSync(path)) throw new BenchFileError('no such bench file', file);
  const text = readFileSync(path, 'utf8');
  return parseBench(text, file);
}

export function parseBench(text: string, file: string): BenchConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw new BenchFileError(`YAML syntax: ${e.message.split('\n')[0]}`, file, line);
  }
  const data = doc.toJS() as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new BenchFileError('a bench file is a YAML mapping (name:, charger:, resources:, …)', file, 1);

  // verbose: errors carry their schema, whose description can say what else is allowed (see describe()).
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const validate = ajv.compile(benchSchema());
  if (!validate(data)) {
    const err = mostSpecific(validate.errors ?? []);
    const { path, key } = errorLocation(err);
    const line = lineOf(doc, lines, path, key);
    const where = [...path, ...(key ? [key] : [])].join('.') || '(top)';
    throw new BenchFileError(`'${where}' ${describe(err)}`, file, line, where);
  }
  const bench = data as BenchConfig;
  bench.file = file;
  bench.clock = bench.clock ?? { kind: 'real', rate: 1 };

  // Cross-references the schema cannot express.
  for (const [name, r] of Object.entries(bench.resources)) {
    if (!resourceKind(r.kind)) throw new BenchFileError(`resource '${name}': unknown kind '${r.kind}'`, file, lineOf(doc, lines, ['resources', name, 'kind']), `resources.${name}.kind`);
    for (const [key, value] of Object.entries(r)) {
      // Settings that name another resource must name one that exists.
      // ('link: memory' is the emulated charger's in-process endpoint, not a resource.)
      if (REF_KEYS.has(key) && typeof value === 'string' && !(value in bench.resources) && !(key === 'link' && value === 'memory'))
        throw new BenchFileError(`resource '${name}': '${key}' names '${value}', which is not a resource of this bench`, file, lineOf(doc, lines, ['resources', name, key]), `resources.${name}.${key}`);
    }
  }
  if (!existsSync(join(VEHICLES_DIR, `${bench.vehicle.profile}.yaml`)))
    throw new BenchFileError(`vehicle profile '${bench.vehicle.profile}' not found in fixtures/vehicles/`, file, lineOf(doc, lines, ['vehicle', 'profile']), 'vehicle.profile');
  if (!existsSync(join(LIMITS_DIR, `${bench.limits.profile}.yaml`)))
    throw new BenchFileError(`limit profile '${bench.limits.profile}' not found in fixtures/limits/`, file, lineOf(doc, lines, ['limits', 'profile']), 'limits.profile');
  // Real sockets and instruments live in host time; in-process vehicles and emulators follow the bench clock.
  const realTime = Object.entries(bench.resources).find(([, r]) => REAL_TIME_KINDS.test(r.kind));
  if (bench.clock.kind === 'virtual' && realTime)
    throw new BenchFileError(
      `a virtual clock only works when every resource is in-process ('${realTime[0]}' is ${realTime[1].kind}: use virtual-can / link: memory)`,
      file, lineOf(doc, lines, ['clock', 'kind']), 'clock.kind');
  return bench;
}

/** Kinds that talk over host sockets or to instruments: they cannot run on a virtual clock. */
const REAL_TIME_KINDS = /^(veth-link|ethernet-link|socketcan|socketcand|socketcand-hub|scpi-.*)$/;

/** Resource settings whose value is the name of another resource of the same bench. */
const REF_KEYS = new Set(['pilot', 'can', 'battery', 'link', 'hub', 'charger', 'instrument']);

function mostSpecific(errors: ErrorObject[]): ErrorObject {
  // if/then wrappers say nothing useful; the deepest remaining error is what the user must fix.
  const real = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'allOf');
  const pool = real.length ? real : errors;
  return pool.reduce((best, e) => (depth(e) > depth(best) ? e : best), pool[0]);
}

function depth(e: ErrorObject): number {
  return e.instancePath.split('/').length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
}

function errorLocation(e: ErrorObject): { path: string[]; key?: string } {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'additionalProperties') return { path, key: String((e.params as { additionalProperty: string }).additionalProperty) };
  if (e.keyword === 'required') return { path, key: String((e.params as { missingProperty: string }).missingProperty) };
  return { path };
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return 'is not a known setting here (check the spelling; see benches/bench.schema.json)';
    case 'required':
      return 'is required but missing';
    case 'enum':
      return `must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
    case 'const': {
      const hint = (e.parentSchema as { description?: string } | undefined)?.description;
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}${hint ? ` (${hint})` : ''}`;
    }
    default:
      return e.message ?? 'is not valid';
  }
}

/** Line of the node at path (the key itself when `key` is given, or the nearest existing parent). */
function lineOf(doc: Document, lines: LineCounter, path: string[], key?: string): number | undefined {
  let node: Node | null | undefined = doc.contents as Node;
  let line = 1;
  const segs = key ? [...path, key] : path;
  for (const seg of segs) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
    if (!pair) break;
    const k = pair.key as Node;
    if (k.range) line = lines.linePos(k.range[0]).line;
    node = pair.value as Node;
    if (seg === segs[segs.length - 1] && !key && node?.range) line = lines.linePos(node.range[0]).line;
  }
  if (!key && path.length === 0 && node?.range) line = lines.linePos(node.range[0]).line;
  return line;
}
