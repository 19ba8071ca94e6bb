// A pymeasure-style declarative layer over a SCPI transport: an instrument declares its commands once —
// control (get + set), measurement (get only), setting (set only) — each with a validator for what may be
// sent and a parser for what comes back, so a driver reads like the instrument's command table and a bad
// value or reply becomes a typed error naming the command.

import { ScpiInstrumentError, ScpiReplyError, ScpiValueError } from './errors.ts';
import type { ScpiTransport } from './transport.ts';

/** Takes a value and the declared values; returns the value to send or throws ScpiValueError. */
export type Validator<V> = (value: V, values: readonly V[], where: string) => V;

export const strictRange: Validator<number> = (v, [lo, hi], where) => {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new ScpiValueError(`${v} is outside ${lo}..${hi}`, where);
  return v;
};

export const truncatedRange: Validator<number> = (v, [lo, hi], where) => {
  if (!Number.isFinite(v)) throw new ScpiValueError(`${v} is not a number`, where);
  return Math.min(hi, Math.max(lo, v));
};

export function strictDiscreteSet<V>(v: V, values: readonly V[], where: string): V {
  if (!values.includes(v)) throw new ScpiValueError(`${String(v)} is not one of ${values.map(String).join(', ')}`, where);
  return v;
}

/** SCPI's NaN / over-range marker (9.91E+37) and anything near it. */
export const SCPI_NAN = 9.9e37;

/** Parse one number from a reply (SCPI NR1/NR2/NR3; 9.91E37 is SCPI's NaN, refused). */
export function parseNumber(reply: string, where: string): number {
  const s = reply.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new ScpiReplyError('not a number', where, reply);
  const v = Number(s);
  if (Math.abs(v) >= SCPI_NAN) throw new ScpiReplyError('the instrument returned SCPI NaN / overrange', where, reply);
  return v;
}

/** A comma-separated list of numbers. */
export function parseNumbers(reply: string, where: string): number[] {
  const s = reply.trim();
  if (!s) return [];
  return s.split(',').map((x) => parseNumber(x, where));
}

export function parseBool(reply: string, where: string): boolean {
  const s = reply.trim().toUpperCase();
  if (s === '1' || s === 'ON') return true;
  if (s === '0' || s === 'OFF') return false;
  throw new ScpiReplyError('not a boolean (0/1/ON/OFF)', where, reply);
}

export interface ControlOptions<V> {
  doc: string;
  validator?: Validator<V>;
  values?: readonly V[];
  /** Reply → value. Default: a number. */
  parse?: (reply: string, where: string) => V;
  /** Value → the text after the command. Default: String(v) (numbers in full precision). */
  format?: (v: V) => string;
}

export interface Control<V> {
  readonly doc: string;
  get(): Promise<V>;
  set(v: V): Promise<void>;
}

export interface Measurement<V> {
  readonly doc: string;
  get(): Promise<V>;
}

export interface Setting<V> {
  readonly doc: string;
  set(v: V): Promise<void>;
}

function formatDefault(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'ON' : 'OFF';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(8).replace(/\.?0+$/, '');
  return String(v);
}

export class ScpiInstrument {
  constructor(
    readonly transport: ScpiTransport,
    /** Resource name, for error messages and the timeline. */
    readonly resourceName: string,
  ) {}

  write(command: string): Promise<void> {
    return this.transport.write(command);
  }

  ask(command: string): Promise<string> {
    return this.transport.query(command);
  }

  async values(command: string): Promise<number[]> {
    return parseNumbers(await this.ask(command), this.where(command));
  }

  /** A get/set pair; `set` has `%` where the value goes, or the value is appended after a space. */
  control<V = number>(getCmd: string, setCmd: string, o: ControlOptions<V>): Control<V> {
    const m = this.measurement<V>(getCmd, o);
    const s = this.setting<V>(setCmd, o);
    return { doc: o.doc, get: m.get, set: s.set };
  }

  measurement<V = number>(getCmd: string, o: Pick<ControlOptions<V>, 'doc' | 'parse'>): Measurement<V> {
    const parse = o.parse ?? (parseNumber as unknown as (r: string, w: string) => V);
    return { doc: o.doc, get: async () => parse(await this.ask(getCmd), this.where(getCmd)) };
  }

  setting<V = number>(setCmd: string, o: Omit<ControlOptions<V>, 'parse'>): Setting<V> {
    const format = o.format ?? formatDefault;
    return {
      doc: o.doc,
      set: async (v: V) => {
        const checked = o.validator ? o.validator(v, o.values ?? [], this.where(setCmd)) : v;
        const text = format(checked);
        await this.write(setCmd.includes('%') ? setCmd.replace('%', text) : `${setCmd} ${text}`);
      },
    };
  }

  /** IEEE 488.2 identity. */
  async queryIdentity(): Promise<{ vendor: string; model: string; serial: string; firmware: string }> {
    const reply = await this.ask('*IDN?');
    const parts = reply.split(',').map((x) => x.trim());
    if (parts.length < 4 || !parts[0]) throw new ScpiReplyError('*IDN? needs 4 comma-separated fields', this.where('*IDN?'), reply);
    return { vendor: parts[0], model: parts[1], serial: parts[2], firmware: parts.slice(3).join(',') };
  }

  /** Read the error queue until '0,"No error"'; throw ScpiInstrumentError if anything was in it. */
  checkErrors(maxReads = 20): Promise<void> {
    return this.checkErrorQueue('SYST:ERR?', maxReads);
  }

  /** The same with another error query (an instrument class's own spelling). */
  protected async checkErrorQueue(query: string, maxReads: number): Promise<void> {
    const errors: string[] = [];
    for (let k = 0; k < maxReads; k++) {
      const reply = await this.ask(query);
      const m = /^\s*([+-]?\d+)\s*,/.exec(reply);
      if (!m) throw new ScpiReplyError(`${query} must start with an error number`, this.where(query), reply);
      if (Number(m[1]) === 0) break;
      errors.push(reply.trim());
    }
    if (errors.length)
      throw new ScpiInstrumentError(`${this.resourceName}: the instrument reported ${errors.join('; ')}`, this.resourceName, errors);
  }

  protected where(command: string): string {
    return `${this.resourceName} SCPI '${command}'`;
  }
}
