// Instrument profiles (fixtures/instruments/*.yaml): the SCPI command table of one instrument class as
// data — each operation the driver needs mapped to the class's spelling, the status bits that mean "the
// output was latched off by …", Elog period rules, and the ratings assumed until the unit reports its own.
// A bad profile is bad input: a typed error naming the file and the key.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { InputError } from '../core/errors.ts';

export const INSTRUMENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'instruments');

/** Operations a battery-emulator class must spell; a power analyser needs only the measuring ones. */
export const BATTERY_EMULATOR_OPERATIONS = [
  'identity',
  'clearStatus',
  'nextError',
  'ratedVoltage',
  'ratedCurrent',
  'ratedResistance',
  'ratedOvp',
  'priority',
  'voltage',
  'resistance',
  'resistanceOn',
  'currentLimit',
  'sinkCurrentLimit',
  'currentProtectionOn',
  'overVoltage',
  'underVoltage',
  'underVoltageOn',
  'output',
  'clearProtection',
  'watchdog',
  'watchdogDelay',
  'questionable',
  'questionable2',
  'operation',
  'measureVoltage',
  'measureCurrent',
  'elogVoltage',
  'elogCurrent',
  'elogVoltageMinMax',
  'elogCurrentMinMax',
  'elogPeriod',
  'dataFormat',
  'byteOrder',
  'elogInit',
  'elogTrigger',
  'elogFetch',
  'elogAbort',
  'operationComplete',
] as const;
export type Operation = (typeof BATTERY_EMULATOR_OPERATIONS)[number];

export interface CommandSpelling {
  set?: string;
  get?: string;
  page?: string;
  verified: boolean;
  note?: string;
}

export interface InstrumentProfile {
  file: string;
  class: string;
  title: string;
  source: string;
  role: 'battery-emulator' | 'power-analyser';
  assumedRatings: { maxVoltageV: number; maxCurrentA: number; maxResistanceOhm: number };
  commands: Partial<Record<Operation, CommandSpelling>>;
  values: { on: string; off: string; voltagePriority: string; binary: string; bigEndian: string };
  /** Condition bit → the protection's name, per register. */
  status: { questionable?: Record<number, string>; questionable2?: Record<number, string>; elogWaitingForTriggerBit: number };
  elog: { periodStepS: number; minPeriodPerQuantityS: number; recordOrder: ('current' | 'voltage')[]; bufferS: number };
  watchdog?: { minS: number; maxS: number };
}

export class InstrumentProfileError extends InputError {
  override name = 'InstrumentProfileError';
}

const cache = new Map<string, unknown>();

/** Load fixtures/instruments/<name>.yaml (or a path ending in .yaml). */
export function loadInstrumentProfile(name: string, dir = INSTRUMENTS_DIR): InstrumentProfile {
  return loadProfileFile(name, dir, 'instrument profile', check);
}

/** Read, check (once per file) and cache a profile file of any role; a file that cannot be read is a typed error. */
export function loadProfileFile<P>(name: string, dir: string, what: string, checked: (raw: Partial<P>, file: string) => P): P {
  const file = name.endsWith('.yaml') ? name : join(dir, `${name}.yaml`);
  const hit = cache.get(file);
  if (hit) return hit as P;
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InstrumentProfileError(`${what} '${name}' cannot be read: ${(e as Error).message}`, file);
  }
  const p = checked(raw as Partial<P>, file);
  cache.set(file, p);
  return p;
}

function check(p: Partial<InstrumentProfile>, file: string): InstrumentProfile {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new InstrumentProfileError(`${file}: ${what}`, file);
  };
  need(!!p && typeof p === 'object', 'a profile is a mapping');
  for (const k of ['class', 'title', 'source', 'role'] as const) need(typeof p[k] === 'string', `'${k}' must be a string`);
  need(p.role === 'battery-emulator' || p.role === 'power-analyser', `'role' must be battery-emulator or power-analyser`);
  need(typeof p.commands === 'object' && !!p.commands, `'commands' must be a mapping`);
  const known = new Set<string>(BATTERY_EMULATOR_OPERATIONS);
  for (const [op, c] of Object.entries(p.commands!)) {
    need(known.has(op), `'commands.${op}' is not an operation the driver knows (${[...known].join(', ')})`);
    need(typeof c === 'object' && !!c && (typeof c.set === 'string' || typeof c.get === 'string'), `'commands.${op}' needs 'set' or 'get'`);
  }
  if (p.role === 'battery-emulator')
    for (const op of BATTERY_EMULATOR_OPERATIONS)
      need(!!p.commands![op], `'commands.${op}' is missing (a battery emulator needs every operation)`);
  const r = p.assumedRatings;
  need(!!r && r.maxVoltageV > 0 && r.maxCurrentA > 0, `'assumedRatings' needs maxVoltageV and maxCurrentA > 0`);
  need(!!p.elog && p.elog.periodStepS > 0 && p.elog.minPeriodPerQuantityS > 0, `'elog' needs periodStepS and minPeriodPerQuantityS > 0`);
  need(!!p.status && Number.isInteger(p.status.elogWaitingForTriggerBit), `'status.elogWaitingForTriggerBit' must be a bit number`);
  need(!!p.values && typeof p.values.on === 'string' && typeof p.values.off === 'string', `'values' needs on and off`);
  return { ...(p as InstrumentProfile), file };
}

/** The protections a condition register value names (bits the profile does not list are not trips). */
export function tripsIn(bits: Record<number, string> | undefined, value: number): string[] {
  if (!bits) return [];
  return Object.entries(bits)
    .filter(([bit]) => (value >> Number(bit)) & 1)
    .map(([, name]) => name);
}
