// Read and validate a bench file before anything is opened. Every problem in the file is found in one pass,
// each naming the file, the line and column and the offending key, in one line, so a lab engineer can fix
// them all without reading a stack trace.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../drivers/core/errors.ts';
import { LIMITS_DIR } from '../drivers/core/limits.ts';
import { positionOf, schemaProblems, type BenchProblem } from './bench-problems.ts';
import { resourceKind, type BenchConfig } from './registry.ts';
import { benchSchema } from './schema.ts';
import { validateAgainst } from './bench-validator.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_BENCH = join(PROJECT_ROOT, 'benches', 'emulator.yaml');
export const VEHICLES_DIR = join(PROJECT_ROOT, 'fixtures', 'vehicles');

export class BenchFileError extends InputError {
  override name = 'BenchFileError';
  /** Every problem found in the file, in file order (this error's own message is the first). */
  readonly problems: BenchProblem[];
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly key?: string,
    readonly col?: number,
    more: BenchProblem[] = [],
  ) {
    super(message + more.map((p) => `\n${formatProblem(file, p)}`).join(''), line ? `${file}:${line}${col ? `:${col}` : ''}` : file);
    this.problems = [{ message, key, line, col }, ...more];
  }
}

/** `file:line:col: message`, the form editors and CI logs link to. */
export function formatProblem(file: string, p: BenchProblem): string {
  return `${file}${p.line ? `:${p.line}${p.col ? `:${p.col}` : ''}` : ''}: ${p.message}`;
}

function fail(file: string, problems: BenchProblem[]): never {
  const [first, ...more] = problems;
  throw new BenchFileError(first.message, file, first.line, first.key, first.col, more);
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
    fail(
      file,
      doc.errors.map((e) => {
        const { line, col } = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { message: `YAML syntax: ${e.message.split('\n')[0]}`, line, col };
      }),
    );
  }
  const data = doc.toJS() as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new BenchFileError('a bench file is a YAML mapping (name:, charger:, resources:, …)', file, 1);

  // Verbose errors carry their schema, whose properties give the did-you-mean (bench-problems.ts).
  const errors = validateAgainst(benchSchema())(data);
  if (errors) fail(file, schemaProblems(errors, doc, lines));
  const bench = data as BenchConfig;
  bench.file = file;
  bench.clock = bench.clock ?? { kind: 'real', rate: 1 };

  // Cross-references the schema cannot express, all of them in one pass.
  const problems: BenchProblem[] = [];
  const problem = (message: string, path: string[]) => problems.push({ message, key: path.join('.'), ...positionOf(doc, lines, path) });
  for (const [name, r] of Object.entries(bench.resources)) {
    if (!resourceKind(r.kind)) problem(`resource '${name}': unknown kind '${r.kind}'`, ['resources', name, 'kind']);
    for (const [key, value] of Object.entries(r)) {
      // Settings that name another resource must name one that exists.
      // ('link: memory' is the emulated charger's in-process endpoint, not a resource.)
      if (REF_KEYS.has(key) && typeof value === 'string' && !(value in bench.resources) && !(key === 'link' && value === 'memory'))
        problem(`resource '${name}': '${key}' names '${value}', which is not a resource of this bench`, ['resources', name, key]);
    }
  }
  if (!existsSync(join(VEHICLES_DIR, `${bench.vehicle.profile}.yaml`)))
    problem(`vehicle profile '${bench.vehicle.profile}' not found in fixtures/vehicles/`, ['vehicle', 'profile']);
  if (!existsSync(join(LIMITS_DIR, `${bench.limits.profile}.yaml`)))
    problem(`limit profile '${bench.limits.profile}' not found in fixtures/limits/`, ['limits', 'profile']);
  // Real sockets and instruments live in host time; in-process vehicles and emulators follow the bench clock.
  const realTime = Object.entries(bench.resources).find(([, r]) => REAL_TIME_KINDS.test(r.kind) && !servedInProcess(bench, r));
  if (bench.clock.kind === 'virtual' && realTime)
    problem(
      `a virtual clock only works when every resource is in-process ('${realTime[0]}' is ${realTime[1].kind}: use virtual-can / link: memory)`,
      ['clock', 'kind'],
    );
  if (problems.length) fail(file, problems);
  return bench;
}

/** An instrument driver whose instrument is an emulated one of this bench served in-process (`scpiPort: memory`). */
function servedInProcess(bench: BenchConfig, r: BenchConfig['resources'][string]): boolean {
  const emulated = (r as { emulated?: unknown }).emulated;
  // A power analyser with `emulated:` serves its emulated unit itself: in-process on a virtual clock.
  if (r.kind === 'scpi-power-analyser' && typeof emulated === 'string') return true;
  const unit = typeof emulated === 'string' ? (bench.resources[emulated] as { scpiPort?: unknown } | undefined) : undefined;
  return unit?.scpiPort === 'memory';
}

/** Kinds that talk over host sockets or to instruments: they cannot run on a virtual clock. */
const REAL_TIME_KINDS = /^(veth-link|ethernet-link|socketcan|socketcand|socketcand-hub|scpi-.*)$/;

/** Resource settings whose value is the name of another resource of the same bench. */
const REF_KEYS = new Set(['pilot', 'can', 'battery', 'link', 'hub', 'charger', 'instrument']);
