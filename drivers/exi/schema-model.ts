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
  | { kind: 'integer'; codec: 'nbit' | 'unsigned' | 'signed'; bits: number; min?: string; max?: string; baseMin?: string; baseMax?: string; big: boolean }
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
