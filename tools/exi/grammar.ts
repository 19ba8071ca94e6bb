// Schema-informed EXI element grammars (W3C EXI 1.0 §8.5.4) for one complex type.
//
// The type's attribute uses and content particle become a small automaton with ε-moves (the spec's
// "proto-grammar"), which is normalised by ε-closure and subset construction (the spec's elimination
// of ε-productions and of duplicate terminals). Event codes follow §8.5.4.3: AT(qname) sorted by
// qname, then SE(qname) in schema order, then SE(*), then EE, then CH. Non-strict mode (the V2G
// default) always adds undeclared productions at the second level, so a state with n declared
// productions uses ceil(log2(n + 1)) bits for its first-level code.
//
// Bounded repetitions (maxOccurs = 2..2048) are not unrolled: one loop state carries the count and the
// SE production of the repeated element is present only while count < maxOccurs, which gives the
// same event codes as the spec's unrolled grammar.

import { compareQName, UNBOUNDED, type ElementUse, type Particle, type TypeModel } from '../../drivers/exi/schema-model.ts';

export type Production =
  | { ev: 'AT'; name: string; ns: string; type: string; target: number }
  | { ev: 'SE'; name: string; ns: string; type: string; target: number; order: number }
  | { ev: 'SE*'; target: number }
  | { ev: 'EE' }
  | { ev: 'CH'; type: string; target: number }
  | { ev: 'CH*'; target: number };

export interface GrammarState {
  id: number;
  prods: Production[];
  /** When set, productions SE(limit.name) exist only while fewer than limit.max such elements were read. */
  limit?: { name: string; ns: string; max: number };
}

export interface TypeGrammar {
  states: GrammarState[];
}

interface NfaTransition {
  ev: 'AT' | 'SE' | 'SE*' | 'CH' | 'CH*';
  use?: ElementUse;
  order: number;
  to: number;
}
interface NfaNode {
  eps: number[];
  trans: NfaTransition[];
  accept: boolean;
  loop?: { name: string; ns: string; max: number };
}

export function bitsFor(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

export function buildTypeGrammar(type: Extract<TypeModel, { kind: 'complex' }>): TypeGrammar {
  const nodes: NfaNode[] = [];
  const node = () => (nodes.push({ eps: [], trans: [], accept: false }), nodes.length - 1);
  let order = 0;

  const attrs = [...type.attrs].sort(compareQName);
  const start = node();
  let cur = start;
  for (const a of attrs) {
    const next = node();
    nodes[cur].trans.push({ ev: 'AT', use: a, order: 0, to: next });
    if (!a.required) nodes[cur].eps.push(next);
    cur = next;
  }
  const contentStart = cur;
  const end = node();
  nodes[end].accept = true;
  const firstContentNode = contentStart;

  const build = (p: Particle, from: number, to: number): void => {
    if (p.min > 1) throw new Error(`${type.tsName}: minOccurs > 1 not supported`);
    const repeated = p.max === UNBOUNDED || p.max > 1;
    if (p.k === 'el' || p.k === 'any') {
      const alts = p.k === 'el' ? p.alts : [undefined];
      const orders = alts.map(() => order++);
      const emit = (src: number, dst: number) =>
        alts.forEach((use, i) =>
          nodes[src].trans.push(use ? { ev: 'SE', use, order: orders[i], to: dst } : { ev: 'SE*', order: orders[i], to: dst }),
        );
      if (!repeated) emit(from, to);
      else {
        const loop = node();
        if (p.max !== UNBOUNDED) {
          if (p.k !== 'el' || p.alts.length !== 1) throw new Error(`${type.tsName}: bounded repetition of a non-element particle`);
          nodes[loop].loop = { name: p.alts[0].name, ns: p.alts[0].ns, max: p.max };
        }
        emit(from, loop);
        emit(loop, loop);
        nodes[loop].eps.push(to);
      }
      if (p.min === 0) nodes[from].eps.push(to);
      return;
    }
    if (repeated && p.max !== UNBOUNDED) throw new Error(`${type.tsName}: bounded repetition of a group not supported`);
    const s = repeated ? node() : from;
    const e = repeated ? node() : to;
    if (p.k === 'seq') {
      let c = s;
      p.items.forEach((item, i) => {
        const n = i === p.items.length - 1 ? e : node();
        build(item, c, n);
        c = n;
      });
      if (p.items.length === 0) nodes[s].eps.push(e);
    } else {
      for (const item of p.items) build(item, s, e);
    }
    if (repeated) {
      nodes[from].eps.push(s);
      nodes[e].eps.push(s);
      nodes[e].eps.push(to);
    }
    if (p.min === 0) nodes[from].eps.push(to);
  };

  if (type.simpleContent)
    nodes[contentStart].trans.push({ ev: 'CH', order: 0, to: end, use: { name: '', ns: '', type: type.simpleContent } });
  else if (type.content) build(type.content, contentStart, end);
  else nodes[contentStart].eps.push(end);

  if (type.mixed) {
    // Every element-content state gets CH[untyped] looping to itself (§8.5.4.1.3.2).
    for (let i = firstContentNode; i < nodes.length; i++)
      if (i !== start || attrs.length === 0) nodes[i].trans.push({ ev: 'CH*', order: 0, to: i });
  }

  // ---- normalisation: ε-closure + subset construction ----
  const closure = (set: number[]): number[] => {
    const seen = new Set<number>(set);
    const stack = [...set];
    while (stack.length) {
      const n = stack.pop()!;
      for (const e of nodes[n].eps) {
        if (seen.has(e)) continue;
        seen.add(e);
        stack.push(e);
      }
    }
    return [...seen].sort((a, b) => a - b);
  };
  const states: GrammarState[] = [];
  const index = new Map<string, number>();
  const pending: number[][] = [];
  const intern = (set: number[]): number => {
    const k = set.join(',');
    let id = index.get(k);
    if (id === undefined) {
      id = states.length;
      index.set(k, id);
      states.push({ id, prods: [] });
      pending.push(set);
    }
    return id;
  };
  intern(closure([start]));
  for (let sid = 0; sid < states.length; sid++) {
    const set = pending[sid];
    const groups = new Map<string, { t: NfaTransition; targets: number[]; order: number }>();
    let accept = false;
    const loops = set.map((n) => nodes[n].loop).filter((l) => l !== undefined);
    if (loops.length > 1) throw new Error(`${type.tsName}: two bounded repetitions active in one state`);
    for (const n of set) {
      if (nodes[n].accept) accept = true;
      for (const t of nodes[n].trans) {
        const gk = t.ev === 'AT' || t.ev === 'SE' ? `${t.ev}{${t.use!.ns}}${t.use!.name}` : t.ev;
        const g = groups.get(gk);
        if (g) {
          g.targets.push(t.to);
          g.order = Math.min(g.order, t.order);
          if ((t.ev === 'SE' || t.ev === 'AT' || t.ev === 'CH') && g.t.use!.type !== t.use!.type)
            throw new Error(`${type.tsName}: ${gk} with two different types in one state`);
        } else groups.set(gk, { t, targets: [t.to], order: t.order });
      }
    }
    const list = [...groups.values()];
    const rank = (ev: string) => ({ AT: 0, SE: 1, 'SE*': 2, CH: 4, 'CH*': 4 })[ev] ?? 9;
    list.sort((a, b) => {
      const ra = rank(a.t.ev),
        rb = rank(b.t.ev);
      if (ra !== rb) return ra - rb;
      if (a.t.ev === 'AT') return compareQName(a.t.use!, b.t.use!);
      return a.order - b.order;
    });
    const prods: Production[] = [];
    for (const g of list) {
      const target = intern(closure(g.targets));
      const u = g.t.use;
      if (g.t.ev === 'AT') prods.push({ ev: 'AT', name: u!.name, ns: u!.ns, type: u!.type, target });
      else if (g.t.ev === 'SE') prods.push({ ev: 'SE', name: u!.name, ns: u!.ns, type: u!.type, target, order: g.order });
      else if (g.t.ev === 'SE*') prods.push({ ev: 'SE*', target });
      else if (g.t.ev === 'CH') prods.push({ ev: 'CH', type: u!.type, target });
      else prods.push({ ev: 'CH*', target });
    }
    if (accept) {
      // EE goes after SE productions and before CH.
      const chAt = prods.findIndex((p) => p.ev === 'CH' || p.ev === 'CH*');
      prods.splice(chAt < 0 ? prods.length : chAt, 0, { ev: 'EE' });
    }
    states[sid].prods = prods;
    if (loops.length === 1) states[sid].limit = loops[0];
  }
  return { states };
}

/** The productions of a state for a given repetition count (the limited SE disappears at maxOccurs). */
export function activeProductions(s: GrammarState, limitReached: boolean): Production[] {
  if (!s.limit || !limitReached) return s.prods;
  const l = s.limit;
  return s.prods.filter((p) => !(p.ev === 'SE' && p.name === l.name && p.ns === l.ns));
}
