// An emulated precision power analyser on the emulated DC bus, from its class's documented behaviour rather
// than from our driver: it reads the bus through its own tap (independent of the battery emulator), averages
// the 1 ms bus samples over each data update interval (the interval rounded to the ones it offers), rounds
// each value to its range's display counts and reports anything beyond the range's over-range factor as
// 9.91E+37. Replies carry their header until COMMunicate:HEADer OFF (the guide's default is ON); auto range
// is on until turned off and a range change loses that update; errors go to the queue (-113 undefined
// header, -104 data type, -222 out of range, -224 illegal parameter, -350 queue overflow). The buffered
// stream keeps every update from its start. Fault 'analyser-error-reply': one second into a stream its data
// query answers with an error text instead of a record block (a bench fault, not a charger check: it is not in
// the run's fault catalogue; test/scpi/analyser-transcript.test.ts switches it on directly).

import { floatBlock } from '../../drivers/scpi/binary-block.ts';
import type { Clock } from '../../drivers/core/clock.ts';
import { itemNumber, type AnalyserAction, type AnalyserDialect } from './analyser-dialect.ts';
import { runProgramLine, type ProgramUnit } from './scpi-header.ts';
import { ScpiUnit } from './scpi-unit.ts';

const ERR = {
  undefinedHeader: '-113,"Undefined header"',
  dataType: '-104,"Data type error"',
  outOfRange: '-222,"Data out of range"',
  illegal: '-224,"Illegal parameter value"',
  overflow: '-350,"Queue overflow"',
};
const OVER_RANGE = 9.91e37;
export const ANALYSER_ERROR_REPLY_FAULT = 'analyser-error-reply';
const FAULT_AFTER_NS = 1e9;
/** Functions of one element the emulation computes (DC bus: mean, rms, ac part, power). */
const FUNCTIONS = ['UDC', 'URMS', 'UAC', 'UMN', 'IDC', 'IRMS', 'IAC', 'IMN', 'P', 'S', 'Q'] as const;
type Fn = (typeof FUNCTIONS)[number];

/** The bus as the analyser's own tap sees it (dc-bus.ts tap()). */
export type AnalyserTap = () => { t0: number; dt: number; voltageV: number[]; currentA: number[] };

export interface EmulatedAnalyserOptions {
  clock: Clock;
  dialect: AnalyserDialect;
  tap: AnalyserTap;
  faults?: ReadonlySet<string>;
  /** Test hook: replace the reply to a query (return undefined to answer normally). */
  replyHook?: (command: string, reply: string) => string | undefined;
}

interface Sums {
  n: number;
  v: number;
  v2: number;
  av: number;
  i: number;
  i2: number;
  ai: number;
  p: number;
}

const empty = (): Sums => ({ n: 0, v: 0, v2: 0, av: 0, i: 0, i2: 0, ai: 0, p: 0 });

export class EmulatedAnalyser extends ScpiUnit<AnalyserAction> {
  private headers = true;
  private auto = { voltage: true, current: true };
  private range: { voltage: number; current: number };
  private intervalS: number;
  private items: string[] = ['URMS,1', 'IRMS,1', 'P,1'];
  private binary = false;
  private streaming = false;
  private streamStartNs = 0;
  private buffer: number[][] = [];
  /** The update being integrated: its start, and the last completed update's values. */
  private windowStartNs: number;
  private acc = empty();
  private last: number[] | undefined;
  private lostUpdate = false;

  constructor(private readonly o: EmulatedAnalyserOptions) {
    super('0,"No error"');
    const d = o.dialect;
    this.range = { voltage: d.voltageRangesV.at(-1)!, current: d.currentRangesA.at(-1)! };
    this.intervalS = d.defaultIntervalS;
    this.windowStartNs = o.clock.now();
  }

  /** One program line (commands separated by ';'): the replies to its queries. */
  execute(line: string): string[] {
    this.collect();
    return runProgramLine(line, (u) => this.one(u), this.o.replyHook);
  }

  private one({ head, arg, query }: ProgramUnit): string | undefined {
    const n = itemNumber(head);
    if (n !== undefined) return this.item(head, n, arg, query);
    const entry = this.o.dialect.commands.find((c) => c.matcher.query === query && c.matcher.matches(head));
    if (!entry) return void this.errors.push(ERR.undefinedHeader);
    if (!query) return void this.dispatch(entry.action, arg, false);
    const reply = this.dispatch(entry.action, arg, true);
    if (reply === undefined || !this.headers || head.startsWith('*')) return reply;
    return `${head.slice(0, -1).toUpperCase()} ${reply}`;
  }

  protected identity(): string {
    return this.o.dialect.idn;
  }

  protected reset(): void {
    this.headers = true;
    this.auto = { voltage: true, current: true };
    this.intervalS = this.o.dialect.defaultIntervalS;
    this.streaming = false;
  }

  protected get(a: AnalyserAction, arg: string): string | undefined {
    switch (a) {
      case 'header':
        return this.headers ? '1' : '0';
      case 'voltageAuto':
        return this.auto.voltage ? '1' : '0';
      case 'currentAuto':
        return this.auto.current ? '1' : '0';
      case 'voltageRange':
        return nr3(this.range.voltage);
      case 'currentRange':
        return nr3(this.range.current);
      case 'rate':
        return nr3(this.intervalS);
      case 'itemCount':
        return String(this.items.length);
      case 'format':
        return this.binary ? 'FLOAT' : 'ASCII';
      case 'values':
        return this.numbers(this.last ? [this.last] : []);
      case 'streamState':
        return this.streaming ? '1' : '0';
      case 'streamData': {
        const elapsed = this.o.clock.now() - this.streamStartNs;
        if (this.o.faults?.has(ANALYSER_ERROR_REPLY_FAULT) && this.streaming && elapsed >= FAULT_AFTER_NS) return ERR.overflow;
        const k = Number(arg);
        if (!Number.isInteger(k) || k < 1) return void this.errors.push(ERR.dataType);
        return this.numbers(this.buffer.splice(0, k));
      }
      default:
        return void this.errors.push(ERR.undefinedHeader);
    }
  }

  protected set(a: AnalyserAction, arg: string): void {
    const d = this.o.dialect;
    switch (a) {
      case 'header':
        return this.bool(arg, (on) => (this.headers = on));
      case 'voltageAuto':
        return this.bool(arg, (on) => (this.auto.voltage = on));
      case 'currentAuto':
        return this.bool(arg, (on) => (this.auto.current = on));
      case 'voltageRange':
        return this.num(arg, (v) => this.setRange('voltage', d.voltageRangesV, v));
      case 'currentRange':
        return this.num(arg, (v) => this.setRange('current', d.currentRangesA, v));
      case 'rate':
        // Rounded to the nearest interval the unit offers (by ratio); the new interval starts a fresh update.
        return this.num(arg, (v) => {
          if (v <= 0) return void this.errors.push(ERR.outOfRange);
          this.intervalS = d.updateIntervalsS.reduce((b, x) => (Math.abs(Math.log(x / v)) < Math.abs(Math.log(b / v)) ? x : b));
          this.restartWindow();
        });
      case 'itemCount':
        return this.num(arg, (v) => {
          if (!Number.isInteger(v) || v < 1 || v > d.maxItems) return void this.errors.push(ERR.outOfRange);
          while (this.items.length < v) this.items.push('URMS,1');
          this.items.length = v;
        });
      case 'format': {
        const w = arg.toUpperCase();
        if (w.startsWith('FLO')) this.binary = true;
        else if (w.startsWith('ASC')) this.binary = false;
        else this.errors.push(ERR.dataType);
        return;
      }
      case 'streamStart':
        this.streaming = true;
        this.buffer = [];
        this.streamStartNs = this.o.clock.now();
        this.restartWindow();
        return;
      case 'streamStop':
        this.streaming = false;
        return;
      default:
        this.errors.push(ERR.undefinedHeader);
    }
  }

  private item(head: string, n: number, arg: string, query: boolean): string | undefined {
    if (n < 1 || n > this.items.length) return void this.errors.push(ERR.illegal);
    if (query) return this.headers ? `${head.slice(0, -1).toUpperCase()} ${this.items[n - 1]}` : this.items[n - 1];
    const [fn, el] = arg.toUpperCase().split(',');
    if (!(FUNCTIONS as readonly string[]).includes(fn) || el !== '1') return void this.errors.push(ERR.illegal);
    this.items[n - 1] = `${fn},1`;
  }

  private setRange(which: 'voltage' | 'current', ranges: number[], v: number): void {
    const r = ranges.find((x) => x >= v - 1e-9);
    if (r === undefined) return void this.errors.push(ERR.outOfRange);
    this.range[which] = r;
  }

  private restartWindow(): void {
    this.windowStartNs = this.o.clock.now();
    this.acc = empty();
  }

  /** Bus samples into updates: each interval's sums become one record of the configured items. */
  private collect(): void {
    const d = this.o.tap();
    const periodNs = this.intervalS * 1e9;
    for (let k = 0; k < d.voltageV.length; k++) {
      const t = d.t0 + k * d.dt;
      if (t < this.windowStartNs) continue;
      while (t >= this.windowStartNs + periodNs) this.closeWindow(periodNs);
      const v = d.voltageV[k];
      const i = d.currentA[k];
      const a = this.acc;
      a.n++;
      a.v += v;
      a.v2 += v * v;
      a.av += Math.abs(v);
      a.i += i;
      a.i2 += i * i;
      a.ai += Math.abs(i);
      a.p += v * i;
    }
  }

  private closeWindow(periodNs: number): void {
    const a = this.acc;
    this.windowStartNs += periodNs;
    this.acc = empty();
    if (!a.n) return;
    const record = this.items.map((it) => this.value(it.split(',')[0] as Fn, a));
    if (this.lostUpdate) {
      this.lostUpdate = false;
      record.fill(OVER_RANGE); // the update an auto-range change interrupted
    }
    this.last = record;
    if (!this.streaming) return;
    this.buffer.push(record);
    if (this.buffer.length > this.o.dialect.bufferRecords) {
      this.buffer.shift();
      this.errors.push(ERR.overflow);
    }
  }

  private value(fn: Fn, a: Sums): number {
    const n = a.n;
    const rms = (s2: number) => Math.sqrt(s2 / n);
    const ac = (s: number, s2: number) => Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    const V = { UDC: a.v / n, URMS: rms(a.v2), UAC: ac(a.v, a.v2), UMN: a.av / n } as Record<string, number>;
    const I = { IDC: a.i / n, IRMS: rms(a.i2), IAC: ac(a.i, a.i2), IMN: a.ai / n } as Record<string, number>;
    if (fn in V) return this.measured('voltage', V[fn]);
    if (fn in I) return this.measured('current', I[fn]);
    const p = a.p / n;
    const s = rms(a.v2) * rms(a.i2);
    const full = this.range.voltage * this.range.current;
    const x = fn === 'P' ? p : fn === 'S' ? s : Math.sqrt(Math.max(0, s * s - p * p));
    return this.overRange(x, full) ? OVER_RANGE : round(x, full / this.o.dialect.counts);
  }

  /** Rounded to the range's counts; beyond the over-range factor: auto range moves (losing this update) or 9.91E+37. */
  private measured(which: 'voltage' | 'current', x: number): number {
    const d = this.o.dialect;
    if (!this.overRange(x, this.range[which])) return round(x, this.range[which] / d.counts);
    const ranges = which === 'voltage' ? d.voltageRangesV : d.currentRangesA;
    const up = ranges.find((r) => !this.overRange(x, r));
    if (this.auto[which] && up !== undefined) {
      this.range[which] = up;
      this.lostUpdate = true;
    }
    return OVER_RANGE;
  }

  private overRange(x: number, range: number): boolean {
    return Math.abs(x) > range * this.o.dialect.overRangeFactor;
  }

  private numbers(rows: number[][]): string {
    const flat = rows.flat();
    return this.binary ? floatBlock(flat) : flat.map(nr3).join(',');
  }

  private num(arg: string, apply: (v: number) => void): void {
    const v = Number(arg.replace(/[VA]$/i, ''));
    if (!arg || !Number.isFinite(v)) this.errors.push(ERR.dataType);
    else apply(v);
  }

  private bool(arg: string, apply: (on: boolean) => void): void {
    const a = arg.toUpperCase();
    if (a === '1' || a === 'ON') apply(true);
    else if (a === '0' || a === 'OFF') apply(false);
    else this.errors.push(ERR.dataType);
  }
}

function round(x: number, step: number): number {
  return Math.round(x / step) * step;
}

/** NR3 as the class answers numbers: engineering notation, at least one decimal ('10.0E-03', '1.5E+03', '-285.15E+00'). */
function nr3(x: number): string {
  if (Math.abs(x) >= OVER_RANGE) return '9.91E+37';
  if (x === 0) return '0.0E+00';
  const exp = Math.floor(Math.log10(Math.abs(x)) / 3) * 3;
  const m = Number((x / 10 ** exp).toPrecision(6));
  const mant = Number.isInteger(m) ? m.toFixed(1) : String(m);
  return `${mant}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}
