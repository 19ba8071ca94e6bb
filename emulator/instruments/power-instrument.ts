// The behaviour of an emulated regenerative battery emulator, from its programming guide rather than from
// our driver: settings with their documented ranges and an error queue (-113 undefined header, -222 out of
// range, -221 settings conflict, -104 data type); protections that LATCH the output off while `OUTP?`
// keeps answering the programmed state — a trip shows only in the questionable condition registers, and
// OUTP:PROT:CLE restores the state before the fault; an I/O watchdog that turns the output off when no
// SCPI I/O arrives for its delay; Elog whose period is rounded to the instrument's step, served as binary
// (or ASCII) records, current then voltage. The DC side is an EmulatedBattery's bus. Fault switches
// 'instrument-*-trip' make a protection trip one second after the output went on.

import { floatBlock } from '../../drivers/scpi/binary-block.ts';
import type { Clock, TimerHandle } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { BUS_TICK_NS } from '../power/dc-bus.ts';
import type { Action, Dialect, Protection } from './dialect.ts';
import { ElogRecorder } from './elog-recorder.ts';
import { runProgramLine, type ProgramUnit } from './scpi-header.ts';
import { ScpiUnit } from './scpi-unit.ts';
import type { InstrumentDcSide } from './parallel-units.ts';

const ERR = {
  undefinedHeader: '-113,"Undefined header"',
  dataType: '-104,"Data type error"',
  conflict: '-221,"Settings conflict"',
  outOfRange: '-222,"Data out of range"',
};
const TICK_MS = 100;
/** Fault switch → the protection it trips, one second after the output went on. */
export const INSTRUMENT_TRIP_FAULTS: Record<string, Protection> = {
  'instrument-ov-trip': 'ov',
  'instrument-sink-oc-trip': 'oc',
  'instrument-watchdog-trip': 'wdog',
};
const FAULT_AFTER_NS = 1e9;
const PROTECTION_NAMES: Record<Protection, string> = {
  ov: 'over-voltage protection',
  oc: 'over-current protection',
  wdog: 'I/O watchdog',
  uv: 'under-voltage protection',
};

export interface PowerInstrumentOptions {
  clock: Clock;
  timeline: Timeline;
  dialect: Dialect;
  /** The DC side it drives: an emulated battery, or one unit's share of it (parallel-units.ts). */
  battery: InstrumentDcSide;
  faults?: ReadonlySet<string>;
  /** Test hook: replace the reply to a query (return undefined to answer normally). */
  replyHook?: (command: string, reply: string) => string | undefined;
}

export class PowerInstrument extends ScpiUnit<Action> {
  private priority: 'voltage' | 'other' = 'voltage';
  private outputProgrammed = false;
  private resistanceOhm = 0;
  private resistanceOn = false;
  private currentLimitA: number;
  private sinkLimitA: number;
  private ocpOn = false;
  private ovpV: number;
  private uvpV = 0;
  private uvpOn = false;
  private wdogOn = false;
  private wdogDelayS = 60;
  private lastIoNs: number;
  private outputOnSinceNs: number | undefined;
  private tripped = new Set<Protection>();
  private binary = false;
  private readonly elog: ElogRecorder;
  private timer: TimerHandle | undefined;
  private readonly d: Dialect;

  constructor(private readonly o: PowerInstrumentOptions) {
    super('+0,"No error"');
    this.d = o.dialect;
    this.currentLimitA = this.d.ratings.maxCurrentA;
    this.sinkLimitA = -this.d.ratings.maxCurrentA;
    this.ovpV = this.d.ratings.maxOvpV;
    this.lastIoNs = o.clock.now();
    this.elog = new ElogRecorder(o.battery.bus, this.d.elog);
    this.schedule();
  }

  get name(): string {
    return this.o.battery.name;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One program line (commands separated by ';'): the replies to its queries. */
  execute(line: string): string[] {
    this.lastIoNs = this.o.clock.now();
    this.collect();
    return runProgramLine(line, (u) => this.one(u), this.o.replyHook);
  }

  private one({ head, arg, query }: ProgramUnit): string | undefined {
    const entry = this.d.commands.find((c) => c.matcher.query === query && c.matcher.matches(head));
    if (!entry) {
      this.errors.push(ERR.undefinedHeader);
      return undefined;
    }
    return this.dispatch(entry.action, query ? arg.toUpperCase() : arg, query);
  }

  protected identity(): string {
    return this.d.idn;
  }

  protected reset(): void {
    this.programOutput(false);
    this.elog.abort();
    this.resistanceOn = false;
  }

  /** A setting's read-back: its value now and, where the guide has one, the rating a MAX query answers. */
  private readBack(a: Action): { now: number | boolean; max?: number } | undefined {
    const r = this.d.ratings;
    switch (a) {
      case 'voltage':
        return { now: this.o.battery.batteryVoltageNowV(), max: r.maxVoltageV };
      case 'current':
      case 'currentLimit':
        return { now: this.currentLimitA, max: r.maxCurrentA };
      case 'resistance':
        return { now: this.resistanceOhm, max: r.maxResistanceOhm };
      case 'ovp':
        return { now: this.ovpV, max: r.maxOvpV };
    }
    const plain: Partial<Record<Action, number | boolean>> = {
      resistanceOn: this.resistanceOn,
      sinkLimit: this.sinkLimitA,
      ocpOn: this.ocpOn,
      uvp: this.uvpV,
      uvpOn: this.uvpOn,
      output: this.outputProgrammed, // the programmed state, also after a trip
      wdog: this.wdogOn,
      wdogDelay: this.wdogDelayS,
    };
    return a in plain ? { now: plain[a]! } : undefined;
  }

  protected get(a: Action, arg: string): string | undefined {
    const max = arg === 'MAX' || arg === 'MAXIMUM';
    const bus = this.o.battery.bus;
    const setting = this.readBack(a);
    if (setting !== undefined)
      return typeof setting.now === 'boolean' ? flag(setting.now) : fmt(max ? (setting.max ?? setting.now) : setting.now);
    switch (a) {
      case 'priority':
        return this.priority === 'voltage' ? this.d.priorityWords.voltage.slice(0, 4) : this.d.priorityWords.others[0].slice(0, 4);
      case 'ques':
        return String(this.register('ques'));
      case 'ques2':
        return String(this.register('ques2'));
      case 'oper':
        return String(this.operation());
      case 'measVolt':
        return fmt(bus.state().voltageV);
      case 'measCurr':
        return fmt(-bus.state().currentA);
      case 'elogPeriod':
        return fmt(this.elog.periodS, 9);
      case 'format':
        return this.binary ? 'REAL' : 'ASC';
      case 'byteOrder':
        return 'NORM';
      case 'elogFetch': {
        const values = this.elog.fetch(Math.max(1, Math.floor(Number(arg) || 1)));
        return this.binary ? floatBlock(values) : values.map((x) => fmt(x)).join(',');
      }
      default:
        this.errors.push(ERR.undefinedHeader);
        return undefined;
    }
  }

  protected set(a: Action, arg: string): undefined {
    const r = this.d.ratings;
    const inst = this.o.battery;
    switch (a) {
      case 'priority':
        return this.word(
          arg,
          (w) => {
            // The guide: change the priority mode only with the output off (our emulation refuses it otherwise).
            if (this.outputProgrammed) return void this.errors.push(ERR.conflict);
            this.priority = this.d.priorityWords.voltage.startsWith(w) ? 'voltage' : 'other';
          },
          [this.d.priorityWords.voltage, ...this.d.priorityWords.others],
        );
      case 'voltage':
        return this.num(arg, 0, r.maxVoltageV, (v) => void inst.setBatteryVoltage(v));
      case 'resistance':
        return this.num(arg, 0, r.maxResistanceOhm, (v) => {
          if (this.priority !== 'voltage') return void this.errors.push(ERR.conflict); // only in voltage priority
          this.resistanceOhm = v;
          if (this.resistanceOn) void inst.setSeriesResistance(v);
        });
      case 'resistanceOn':
        return this.bool(arg, (on) => {
          if (this.priority !== 'voltage') return void this.errors.push(ERR.conflict);
          this.resistanceOn = on;
          if (on) void inst.setSeriesResistance(this.resistanceOhm);
        });
      case 'currentLimit':
        return this.num(arg, 0, r.maxCurrentA, (v) => (this.currentLimitA = v));
      case 'sinkLimit':
        return this.num(arg, -r.maxCurrentA, 0, (v) => (this.sinkLimitA = v));
      case 'ocpOn':
        return this.bool(arg, (on) => (this.ocpOn = on));
      case 'ovp':
        return this.num(arg, 0, r.maxOvpV, (v) => (this.ovpV = v));
      case 'uvp':
        return this.num(arg, 0, r.maxVoltageV, (v) => (this.uvpV = v));
      case 'uvpOn':
        return this.bool(arg, (on) => (this.uvpOn = on));
      case 'output':
        return this.bool(arg, (on) => this.programOutput(on));
      case 'protClear':
        // Restores the state before the fault: a programmed-on output comes back on.
        this.tripped.clear();
        this.programOutput(this.outputProgrammed);
        break;
      case 'wdog':
        return this.bool(arg, (on) => (this.wdogOn = on));
      case 'wdogDelay':
        return this.num(arg, this.d.watchdog.minS, this.d.watchdog.maxS, (v) => {
          if (!Number.isInteger(v)) return void this.errors.push(ERR.outOfRange); // whole seconds
          this.wdogDelayS = v;
        });
      case 'elogVolt':
      case 'elogCurr':
      case 'elogVoltMinMax':
      case 'elogCurrMinMax':
        return this.bool(arg, (on) => this.elog.setQuantity(a, on));
      case 'elogPeriod':
        return this.num(arg, 0, this.d.elog.maxPeriodS, (v) => {
          if (!this.elog.setPeriod(v)) this.errors.push(ERR.outOfRange);
        });
      case 'format':
        return this.word(arg, (w) => (this.binary = w.startsWith('REAL')), ['REAL', 'ASCII']);
      case 'byteOrder':
        return this.word(arg, () => undefined, ['NORMAL']); // only network order is emulated
      case 'elogInit':
        this.elog.init();
        break;
      case 'elogTrigger':
        this.elog.trigger(this.o.clock.now());
        break;
      case 'elogAbort':
        this.elog.abort();
        break;
      default:
        this.errors.push(ERR.undefinedHeader);
    }
    return undefined;
  }

  private programOutput(on: boolean): void {
    this.outputProgrammed = on;
    // Fault 'instrument-output-stays-open': the output relay never closes, and no status bit says so.
    const live = on && this.tripped.size === 0 && !this.o.faults?.has('instrument-output-stays-open');
    if (live && !this.o.battery.outputOn) this.outputOnSinceNs = this.o.clock.now();
    if (!live) this.outputOnSinceNs = undefined;
    void this.o.battery.setOutput(live);
  }

  private trip(p: Protection, detail: Record<string, unknown>): void {
    if (this.tripped.has(p)) return;
    this.tripped.add(p);
    this.outputOnSinceNs = undefined;
    void this.o.battery.setOutput(false); // latched off; OUTP? still answers the programmed state
    this.o.timeline.record('instrument', this.name, { event: 'protection', reason: PROTECTION_NAMES[p], ...detail });
  }

  private register(which: 'ques' | 'ques2'): number {
    let v = 0;
    for (const p of this.tripped) if (this.d.bits[p].register === which) v |= 1 << this.d.bits[p].bit;
    return v;
  }

  private operation(): number {
    let v = this.outputProgrammed && this.tripped.size === 0 ? 0 : 4; // bit 2: output off
    if (this.elog.state === 'armed') v |= 1 << this.d.waitingForTriggerBit;
    return v;
  }

  /** Samples into the Elog FIFO; the protections judge what the bus did. */
  private collect(): void {
    const since = this.outputOnSinceNs;
    this.elog.collect((v, sourcingA, tNs) => {
      // Only samples taken with the output connected (the bus may have ticked between a command and the switch).
      if (since === undefined || tNs <= since + BUS_TICK_NS) return;
      if (v > this.ovpV) this.trip('ov', { voltageV: v });
      if (this.uvpOn && v < this.uvpV) this.trip('uv', { voltageV: v });
      // Current protection trips when the output reaches a current limit (sourcing, or sinking the charger's current).
      if (this.ocpOn && (sourcingA >= this.currentLimitA || sourcingA <= this.sinkLimitA)) this.trip('oc', { currentA: -sourcingA });
    });
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimer(TICK_MS, () => {
      this.collect();
      const now = this.o.clock.now();
      if (this.wdogOn && this.o.battery.outputOn && now - this.lastIoNs > this.wdogDelayS * 1e9)
        this.trip('wdog', { silentS: (now - this.lastIoNs) / 1e9 });
      for (const [fault, p] of Object.entries(INSTRUMENT_TRIP_FAULTS))
        if (this.o.faults?.has(fault) && this.outputOnSinceNs !== undefined && now - this.outputOnSinceNs >= FAULT_AFTER_NS)
          this.trip(p, { fault });
      this.schedule();
    });
  }

  private num(arg: string, lo: number, hi: number, apply: (v: number) => void): undefined {
    const v = Number(arg);
    if (!arg || !Number.isFinite(v)) this.errors.push(ERR.dataType);
    else if (v < lo || v > hi) this.errors.push(ERR.outOfRange);
    else apply(v);
    return undefined;
  }

  private bool(arg: string, apply: (on: boolean) => void): undefined {
    const a = arg.toUpperCase();
    if (a === '1' || a === 'ON') apply(true);
    else if (a === '0' || a === 'OFF') apply(false);
    else this.errors.push(ERR.dataType);
    return undefined;
  }

  /** A character argument: its short form (first 4 letters) or long form of one of the words. */
  private word(arg: string, apply: (w: string) => void, words: string[]): undefined {
    const a = arg.toUpperCase();
    const hit = words.find((w) => a.length >= 3 && (w === a || w.slice(0, 4) === a));
    if (!hit) this.errors.push(ERR.dataType);
    else apply(hit);
    return undefined;
  }
}

function fmt(x: number, digits = 6): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(digits)));
}

function flag(on: boolean): string {
  return on ? '1' : '0';
}
