// fast-check arbitraries for EXI documents, derived from the generated schema model (the same facts the
// codec was generated from), so every root element of every grammar gets valid random messages without
// hand-written per-message generators.

import fc from 'fast-check';
import {
  isArrayKey,
  UNBOUNDED,
  type Particle,
  type SchemaModel,
  type SimpleModel,
  type TypeModel,
} from '../../../drivers/exi/schema-model.ts';

type Entries = Array<[string, unknown]>;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface ArbitraryOptions {
  /** Longest array for maxOccurs above `fullArraysUpTo` (and for unbounded). */
  arrayCap: number;
  /** Arrays with maxOccurs up to this value sometimes get exactly maxOccurs items (exercises the limit states). */
  fullArraysUpTo: number;
}

const DEFAULTS: ArbitraryOptions = { arrayCap: 3, fullArraysUpTo: 20 };

export function simpleArbitrary(s: SimpleModel): fc.Arbitrary<unknown> {
  switch (s.kind) {
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...s.values);
    case 'integer': {
      if (!s.big) return fc.integer({ min: Number(s.min), max: Number(s.max) });
      const min = s.min !== undefined ? BigInt(s.min) : -(2n ** 80n);
      const max = s.max !== undefined ? BigInt(s.max) : 2n ** 80n;
      const toJson = (b: bigint) => (b >= -SAFE && b <= SAFE ? Number(b) : b.toString());
      // Mostly everyday values, sometimes the extremes and beyond-2^53 values.
      return fc
        .oneof(
          { weight: 4, arbitrary: fc.bigInt({ min: min > 0n ? min : 0n, max: max < 100000n ? max : 100000n }) },
          { weight: 1, arbitrary: fc.bigInt({ min, max }) },
          { weight: 1, arbitrary: fc.constantFrom(min, max) },
        )
        .map(toJson);
    }
    case 'string': {
      const maxLength = Math.min(s.maxLength ?? 24, 40);
      return fc.oneof(fc.string({ maxLength, unit: 'grapheme-ascii' }), fc.string({ maxLength, unit: 'binary' }));
    }
    case 'binary': {
      const len = s.length !== undefined ? { minLength: s.length, maxLength: s.length } : { maxLength: Math.min(s.maxLength ?? 24, 40) };
      return fc
        .uint8Array(len)
        .map((b) => (s.encoding === 'hex' ? Buffer.from(b).toString('hex').toUpperCase() : Buffer.from(b).toString('base64')));
    }
  }
}

export class DocumentArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<unknown> | null>();
  private readonly opts: ArbitraryOptions;

  constructor(
    readonly model: SchemaModel,
    opts: Partial<ArbitraryOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** { root: content } for a global element, or null if the schema needs content we do not generate (wildcards). */
  document(root: string): fc.Arbitrary<Record<string, unknown>> | null {
    const g = this.model.globals.find((x) => x.name === root);
    if (!g) throw new Error(`no global element ${root}`);
    const a = this.type(g.type);
    return a ? a.map((v) => ({ [root]: v })) : null;
  }

  type(key: string): fc.Arbitrary<unknown> | null {
    if (this.cache.has(key)) return this.cache.get(key)!;
    const t: TypeModel = this.model.types[key];
    if (t.kind === 'simple') {
      const a = simpleArbitrary(t.simple);
      this.cache.set(key, a);
      return a;
    }
    // Recursive types get a lazy placeholder (none in the V2G schemas, but stay safe).
    this.cache.set(key, null);
    const arrays = new Set<string>();
    const parts: fc.Arbitrary<Entries>[] = [];
    for (const at of t.attrs) {
      const a = this.type(at.type);
      if (!a) return null;
      const entry = a.map((v): Entries => [[`@${at.name}`, v]]);
      parts.push(at.required ? entry : fc.option(entry, { nil: [] as Entries }).map((e) => e ?? []));
    }
    if (t.simpleContent) {
      const a = this.type(t.simpleContent);
      if (!a) return null;
      parts.push(a.map((v): Entries => [['#text', v]]));
    }
    if (t.content) {
      for (const n of elementNames(t.content)) if (isArrayKey(t, n)) arrays.add(n);
      const c = this.particle(t.content, false);
      if (!c) return null;
      parts.push(c);
    }
    const arb = fc.tuple(...parts).map((lists) => {
      const o: Record<string, unknown> = {};
      for (const list of lists)
        for (const [k, v] of list) {
          if (arrays.has(k)) ((o[k] ??= []) as unknown[]).push(v);
          else o[k] = v;
        }
      return o;
    });
    this.cache.set(key, arb);
    return arb;
  }

  private count(min: number, max: number): fc.Arbitrary<number> {
    const cap = max === UNBOUNDED ? this.opts.arrayCap : Math.min(max, this.opts.arrayCap);
    const normal = fc.integer({ min, max: Math.max(min, cap) });
    if (max !== UNBOUNDED && max > cap && max <= this.opts.fullArraysUpTo)
      return fc.oneof({ weight: 4, arbitrary: normal }, { weight: 1, arbitrary: fc.constant(max) });
    return normal;
  }

  /** Entries in document order; null when the particle cannot be satisfied (required wildcard). */
  private particle(p: Particle, inRepeat: boolean): fc.Arbitrary<Entries> | null {
    const repeated = p.max === UNBOUNDED || p.max > 1;
    if (p.k === 'any') return p.min === 0 ? fc.constant([]) : null;
    if (p.k === 'el') {
      const alts = p.alts
        .map((a) => {
          const ta = this.type(a.type);
          return ta ? ta.map((v): [string, unknown] => [a.name, v]) : null;
        })
        .filter((a) => a !== null);
      if (alts.length === 0) return p.min === 0 ? fc.constant([]) : null;
      const one = fc.oneof(...alts);
      return this.count(p.min, p.max).chain((n) => fc.array(one, { minLength: n, maxLength: n }));
    }
    const items = p.items.map((i) => this.particle(i, inRepeat || repeated));
    let once: fc.Arbitrary<Entries> | null;
    if (p.k === 'seq') once = items.some((i) => i === null) ? null : fc.tuple(...(items as fc.Arbitrary<Entries>[])).map((l) => l.flat());
    else {
      const ok = items.filter((i) => i !== null);
      once = ok.length ? fc.oneof(...ok) : null;
    }
    if (!once) return p.min === 0 ? fc.constant([]) : null;
    const group = once;
    return this.count(p.min, p.max).chain((n) => fc.array(group, { minLength: n, maxLength: n }).map((l) => l.flat()));
  }
}

function elementNames(p: Particle): string[] {
  if (p.k === 'el') return p.alts.map((a) => a.name);
  if (p.k === 'any') return [];
  return p.items.flatMap(elementNames);
}
