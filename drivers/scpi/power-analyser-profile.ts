// The profile of a power-analyser class (fixtures/instruments/*.yaml with role: power-analyser): the
// operations the analyser driver needs, spelled as the class spells them, the measured items, the update
// intervals it offers and the current sensor's sign. A battery emulator's profile has other operations
// (profile.ts); a bad analyser profile is bad input: a typed error naming the file and the key.

import { INSTRUMENTS_DIR, InstrumentProfileError, loadProfileFile, type CommandSpelling } from './profile.ts';

export const ANALYSER_OPERATIONS = [
  'identity',
  'clearStatus',
  'operationComplete',
  'header',
  'nextError',
  'voltageAuto',
  'currentAuto',
  'voltageRange',
  'currentRange',
  'updateInterval',
  'itemCount',
  'item',
  'numericFormat',
  'numericValues',
  'streamStart',
  'streamStop',
  'streamFetch',
] as const;
export type AnalyserOperation = (typeof ANALYSER_OPERATIONS)[number];

/** The quantities every record carries, in this order on the timeline. */
export const ANALYSER_QUANTITIES = ['voltage', 'current', 'power'] as const;
export type AnalyserQuantity = (typeof ANALYSER_QUANTITIES)[number];

export interface AnalyserProfile {
  file: string;
  class: string;
  title: string;
  source: string;
  role: 'power-analyser';
  commands: Record<AnalyserOperation, CommandSpelling>;
  items: Record<AnalyserQuantity, string>;
  values: { on: string; off: string; binary: string };
  updateIntervalsS: number[];
  currentSign: 1 | -1;
}

/** Load fixtures/instruments/<name>.yaml (or a path ending in .yaml) as a power-analyser profile. */
export function loadAnalyserProfile(name = 'power-analyser', dir = INSTRUMENTS_DIR): AnalyserProfile {
  return loadProfileFile(name, dir, 'power-analyser profile', check);
}

function check(p: Partial<AnalyserProfile>, file: string): AnalyserProfile {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new InstrumentProfileError(`${file}: ${what}`, file);
  };
  need(!!p && typeof p === 'object', 'a profile is a mapping');
  for (const k of ['class', 'title', 'source'] as const) need(typeof p[k] === 'string', `'${k}' must be a string`);
  need(p.role === 'power-analyser', `'role' must be power-analyser (a battery emulator's profile is read by profile.ts)`);
  need(typeof p.commands === 'object' && !!p.commands, `'commands' must be a mapping`);
  const known = new Set<string>(ANALYSER_OPERATIONS);
  for (const [op, c] of Object.entries(p.commands!)) {
    need(known.has(op), `'commands.${op}' is not an operation the analyser driver knows (${ANALYSER_OPERATIONS.join(', ')})`);
    need(typeof c === 'object' && !!c && (typeof c.set === 'string' || typeof c.get === 'string'), `'commands.${op}' needs 'set' or 'get'`);
  }
  for (const op of ANALYSER_OPERATIONS) need(!!p.commands![op], `'commands.${op}' is missing (the analyser driver needs every operation)`);
  for (const q of ANALYSER_QUANTITIES) need(typeof p.items?.[q] === 'string', `'items.${q}' must name the class's function,element`);
  need(!!p.values && typeof p.values.on === 'string' && typeof p.values.binary === 'string', `'values' needs on, off and binary`);
  const rates = p.updateIntervalsS;
  need(Array.isArray(rates) && rates.length > 0 && rates.every((r) => r > 0), `'updateIntervalsS' must list the intervals (s) > 0`);
  need(p.currentSign === 1 || p.currentSign === -1, `'currentSign' must be 1 or -1`);
  return { ...(p as AnalyserProfile), file };
}
