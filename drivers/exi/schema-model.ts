// The schema model the EXI generator works from: XSD constructs resolved into flat, EXI-relevant
// facts (qualified names, content particles with substitution groups expanded, simple types reduced to
// the EXI codec they use). It is also emitted into drivers/exi/generated so tests can derive
// fast-check arbitraries from the same facts the codec was generated from.

/** How a simple value is coded in EXI (W3C EXI 1.0 §7) plus the facets the encoder checks. */
export type SimpleModel =
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  /** nbit: (value - min) in `bits` bits (bounded range ≤ 4096); unsigned/signed: variable length.
   *  min/max are decimal strings (they can exceed 2^53). `big`: values may exceed 2^53. */
  | {
      kind: 'integer';
      codec: 'nbit' | 'unsigned' | 'signed';
      bits: number;
      min?: string;
      max?: string;
      baseMin?: string;
      baseMax?: string;
      big: boolean;
    }
  | { kind: 'string'; maxLength?: number; length?: number }
  | { kind: 'binary'; encoding: 'hex' | 'base64'; maxLength?: number; length?: number };

/** One SE alternative of an element particle (the element itself or a member of its substitution group). */
export interface ElementUse {
  name: string;
  ns: string;
  /** Key into SchemaModel.types. */
  type: string;
}

export type Particle =
  | { k: 'el'; min: number; max: number; alts: ElementUse[] }
  | { k: 'any'; min: number; max: number }
  | { k: 'seq' | 'choice'; min: number; max: number; items: Particle[] };

export interface AttributeUse {
  name: string;
  ns: string;
  type: string;
  required: boolean;
}

export type TypeModel =
  | { kind: 'simple'; tsName: string; simple: SimpleModel }
  | {
      kind: 'complex';
      tsName: string;
      attrs: AttributeUse[];
      /** null: empty content. */
      content: Particle | null;
      /** Key of the simple type when the type has simple content. */
      simpleContent?: string;
      mixed: boolean;
    };

export interface SchemaModel {
  /** Global elements sorted as the EXI document grammar orders them (local name, then namespace). */
  globals: ElementUse[];
  /**
   * Schema-informed fragment grammar (§8.5.2): every element qname declared anywhere in the schema set
   * (global and local, also inside unused types), sorted by qname. `type` is null when declarations
   * of that qname have different types (the relaxed element-fragment grammar, not generated).
   */
  fragmentElements: Array<{ name: string; ns: string; type: string | null }>;
  types: Record<string, TypeModel>;
}

/** Unbounded maxOccurs. */
export const UNBOUNDED = -1;

/** EXI qname order: local name first, then namespace URI (code-point order). */
export function compareQName(a: { name: string; ns: string }, b: { name: string; ns: string }): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return 0;
}

/** min/max occurrences of each element name in a particle (max -1 = unbounded). */
export function occurrences(p: Particle | null): Map<string, { min: number; max: number }> {
  const out = new Map<string, { min: number; max: number }>();
  if (!p) return out;
  const mulMax = (a: number, b: number) => (a === UNBOUNDED || b === UNBOUNDED ? UNBOUNDED : a * b);
  const addMax = (a: number, b: number) => (a === UNBOUNDED || b === UNBOUNDED ? UNBOUNDED : a + b);
  if (p.k === 'any') return out;
  if (p.k === 'el') {
    for (const a of p.alts) out.set(a.name, { min: p.alts.length === 1 ? p.min : 0, max: p.max });
    return out;
  }
  const parts = p.items.map(occurrences);
  const names = new Set(parts.flatMap((m) => [...m.keys()]));
  for (const n of names) {
    let min = p.k === 'seq' ? 0 : Infinity;
    let max = 0;
    for (const m of parts) {
      const o = m.get(n) ?? { min: 0, max: 0 };
      if (p.k === 'seq') {
        min += o.min;
        max = addMax(max, o.max);
      } else {
        min = Math.min(min, o.min);
        max = max === UNBOUNDED || o.max === UNBOUNDED ? UNBOUNDED : Math.max(max, o.max);
      }
    }
    out.set(n, { min: min * p.min, max: mulMax(max, p.max) });
  }
  return out;
}

/** Whether an element name maps to a JSON array in this type (it can occur more than once). */
export function isArrayKey(t: Extract<TypeModel, { kind: 'complex' }>, name: string): boolean {
  const o = occurrences(t.content).get(name);
  return o !== undefined && (o.max === UNBOUNDED || o.max > 1);
}
