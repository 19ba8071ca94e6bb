// Emits one specialised TypeScript codec per grammar: for every complex type a decode and an encode
// function whose switch has one case per normalised grammar state, with the event-code widths and
// value codecs baked in as constants. No tables are interpreted at run time.

import { activeProductions, bitsFor, buildTypeGrammar, type GrammarState, type Production } from './grammar.ts';
import { isArrayKey, type SchemaModel, type SimpleModel } from '../../drivers/exi/schema-model.ts';
import { stateFlow } from './emit-flow.ts';
import { ValueEmitter } from './emit-values.ts';

const lit = (s: string) => JSON.stringify(s);

/**
 * libcbv2g-family encoders (cbexigen) unroll a repetition of at most 2 items exactly as EXI 1.0 does, but
 * write larger ones as one LOOP state that keeps "one more item" after maxOccurs (see
 * drivers/exi/deviations.ts). Seen in their generated -20 encoders: AuthorizationServices (max 2) unrolled,
 * ScheduleTuple (max 3), Service (max 8) and the others looped.
 */
const C_LOOP_MIN_MAX_OCCURS = 3;

/** How the decoder reads the event code of a state whose repetition reached maxOccurs (undefined: plainly). */
function readAtMaxOccurs(s: GrammarState, st: string): string | undefined {
  const l = s.limit;
  if (!l || l.max < C_LOOP_MIN_MAX_OCCURS) return undefined;
  const full = activeProductions(s, false);
  const loopCode = full.findIndex((p) => p.ev === 'SE' && p.name === l.name && p.ns === l.ns);
  if (loopCode < 0) return undefined;
  const strictBits = bitsFor(activeProductions(s, true).length + 1);
  return `r.codeAtMaxOccurs(${strictBits}, ${bitsFor(full.length + 1)}, ${loopCode}, ${lit(l.name)}, ${l.max}, o, ${st})`;
}

export interface EmittedCodec {
  code: string;
  /** Local names of the global elements, in document-grammar order. */
  roots: string[];
}

export function emitCodec(model: SchemaModel, grammarName: string): EmittedCodec {
  const lines: string[] = [];
  const L = (s: string) => lines.push(s);
  const values = new ValueEmitter();
  const constant = (expr: string, prefix: string) => values.constant(expr, prefix);
  const simpleOf = (typeKey: string): SimpleModel => {
    const t = model.types[typeKey];
    if (!t || t.kind !== 'simple') throw new Error(`not a simple type: ${typeKey}`);
    return t.simple;
  };

  const keyOf = (p: Production): string => (p.ev === 'AT' ? `@${p.name}` : p.ev === 'SE' ? p.name : '#text');

  for (const [typeKey, t] of Object.entries(model.types).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (t.kind !== 'complex') continue;
    const g = buildTypeGrammar(t);
    const name = t.tsName;
    // One JSON key per local name: two namespaces with the same local name in a type would collide.
    const keyNs = new Map<string, string>();
    for (const s of g.states)
      for (const p of s.prods)
        if (p.ev === 'SE' || p.ev === 'AT') {
          const k = keyOf(p);
          if (keyNs.has(k) && keyNs.get(k) !== p.ns) throw new Error(`${name}: key ${k} in two namespaces`);
          keyNs.set(k, p.ns);
        }
    const keys = [...keyNs.keys()];
    if (t.simpleContent) keys.push('#text');
    const arrayKeys = new Set(keys.filter((k) => !k.startsWith('@') && k !== '#text' && isArrayKey(t, k)));
    const stateLabel = (s: GrammarState) => lit(`${name}#${s.id}`);

    // ---------- decoder ----------
    const flow = stateFlow(g.states);
    L(`function d_${name}(r: BitReader): any {`);
    L(`  const o: any = {};`);
    L(`  let s = 0;`);
    flow.open(L);
    for (const s of g.states) {
      const st = stateLabel(s);
      flow.enter(L, s);
      const emitVariant = (prods: Production[], indent: string, read?: string) => {
        const width = bitsFor(prods.length + 1);
        L(`${indent}const c = ${read ?? `r.bits(${width}, ${st})`};`);
        prods.forEach((p, code) => {
          const head = `${indent}if (c === ${code}) {`;
          if (p.ev === 'EE') return L(`${head} return o; }`);
          if (p.ev === 'SE*') return L(`${head} return r.fail('wildcard element content (SE(*)) not supported', ${st}); }`);
          if (p.ev === 'CH*') return L(`${head} return r.fail('mixed text content not supported', ${st}); }`);
          const k = keyOf(p);
          const store = (v: string) => (arrayKeys.has(k) ? `(o[${lit(k)}] ??= []).push(${v});` : `o[${lit(k)}] = ${v};`);
          const next = flow.goto(s, p.target);
          if (p.ev === 'AT' || p.ev === 'CH') {
            const q = p.ev === 'AT' ? p : { ns: '', name: '#text' };
            return L(`${head} ${store(values.decode(simpleOf(p.type), q, st))} ${next} }`);
          }
          const ct = model.types[p.type];
          if (ct.kind === 'complex') return L(`${head} ${store(`d_${ct.tsName}(r)`)} ${next} }`);
          L(`${head} const st = ${lit(`${name}#${s.id}>${p.name}`)}; ${values.decodeWrapped(ct.simple, p, 'st')} ${store('v')} ${next} }`);
        });
        L(`${indent}return r.badCode(c, ${prods.length}, ${st});`);
      };
      if (s.limit) {
        L(`${flow.indent}if ((o[${lit(s.limit.name)}]?.length ?? 0) < ${s.limit.max}) {`);
        emitVariant(activeProductions(s, false), `${flow.indent}  `);
        L(`${flow.indent}} else {`);
        emitVariant(activeProductions(s, true), `${flow.indent}  `, readAtMaxOccurs(s, st));
        L(`${flow.indent}}`);
      } else emitVariant(s.prods, flow.indent);
      flow.leave(L, s);
    }
    flow.close(L, `return r.fail('internal: bad state', ${lit(name)});`);
    L(`}`);

    // ---------- encoder ----------
    const counters = new Map(keys.map((k, i) => [k, `u${i}`]));
    const allowed = constant(`new Set<string>(${JSON.stringify(keys)})`, 'K');
    L(`function e_${name}(w: BitWriter, x: unknown): void {`);
    L(`  const v = chkObject(x, ${lit(name)});`);
    L(`  let s = 0;`);
    L(`  let used = 0;`);
    if (keys.length) L(`  let ${keys.map((k) => `${counters.get(k)} = 0`).join(', ')};`);
    flow.open(L);
    for (const s of g.states) {
      flow.enter(L, s);
      const emitVariant = (prods: Production[], indent: string) => {
        const width = bitsFor(prods.length + 1);
        const expected: string[] = [];
        let hasEE = false;
        prods.forEach((p, code) => {
          if (p.ev === 'SE*' || p.ev === 'CH*') return;
          if (p.ev === 'EE') {
            hasEE = true;
            const leftovers = [...arrayKeys]
              .map((k) => `chkAllItemsUsed(v[${lit(k)}], ${counters.get(k)}, ${lit(`${name}.${k}`)}); `)
              .join('');
            L(`${indent}w.bits(${code}, ${width}); chkAllKeysUsed(v, used, ${allowed}, ${lit(name)}); ${leftovers}return;`);
            return;
          }
          const k = keyOf(p);
          expected.push(k);
          const u = counters.get(k)!;
          const at = lit(`${name}.${k}`);
          const next = flow.goto(s, p.target);
          // The event code and the content it introduces.
          let body: string;
          if (p.ev === 'AT' || p.ev === 'CH') body = values.writeEvent(code, width, simpleOf(p.type), 'item', at, false);
          else {
            const ct = model.types[p.type];
            body =
              ct.kind === 'complex'
                ? `w.bits(${code}, ${width}); e_${ct.tsName}(w, item);`
                : values.writeEvent(code, width, ct.simple, 'item', at, true);
          }
          const key = `v[${lit(k)}]`;
          if (arrayKeys.has(k)) {
            L(
              `${indent}if (${key} !== undefined) { const a = chkArray(${key}, ${at}); if (${u} < a.length) { const item = a[${u}]; ${body} if (${u}++ === 0) used++; ${next} } }`,
            );
          } else {
            L(`${indent}if (${u} === 0 && ${key} !== undefined) { const item = ${key}; ${body} ${u} = 1; used++; ${next} }`);
          }
        });
        if (!hasEE) L(`${indent}return missing(${lit(expected.join(' or ') || 'nothing encodable')}, ${lit(name)});`);
      };
      if (s.limit) {
        L(`${flow.indent}if (${counters.get(s.limit.name)} < ${s.limit.max}) {`);
        emitVariant(activeProductions(s, false), `${flow.indent}  `);
        L(`${flow.indent}} else {`);
        emitVariant(activeProductions(s, true), `${flow.indent}  `);
        L(`${flow.indent}}`);
      } else emitVariant(s.prods, flow.indent);
      flow.leave(L, s);
    }
    flow.close(L, `throw new Error('internal: bad state');`);
    L(`}`);
    void typeKey;
  }

  // ---------- document grammar ----------
  const roots = model.globals.map((g) => g.name);
  if (new Set(roots).size !== roots.length) throw new Error(`${grammarName}: two global elements share a local name`);
  const docWidth = bitsFor(model.globals.length + 1);
  L(`/** DocContent: SE(G0..Gn-1) sorted by qname, then SE(*); DocEnd has only ED (0 bits). */`);
  L(`export function decodeDocument(r: BitReader): Record<string, unknown> {`);
  L(`  const c = r.bits(${docWidth}, 'DocContent');`);
  L(`  switch (c) {`);
  model.globals.forEach((gl, i) => {
    const t = model.types[gl.type];
    if (t.kind === 'complex') L(`    case ${i}: return { ${lit(gl.name)}: d_${t.tsName}(r) };`);
    else {
      const st = lit(`${gl.name}`);
      L(
        `    case ${i}: { r.simpleStart(${st}); const v = ${values.decode(t.simple, gl, st)}; r.simpleEnd(${st}); return { ${lit(gl.name)}: v }; }`,
      );
    }
  });
  L(`    default: return r.badCode(c, ${model.globals.length}, 'DocContent');`);
  L(`  }`);
  L(`}`);
  L(``);
  L(`const ROOT_CODES = new Map<string, number>(${JSON.stringify(roots.map((r, i) => [r, i]))});`);
  L(`export function encodeDocument(w: BitWriter, root: string, value: unknown): void {`);
  L(`  const code = ROOT_CODES.get(root);`);
  L(`  if (code === undefined) throw new ExiEncodeError('not a global element of the ${grammarName} grammar', root);`);
  L(`  w.bits(code, ${docWidth});`);
  L(`  switch (code) {`);
  model.globals.forEach((gl, i) => {
    const t = model.types[gl.type];
    if (t.kind === 'complex') L(`    case ${i}: e_${t.tsName}(w, value); return;`);
    else L(`    case ${i}: { const item = value; w.bits(0, 1); ${values.encode(t.simple, 'item', lit(gl.name))} w.bits(0, 1); return; }`);
  });
  L(`  }`);
  L(`}`);

  // ---------- fragment grammar (§8.5.2), used for signature digests over single elements ----------
  const frags = model.fragmentElements;
  const fragWidth = bitsFor(frags.length + 2);
  const fragCodes = frags.map((f, i) => [f.name, f.ns, i, f.type] as const);
  const fragNames = new Map<string, number>();
  for (const [n, , i, t] of fragCodes) if (t !== null) fragNames.set(n, fragNames.has(n) ? -1 : i);
  L(`/** FragmentContent: SE(F0..Fn-1) over every declared element qname, SE(*), ED. One element per fragment. */`);
  L(`export function decodeFragment(r: BitReader): Record<string, unknown> {`);
  L(`  const c = r.bits(${fragWidth}, 'FragmentContent');`);
  L(`  let out: Record<string, unknown>;`);
  L(`  switch (c) {`);
  for (const [n, , i, tk] of fragCodes) {
    if (tk === null) continue;
    const t = model.types[tk];
    if (t.kind === 'complex') L(`    case ${i}: out = { ${lit(n)}: d_${t.tsName}(r) }; break;`);
    else
      L(
        `    case ${i}: { const st = ${lit(n)}; r.simpleStart(st); const v = ${values.decode(t.simple, { ns: frags[i].ns, name: n }, 'st')}; r.simpleEnd(st); out = { ${lit(n)}: v }; break; }`,
      );
  }
  L(`    case ${frags.length + 1}: return r.fail('empty fragment', 'FragmentContent');`);
  L(
    `    default: return r.fail(c < ${frags.length + 1} ? 'fragment element not supported (wildcard or relaxed element-fragment grammar)' : \`event code \${c} not defined\`, 'FragmentContent');`,
  );
  L(`  }`);
  L(`  const end = r.bits(${fragWidth}, 'FragmentContent');`);
  L(`  if (end !== ${frags.length + 1}) r.fail('only single-element fragments are supported (expected ED)', 'FragmentContent');`);
  L(`  return out;`);
  L(`}`);
  L(``);
  L(`const FRAGMENT_CODES = new Map<string, number>(${JSON.stringify([...fragNames].filter(([, i]) => i >= 0))});`);
  L(`export function encodeFragment(w: BitWriter, root: string, value: unknown): void {`);
  L(`  const code = FRAGMENT_CODES.get(root);`);
  L(
    `  if (code === undefined) throw new ExiEncodeError('not an element with a single type in the ${grammarName} fragment grammar', root);`,
  );
  L(`  w.bits(code, ${fragWidth});`);
  L(`  switch (code) {`);
  for (const [n, , i, tk] of fragCodes) {
    if (tk === null || fragNames.get(n) !== i) continue;
    const t = model.types[tk];
    if (t.kind === 'complex') L(`    case ${i}: e_${t.tsName}(w, value); break;`);
    else L(`    case ${i}: { const item = value; w.bits(0, 1); ${values.encode(t.simple, 'item', lit(n))} w.bits(0, 1); break; }`);
  }
  L(`  }`);
  L(`  w.bits(${frags.length + 1}, ${fragWidth});`);
  L(`}`);
  L(``);

  const header = [
    `// GENERATED by tools/generate-exi.ts from the ${grammarName} schemas: do not edit by hand.`,
    `/* eslint-disable */`,
    `import type { BitReader } from '../runtime/bit-reader.ts';`,
    `import { type BitWriter, base64ToBytes } from '../runtime/bit-writer.ts';`,
    `import { ExiEncodeError } from '../errors.ts';`,
    `import { chkAllItemsUsed, chkAllKeysUsed, chkArray, chkBig, chkBool, chkInt, chkObject, chkOctets, chkString, enumIndex, missing, writeUnsignedBig } from '../runtime/value-checks.ts';`,
    ``,
    `/** Global elements in document-grammar order (the root event code is the index). */`,
    `export const ROOT_ELEMENTS: readonly string[] = ${JSON.stringify(roots)};`,
    ``,
    ...values.consts,
    ``,
  ];
  return { code: [...header, ...lines, ''].join('\n'), roots };
}
