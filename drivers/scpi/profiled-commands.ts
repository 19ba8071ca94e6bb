// The driver's side of an instrument profile: operations by name, spelled as the profile says, each
// setting read back and compared (an instrument that silently refuses or rounds a value far away is a
// bench fault, not something to find out from a strange trace later).

import { BenchFault } from '../core/errors.ts';
import { ScpiInstrument, parseBool, parseNumber } from './instrument.ts';
import type { InstrumentProfile, Operation } from './profile.ts';
import type { ScpiTransport } from './transport.ts';

/** A read-back number may differ from what was sent by the instrument's resolution: this much, relatively. */
const READBACK_REL = 1e-3;
const READBACK_ABS = 1e-6;

export class ProfiledCommands extends ScpiInstrument {
  constructor(
    transport: ScpiTransport,
    name: string,
    readonly profile: InstrumentProfile,
  ) {
    super(transport, name);
  }

  get on(): string {
    return this.profile.values.on;
  }

  get off(): string {
    return this.profile.values.off;
  }

  get words(): InstrumentProfile['values'] {
    return this.profile.values;
  }

  has(op: Operation): boolean {
    return !!this.profile.commands[op];
  }

  /** The query spelling of an operation. */
  query(op: Operation): string {
    const q = this.profile.commands[op]?.get;
    if (!q) throw new BenchFault(`${this.resourceName}: profile '${this.profile.class}' has no query for '${op}'`, this.resourceName);
    return q;
  }

  async set(op: Operation, value?: string): Promise<void> {
    const s = this.profile.commands[op]?.set;
    if (!s) throw new BenchFault(`${this.resourceName}: profile '${this.profile.class}' has no command for '${op}'`, this.resourceName);
    await this.write(value === undefined ? s : `${s} ${value}`);
  }

  /** Only where the class has the operation (e.g. min/max logging switches). */
  async setIf(op: Operation, value?: string): Promise<void> {
    if (this.profile.commands[op]?.set) await this.set(op, value);
  }

  get(op: Operation, arg?: string): Promise<string> {
    return this.ask(arg ? `${this.query(op)} ${arg}` : this.query(op));
  }

  async getNumber(op: Operation, arg?: string): Promise<number> {
    const q = arg ? `${this.query(op)} ${arg}` : this.query(op);
    return parseNumber(await this.ask(q), this.where(q));
  }

  async getBool(op: Operation): Promise<boolean> {
    return parseBool(await this.ask(this.query(op)), this.where(this.query(op)));
  }

  number(v: number): string {
    return Number.isInteger(v) ? String(v) : v.toPrecision(8).replace(/\.?0+$/, '');
  }

  /** Set a number and read it back; a read-back off by more than the resolution is a bench fault. */
  async setNumber(op: Operation, v: number): Promise<number> {
    await this.set(op, this.number(v));
    const seen = await this.getNumber(op);
    if (Math.abs(seen - v) > Math.max(READBACK_ABS, READBACK_REL * Math.abs(v)))
      throw new BenchFault(`${this.resourceName}: '${this.query(op)}' reads back ${seen}, ${v} was set`, this.resourceName);
    return seen;
  }

  /** Switch on/off and read it back. */
  async setSwitch(op: Operation, on: boolean): Promise<void> {
    await this.set(op, on ? this.on : this.off);
    const seen = await this.getBool(op);
    if (seen !== on)
      throw new BenchFault(
        `${this.resourceName}: '${this.query(op)}' reads back ${seen ? 'on' : 'off'}, ${on ? 'on' : 'off'} was set`,
        this.resourceName,
      );
  }

  /** Set a word (e.g. the priority mode) and read it back (instruments answer the short form). */
  async setWord(op: Operation, word: string): Promise<void> {
    await this.set(op, word);
    const seen = (await this.get(op)).trim().replace(/^"|"$/g, '').toUpperCase();
    const want = word.toUpperCase();
    if (!(want.startsWith(seen) && seen.length >= 3) && seen !== want)
      throw new BenchFault(`${this.resourceName}: '${this.query(op)}' reads back '${seen}', '${word}' was set`, this.resourceName);
  }

  /** checkErrors with the class's own error query. */
  override async checkErrors(maxReads = 20): Promise<void> {
    return this.checkErrorQueue(this.query('nextError'), maxReads);
  }
}
