// Everything wrong with a bench file, in one pass: each schema error becomes one problem at the line and
// column of the key it is about. A misspelt key is named where it is written, with the schema's closest key
// as a did-you-mean — and when that key is a required one, the "required but missing" error it causes at
// the parent is dropped (it is the same mistake).

import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';

export interface BenchProblem {
  message: string;
  /** Dotted path of the key the problem is about ('charger.ratings.maxCurrentAmps'). */
  key?: string;
  line?: number;
  col?: number;
}

interface Located {
  path: string[];
  key?: string;
  err: ErrorObject;
}

export function schemaProblems(errors: ErrorObject[], doc: Document, lines: LineCounter): BenchProblem[] {
  const real = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'allOf');
  const located: Located[] = real.map((err) => ({ ...location(err), err }));
  const dropped = new Set<string>();
  const problems: BenchProblem[] = [];
  for (const l of located) {
    if (l.err.keyword !== 'additionalProperties' || !l.key) continue;
    const known = Object.keys((l.err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const missing = located.filter((m) => m.err.keyword === 'required' && m.path.join('.') === l.path.join('.')).map((m) => m.key!);
    const guess = didYouMean(l.key, missing) ?? didYouMean(l.key, known);
    if (guess && missing.includes(guess)) dropped.add([...l.path, guess].join('.'));
    const hint = guess ? `did you mean '${guess}'?` : known.length ? `known here: ${known.join(', ')}` : 'see benches/bench.schema.json';
    problems.push(at(doc, lines, l, `is not a known setting here — ${hint}`));
  }
  for (const l of located) {
    if (l.err.keyword === 'additionalProperties') continue;
    if (l.err.keyword === 'required' && dropped.has([...l.path, l.key!].join('.'))) continue;
    problems.push(at(doc, lines, l, describe(l.err)));
  }
  return dedupe(problems).sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function at(doc: Document, lines: LineCounter, l: Located, what: string): BenchProblem {
  const key = [...l.path, ...(l.key ? [l.key] : [])].join('.') || '(top)';
  // A missing key has no position of its own: it is reported at its parent's key.
  return { message: `'${key}' ${what}`, key, ...positionOf(doc, lines, l.path, l.key) };
}

function dedupe(problems: BenchProblem[]): BenchProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function location(e: ErrorObject): { path: string[]; key?: string } {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'additionalProperties') return { path, key: String((e.params as { additionalProperty: string }).additionalProperty) };
  if (e.keyword === 'required') return { path, key: String((e.params as { missingProperty: string }).missingProperty) };
  return { path };
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
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

/** The closest candidate by edit distance (case-insensitive), if it is close enough to be a typo. */
export function didYouMean(word: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  const allowed = Math.max(2, Math.ceil(word.length / 3));
  // A key extended with a suffix ('maxCurrentAmps' for 'maxCurrentA') is a typo too.
  const prefix = candidates.find((c) => c.length >= 4 && word.toLowerCase().startsWith(c.toLowerCase()));
  if (best && best.d <= allowed) return best.c;
  return prefix;
}

/** Levenshtein distance, with a swap of two neighbours counting one (Damerau's transposition). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Line and column of the node at path (of the key itself when `key` is given), or of the nearest existing parent. */
export function positionOf(doc: Document, lines: LineCounter, path: string[], key?: string): { line: number; col: number } {
  let node: Node | null | undefined = doc.contents as Node;
  let pos = { line: 1, col: 1 };
  const segs = key ? [...path, key] : path;
  for (const [i, seg] of segs.entries()) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
    if (!pair) break;
    const k = pair.key as Node;
    if (k.range) pos = lines.linePos(k.range[0]);
    node = pair.value as Node;
    // The last segment without a key: the value is what is wrong (its type or range).
    if (i === segs.length - 1 && !key && node?.range) pos = lines.linePos(node.range[0]);
  }
  if (!key && path.length === 0 && node?.range) pos = lines.linePos(node.range[0]);
  return pos;
}
