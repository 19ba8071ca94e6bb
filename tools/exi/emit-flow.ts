// How a generated decode/encode function walks its grammar states. When every transition goes to the
// same or a later state (a sequence of optional and repeated elements: almost every V2G type) the states
// are straight-line blocks in order, `if (s === n)` (or `while` for a state that repeats itself), so the
// common path runs top to bottom with no dispatch. Otherwise a `switch` inside a loop.

import type { GrammarState } from './grammar.ts';

export interface StateFlow {
  /** Indentation of a state's body. */
  readonly indent: string;
  open(L: (line: string) => void): void;
  enter(L: (line: string) => void, s: GrammarState): void;
  /** Statement that moves from state `from` to state `to` (ends the production's branch). */
  goto(from: GrammarState, to: number): string;
  leave(L: (line: string) => void, s: GrammarState): void;
  /** fallback: the statement for a state that does not exist (a generator bug). */
  close(L: (line: string) => void, fallback: string): void;
}

const targets = (s: GrammarState) =>
  s.prods.flatMap((p) => ('target' in p && (p.ev === 'AT' || p.ev === 'SE' || p.ev === 'CH') ? [p.target] : []));

export function stateFlow(states: readonly GrammarState[]): StateFlow {
  return states.every((s) => targets(s).every((t) => t >= s.id)) ? straightLine : switchLoop;
}

const switchLoop: StateFlow = {
  indent: '        ',
  open(L) {
    L(`  for (;;) {`);
    L(`    switch (s) {`);
  },
  enter: (L, s) => L(`      case ${s.id}: {`),
  goto: (_from, to) => `s = ${to}; continue;`,
  leave: (L) => L(`      }`),
  close(L, fallback) {
    L(`      default: ${fallback}`);
    L(`    }`);
    L(`  }`);
  },
};

const repeats = (s: GrammarState) => targets(s).includes(s.id);

const straightLine: StateFlow = {
  indent: '    ',
  open() {},
  enter(L, s) {
    if (repeats(s)) L(`  while (s === ${s.id}) {`);
    else L(`  ${targets(s).length ? `state${s.id}: ` : ''}if (s === ${s.id}) {`);
  },
  // Inside `while`, continue re-tests the state (stay or leave); a block is left with its label.
  goto: (from, to) => (repeats(from) ? `s = ${to}; continue;` : `s = ${to}; break state${from.id};`),
  leave: (L) => L(`  }`),
  close: (L, fallback) => L(`  ${fallback}`),
};
