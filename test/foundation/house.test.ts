// House rules a newcomer relies on, checked on the tree as it is (issue 15): no import cycle among our own
// files, imports run the way DESIGN.md's layout says, and no hand-written file grows past 400 lines unless
// its header says why it stays whole. "Suites never import emulator/" is layering.test.ts's rule, not
// repeated here. Imports are read with the TypeScript parser, so a specifier quoted in a comment or string
// is not mistaken for an import.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers.ts';

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** Never ours to keep short or acyclic: dependencies, run output, scratch space. */
const SKIPPED_DIRS = new Set(['node_modules', 'out', '.git', '.tmp']);
/** Written by tools/, not by hand: exempt from the length rule (still part of the import graph). */
const GENERATED = ['drivers/exi/generated/', 'fixtures/pki/generated/'];
const MAX_LINES = 400;
/** A file over MAX_LINES keeps its length only if a line of its leading comment says why after this. */
const STAYS_WHOLE = /stays whole:\s*\S.{10,}/i;

export interface Import {
  specifier: string;
  /** `import type …`, `export type … from`, or every named binding marked `type`: erased before run time. */
  typeOnly: boolean;
}

export function importsOf(fileName: string, text: string): Import[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allNamedAreTypes = !!named && named.length > 0 && !clause?.name && named.every((e) => e.isTypeOnly);
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: !!clause && (clause.isTypeOnly || allNamedAreTypes) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const allNamedAreTypes = !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || allNamedAreTypes });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const ref = node.moduleReference.expression;
      if (ts.isStringLiteral(ref)) out.push({ specifier: ref.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) out.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, typeOnly: true }); // `typeof import('./x.ts')`
    }
    ts.forEachChild(node, visit);
  };
  // Declarations sit at the top level; only a file that calls import()/require() needs the deep walk
  // (which the large generated codecs would otherwise pay for).
  if (/\b(import|require)\s*\(/.test(text)) visit(sf);
  else sf.statements.forEach(visit);
  return out;
}

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : codeFiles(join(dir, e.name));
    return CODE.test(e.name) ? [join(dir, e.name)] : [];
  });
}

const rel = (abs: string): string => relative(ROOT, abs);
const isGenerated = (file: string): boolean => GENERATED.some((g) => rel(file).startsWith(g));

interface Edge {
  from: string; // repository-relative path
  specifier: string;
  /** Repository-relative target for a relative specifier; undefined for a package. */
  to?: string;
  typeOnly: boolean;
}

let cachedEdges: Edge[] | undefined;
function allEdges(): Edge[] {
  cachedEdges ??= codeFiles(ROOT).flatMap((file) =>
    importsOf(file, readFileSync(file, 'utf8')).map(({ specifier, typeOnly }) => ({
      from: rel(file),
      specifier,
      to: specifier.startsWith('.') ? rel(resolve(dirname(file), specifier)) : undefined,
      typeOnly,
    })),
  );
  return cachedEdges;
}

/**
 * Every elementary-enough cycle: one per strongly connected component of more than one file (or a file
 * importing itself), shown as a shortest loop through the component's first file, so the message names
 * real files and imports a reader can open. Tarjan's algorithm, iterative enough for our depth.
 */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return components.map((comp) => shortestLoop(graph, comp[0], new Set(comp)));
}

function shortestLoop(graph: Map<string, string[]>, start: string, within: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** Does a specifier or resolved path land in one of these top-level folders (or packages)? */
function hits(edge: Edge, folders: string[], packages: RegExp | undefined): boolean {
  if (edge.to !== undefined) return folders.some((f) => edge.to!.startsWith(f + '/'));
  return packages !== undefined && packages.test(edge.specifier);
}

const describeEdge = (e: Edge): string => `${e.from} → ${e.specifier}`;

describe('house rules (issue 15)', function () {
  it('no import cycle among our own files (type-only imports excluded: they are erased before run time)', function () {
    // A type-only import (`import type`, `export type … from`, `import { type A }`) is removed by tsx and
    // tsc before the module runs, so it cannot change evaluation order or leave a binding undefined; the
    // rule is about cycles that execute. Every other import, re-export, import() and require() counts.
    const graph = new Map<string, string[]>();
    for (const e of allEdges()) {
      if (e.typeOnly || e.to === undefined) continue;
      graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    }
    const found = cycles(graph).map((loop) => loop.join(' → '));
    expect(found, 'break each cycle: move what both sides need into a third file both import').to.deep.equal([]);
  });

  it('drivers/ never imports emulator/, benches/, runner/, suites/, reports/, or mocha, chai, Allure', function () {
    const upward = ['emulator', 'benches', 'runner', 'suites', 'reports'];
    const offending = allEdges()
      .filter((e) => e.from.startsWith('drivers/') && hits(e, upward, /^(mocha|chai|allure-[\w-]+|@types\/(mocha|chai))(\/|$)/))
      .map(describeEdge);
    expect(offending, 'drivers talk to wires and instruments only; move the shared piece down into drivers/').to.deep.equal([]);
  });

  it('emulator/ never imports benches/, runner/ or suites/', function () {
    const offending = allEdges()
      .filter((e) => e.from.startsWith('emulator/') && hits(e, ['benches', 'runner', 'suites'], undefined))
      .map(describeEdge);
    expect(offending, 'the emulator sits below the benches; hand it what it needs, do not let it reach up').to.deep.equal([]);
  });

  it('benches/ never imports runner/ or suites/', function () {
    const offending = allEdges()
      .filter((e) => e.from.startsWith('benches/') && hits(e, ['runner', 'suites'], undefined))
      .map(describeEdge);
    expect(offending, 'a bench is opened by the run engine, never the other way round').to.deep.equal([]);
  });

  it('only reports/ imports allure-js-commons or allure-mocha', function () {
    const offending = allEdges()
      .filter((e) => !e.from.startsWith('reports/') && /^allure-(js-commons|mocha)(\/|$)/.test(e.specifier))
      .map(describeEdge);
    expect(offending, 'evidence goes through reports/ so Allure stays replaceable in one folder').to.deep.equal([]);
  });

  it(`no hand-written file over ${MAX_LINES} lines unless its leading comment says "stays whole: <why>"`, function () {
    const offending = codeFiles(ROOT)
      .filter((f) => !isGenerated(f))
      .flatMap((f) => {
        const lines = readFileSync(f, 'utf8').replace(/\n$/, '').split('\n');
        if (lines.length <= MAX_LINES || leadingComment(lines).some((l) => STAYS_WHOLE.test(l))) return [];
        return [`${rel(f)}: ${lines.length} lines`];
      });
    expect(offending, 'split the file along its concerns, or say at its top why it stays whole').to.deep.equal([]);
  });

  it('the scanners see what they must (fixtures kept in strings, so this file imports none of them)', function () {
    const probe = [
      "import type { A } from './type-only.ts';",
      "import { type B, type C } from './inline-types.ts';",
      "import { type D, e } from './mixed.ts';",
      "export * from './re-export.ts';",
      "export type { F } from './type-re-export.ts';",
      "const g = await import('./dynamic.ts');",
      "// import { h } from './in-a-comment.ts';",
      'const s = "import { i } from \'./in-a-string.ts\'";',
    ].join('\n');
    expect(importsOf('probe.ts', probe)).to.deep.equal([
      { specifier: './type-only.ts', typeOnly: true },
      { specifier: './inline-types.ts', typeOnly: true },
      { specifier: './mixed.ts', typeOnly: false },
      { specifier: './re-export.ts', typeOnly: false },
      { specifier: './type-re-export.ts', typeOnly: true },
      { specifier: './dynamic.ts', typeOnly: false },
    ]);
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(graph)).to.deep.equal([
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
    expect(leadingComment(['#!/usr/bin/env node', '// one', '/* two', '   stays whole: x */', 'code', '// late'])).to.deep.equal([
      '// one',
      '/* two',
      '   stays whole: x */',
    ]);
  });
});

/** The comment lines a file opens with (after a shebang; blank lines skipped), up to the first line of code. */
function leadingComment(lines: string[]): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if ((i === 0 && t.startsWith('#!')) || (t === '' && !inBlock)) continue;
    if (inBlock) {
      out.push(line);
      if (t.includes('*/')) inBlock = false;
    } else if (t.startsWith('//')) out.push(line);
    else if (t.startsWith('/*')) {
      out.push(line);
      inBlock = !t.includes('*/', 2);
    } else break;
  }
  return out;
}
