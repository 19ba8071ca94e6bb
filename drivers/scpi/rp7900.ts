// A regenerative supply used as the vehicle's battery (resource kind 'scpi-battery-emulator'), driven
// from an instrument profile (fixtures/instruments/*.yaml; the RP7900 class by default): voltage priority
// with a programmable series resistance, the output relays as the vehicle's contactors, positive and sink
// current limits, over-/under-voltage and sink over-current protection that trips, the I/O watchdog so the
// unit falls safe when the harness dies, and binary Elog streamed onto the timeline. Every setting is read
// back. While the output is on the protection status is polled: a trip becomes an InstrumentTrip (a
// BenchFault naming the protection) and the trip listeners run (the bench kind takes the bench to its
// safe state). Sign convention: the instrument reports sourced current as positive; charging current flows
// into it, so every current is negated at this boundary (charging current positive everywhere in mcs-hil).

import type { TimerHandle } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { BatteryEmulator, BatteryEmulatorProtection, BatteryEmulatorReading } from './battery-emulator.ts';
import { ElogStream } from './elog-stream.ts';
import { ScpiValueError } from './errors.ts';
import { loadInstrumentProfile, type InstrumentProfile } from './profile.ts';
import { ProfiledCommands } from './profiled-commands.ts';
import { InstrumentTrip, readTrip } from './protection-trip.ts';
import { recordingOf, type InstrumentRecording } from './instrument-recording.ts';
import type { ScpiTransport } from './transport.ts';

export const SCPI_BATTERY_EMULATOR_KIND = 'scpi-battery-emulator';
/** Waits for the first Elog record when a reading is asked for right after streaming started. */
const FIRST_RECORD_WAITS = 20;

export interface Rp7900Options extends InstrumentRecording {
  transport: ScpiTransport;
  /** Instrument profile (fixtures/instruments); default the RP7900 class. */
  profile?: InstrumentProfile;
  /** The bench's limits for this unit (V, A): never above what the unit reports as its ratings. */
  maxVoltageV?: number;
  maxCurrentA?: number;
  /** Elog period asked for (s): 0.001 = 1 kS/s; the instrument's rounding is read back. */
  samplePeriodS?: number;
  /** How often the host drains the Elog FIFO and, with the output on, reads the protection status (ms). */
  pollMs?: number;
  /** Most records per fetch. */
  fetchRecords?: number;
}

export interface UnitRatings {
  maxVoltageV: number;
  maxCurrentA: number;
  maxResistanceOhm: number;
  maxOvpV: number;
}

export class Rp7900BatteryEmulator implements BatteryEmulator {
  readonly kind = SCPI_BATTERY_EMULATOR_KIND;
  readonly commands: ProfiledCommands;
  readonly profile: InstrumentProfile;
  /** Every trip seen since open, oldest first (the timeline has them too). */
  readonly trips: InstrumentTrip[] = [];
  /** Protection-status reads so far (the bench's self-check counts them while the output is on). */
  statusReads = 0;
  /** Ratings in force: the unit's own once open, bounded by the bench's. */
  ratings: UnitRatings;
  private readonly elog: ElogStream;
  private readonly pollMs: number;
  private timer: TimerHandle | undefined;
  private outputIsOn = false;
  /** A trip not yet cleared: the output stays off until the safe state cleared it. */
  private latched: InstrumentTrip | undefined;
  private tripListeners: ((t: InstrumentTrip) => Promise<unknown>)[] = [];
  private tripHandling: Promise<unknown> = Promise.resolve();
  private polling: Promise<void> = Promise.resolve();
  private idn: Record<string, string> = {};
  private closed = false;

  constructor(private readonly o: Rp7900Options) {
    this.profile = o.profile ?? loadInstrumentProfile('rp7900');
    this.commands = new ProfiledCommands(o.transport, o.name, this.profile);
    const a = this.profile.assumedRatings;
    this.ratings = {
      maxVoltageV: o.maxVoltageV ?? a.maxVoltageV,
      maxCurrentA: o.maxCurrentA ?? a.maxCurrentA,
      maxResistanceOhm: a.maxResistanceOhm,
      maxOvpV: a.maxVoltageV,
    };
    this.pollMs = o.pollMs ?? 100;
    const samplePeriodS = o.samplePeriodS ?? 0.001;
    this.elog = new ElogStream({
      ...recordingOf(o),
      commands: this.commands,
      samplePeriodS,
      fetchRecords: o.fetchRecords ?? 1000,
      pollMs: this.pollMs,
    });
  }

  get name(): string {
    return this.o.name;
  }

  get source(): string {
    return this.o.name;
  }

  get sampleRateHz(): number {
    return 1 / (this.elog.periodS || this.o.samplePeriodS || 0.001);
  }

  get outputOn(): boolean {
    return this.outputIsOn;
  }

  get transport(): ScpiTransport {
    return this.o.transport;
  }

  /**
   * Known state at connect: logging a crashed run left on is stopped, the identity and ratings are read, the
   * output is off and voltage priority selected (only with the output off), the error queue is empty.
   */
  async open(): Promise<void> {
    const c = this.commands;
    await c.set('elogAbort');
    const id = await c.queryIdentity();
    this.idn = { vendor: id.vendor, model: id.model, serial: id.serial, firmware: id.firmware, profile: this.profile.class };
    await c.set('clearStatus');
    const unit = {
      maxVoltageV: await c.getNumber('ratedVoltage'),
      maxCurrentA: await c.getNumber('ratedCurrent'),
      maxResistanceOhm: await c.getNumber('ratedResistance'),
      maxOvpV: await c.getNumber('ratedOvp'),
    };
    for (const k of ['maxVoltageV', 'maxCurrentA'] as const) {
      const asked = this.o[k];
      if (asked !== undefined && asked > unit[k])
        throw new BenchFault(`${this.name}: the bench file allows ${k} = ${asked}, but ${id.model} is rated ${unit[k]}`, this.name);
    }
    this.ratings = { ...unit, maxVoltageV: this.o.maxVoltageV ?? unit.maxVoltageV, maxCurrentA: this.o.maxCurrentA ?? unit.maxCurrentA };
    await this.setOutput(false);
    await c.setWord('priority', c.words.voltagePriority);
    await c.checkErrors();
    this.o.timeline.record('instrument', this.name, { event: 'opened', ...this.idn, ratings: { ...this.ratings } });
  }

  async setBatteryVoltage(voltageV: number): Promise<void> {
    this.bound('voltage', voltageV, 0, this.ratings.maxVoltageV);
    await this.commands.setNumber('voltage', voltageV);
  }

  async setSeriesResistance(ohm: number): Promise<void> {
    this.bound('resistance', ohm, 0, this.ratings.maxResistanceOhm);
    await this.commands.setNumber('resistance', ohm);
    await this.commands.setSwitch('resistanceOn', true);
  }

  /** Current limits (A, magnitudes): what the unit may source, and what it sinks (charging) before it trips. */
  async setCurrentLimits(sourceA: number, sinkA: number): Promise<void> {
    this.bound('currentLimit', sourceA, 0, this.ratings.maxCurrentA);
    this.bound('sinkCurrentLimit', sinkA, 0, this.ratings.maxCurrentA);
    await this.commands.setNumber('currentLimit', sourceA);
    await this.commands.setNumber('sinkCurrentLimit', -sinkA);
  }

  /**
   * Over-voltage level, sink over-current (the sink limit with current protection on: the output trips when
   * charging current reaches it, instead of being held there), under-voltage level. Each read back.
   */
  async setProtection(p: BatteryEmulatorProtection & { uvpV?: number }): Promise<void> {
    const c = this.commands;
    if (p.ovpV !== undefined) {
      this.bound('overVoltage', p.ovpV, 0, this.ratings.maxOvpV);
      await c.setNumber('overVoltage', p.ovpV);
    }
    if (p.ocpA !== undefined) {
      await this.setCurrentLimits(Math.min(Math.abs(p.ocpA), this.ratings.maxCurrentA), Math.abs(p.ocpA));
      await c.setSwitch('currentProtectionOn', true);
    }
    if (p.uvpV !== undefined) {
      this.bound('underVoltage', p.uvpV, 0, this.ratings.maxVoltageV);
      await c.setNumber('underVoltage', p.uvpV);
      await c.setSwitch('underVoltageOn', true);
    }
    await c.checkErrors();
  }

  /** I/O watchdog in whole seconds (the unit's granularity): the output latches off when no SCPI I/O arrives that long. */
  async setWatchdog(delayS: number | undefined): Promise<void> {
    if (delayS === undefined) return this.commands.setSwitch('watchdog', false);
    const w = this.profile.watchdog ?? { minS: 1, maxS: 3600 };
    if (!Number.isInteger(delayS)) throw new ScpiValueError(`the watchdog takes whole seconds, not ${delayS}`, `${this.name} watchdog`);
    this.bound('watchdogDelay', delayS, w.minS, w.maxS);
    await this.commands.setNumber('watchdogDelay', delayS);
    await this.commands.setSwitch('watchdog', true);
  }

  /** Output on (read back); refused while a trip is latched. With the output on the protection status is polled. */
  async setOutput(on: boolean): Promise<void> {
    if (on && this.latched) throw this.latched;
    // In every dialect the same record says when the contactors were commanded (the suites' contactor times).
    this.o.timeline.record('instrument', this.name, { event: 'command', command: 'output', on });
    await this.commands.setSwitch('output', on);
    this.outputIsOn = on;
    this.schedule();
  }

  async batteryVoltageV(): Promise<number> {
    return this.commands.getNumber('voltage');
  }

  /** The newest Elog record while logging (no MEAS then: it shares the acquire trigger); MEAS otherwise. */
  async read(): Promise<BatteryEmulatorReading> {
    if (!this.elog.running) {
      const voltageV = await this.commands.getNumber('measureVoltage');
      return { voltageV, currentA: -(await this.commands.getNumber('measureCurrent')) };
    }
    for (let k = 0; k < FIRST_RECORD_WAITS && !this.elog.lastReading; k++) {
      await this.elog.drain(false);
      if (!this.elog.lastReading) await this.o.clock.sleep(Math.max(1, this.elog.periodS * 2e3));
    }
    if (!this.elog.lastReading) throw new BenchFault(`${this.name}: Elog delivered no record to read`, this.name);
    await this.elog.drain(false);
    return this.elog.lastReading;
  }

  async startStreaming(): Promise<void> {
    if (this.elog.running || this.closed) return;
    await this.elog.start();
    this.schedule();
  }

  async stopStreaming(): Promise<void> {
    await this.elog.stop();
    this.schedule();
  }

  flush(): Promise<void> {
    return this.elog.drain(true);
  }

  /** Called with each trip as it is seen (the bench kind runs the bench's safe state from here). */
  onTrip(fn: (t: InstrumentTrip) => Promise<unknown>): void {
    this.tripListeners.push(fn);
  }

  /** Resolves when what the last trip set off (its listeners) has finished. */
  tripHandled(): Promise<unknown> {
    return this.tripHandling;
  }

  /** Read the protection status now (also done every poll while the output is on). */
  checkProtection(): Promise<void> {
    const run = async () => {
      if (this.closed) return;
      const trip = await readTrip(this.commands);
      this.statusReads++;
      if (!trip || this.latched) return;
      this.latched = trip;
      this.trips.push(trip);
      this.o.timeline.record('instrument', this.name, { event: 'protection-trip', protections: trip.protections, ...trip.registers });
      this.tripHandling = Promise.allSettled(this.tripListeners.map((fn) => fn(trip)));
    };
    const p = this.polling.then(run, run);
    this.polling = p.catch(() => undefined);
    return p;
  }

  /**
   * Safe state: output off (read back), then a latched trip is cleared — the clear restores the state before
   * the fault, so the output goes off first — and the status must show it cleared.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.elog.running) await this.flush().catch(() => undefined);
      await this.setOutput(false);
      await this.checkProtection(); // a trip the last poll did not see yet
      const trip = this.latched;
      if (trip) {
        await this.commands.set('clearProtection');
        const still = await readTrip(this.commands);
        if (still) throw new BenchFault(`${this.name}: protection clear did not clear ${still.protections.join(', ')}`, this.name);
        this.latched = undefined;
        this.o.timeline.record('instrument', this.name, { event: 'protection-cleared', protections: trip.protections });
      }
    } finally {
      this.o.timeline.record('safe-state', this.name, { step: 'battery emulator output off', outputOn: this.outputIsOn });
    }
  }

  async safeState(): Promise<void> {
    await this.shutdown();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.shutdown();
      if (this.elog.running) await this.elog.stop().catch(() => undefined);
    } finally {
      this.closed = true;
      this.timer?.cancel();
      await this.o.transport.close();
    }
  }

  identity(): Record<string, string> {
    return { ...this.idn, transport: this.o.transport.description };
  }

  /** One timer drains the Elog FIFO and, while the output is on, reads the protection status. */
  private schedule(): void {
    const wanted = !this.closed && (this.elog.running || this.outputIsOn);
    if (!wanted) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    const tick = () => {
      this.timer = undefined;
      if (this.elog.running) void this.elog.drain(false).catch(() => undefined);
      if (this.outputIsOn && !this.latched) void this.checkProtection().catch(() => undefined);
      this.schedule();
    };
    this.timer = this.o.clock.setTimer(this.pollMs, tick);
  }

  private bound(op: string, v: number, lo: number, hi: number): void {
    if (!Number.isFinite(v) || v < lo || v > hi) throw new ScpiValueError(`${v} is outside ${lo}..${hi}`, `${this.name} SCPI '${op}'`);
  }
}
