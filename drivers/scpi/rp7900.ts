// A Keysight RP7900-class regenerative supply used as the vehicle's battery (resource kind
// 'scpi-battery-emulator'): voltage priority with a programmable output resistance, output relays as
// the vehicle's contactors, OVP / sink-current limit, the I/O watchdog, and continuous V/I logging (Elog)
// streamed onto the timeline as 'samples' blocks. Command spellings from reference/power-ramp-safety.md
// §3.1; the Elog and sink-limit spellings are the APS-family forms and must be checked against the
// RP7900 Operating and Service Guide ch. 5 before a lab relies on them (§6.3 item 4).
//
// Sign convention: the instrument reports current it SOURCES as positive; charging current flows into it,
// so every current is negated at this boundary (charging current positive everywhere in mcs-hil).

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';
import type { BatteryEmulator, BatteryEmulatorProtection, BatteryEmulatorReading } from './battery-emulator.ts';
import { ScpiReplyError } from './errors.ts';
import { parseBool, parseNumbers, ScpiInstrument, strictRange, type Control, type Measurement, type Setting } from './instrument.ts';
import type { ScpiTransport } from './transport.ts';

export const SCPI_BATTERY_EMULATOR_KIND = 'scpi-battery-emulator';
/** Replies collected before the sample stamps are anchored (each narrows the trigger-time estimate). */
const ANCHOR_FETCHES = 5;

export interface Rp7900Options {
  name: string;
  transport: ScpiTransport;
  clock: Clock;
  timeline: Timeline;
  /** Instrument ratings: the validators refuse set points outside them. */
  maxVoltageV?: number;
  maxCurrentA?: number;
  /** Elog period (s): 0.001 = 1 kS/s. */
  samplePeriodS?: number;
  /** How often the host drains the Elog FIFO (ms; the FIFO holds about 20 s). */
  pollMs?: number;
  /** Most records per FETC:ELOG? */
  fetchRecords?: number;
}

export class Rp7900BatteryEmulator extends ScpiInstrument implements BatteryEmulator {
  readonly kind = SCPI_BATTERY_EMULATOR_KIND;
  readonly sampleRateHz: number;

  // ---- the declared command table ----
  readonly voltage: Control<number>;
  readonly outputResistance: Control<number>;
  readonly outputResistanceEnabled: Control<boolean>;
  readonly output: Control<boolean>;
  readonly overVoltageProtection: Control<number>;
  readonly sinkCurrentLimit: Control<number>;
  readonly watchdogEnabled: Control<boolean>;
  readonly watchdogDelay: Control<number>;
  readonly measuredVoltage: Measurement<number>;
  readonly measuredCurrent: Measurement<number>;
  readonly elogPeriod: Setting<number>;

  private readonly clock: Clock;
  private readonly timeline: Timeline;
  private readonly samplePeriodS: number;
  private readonly pollMs: number;
  private readonly fetchRecords: number;
  private outputIsOn = false;
  private streaming = false;
  private timer: TimerHandle | undefined;
  private nextSampleNs = 0;
  private recentGapsNs: number[] = [];
  private anchorLowNs = 0;
  private anchorHighNs = Number.POSITIVE_INFINITY;
  private anchored = false;
  private held: { currentA: number[]; voltageV: number[] } = { currentA: [], voltageV: [] };
  private heldFetches = 0;
  private recordsSeen = 0;
  private lastReading: BatteryEmulatorReading | undefined;
  private fetching: Promise<void> = Promise.resolve();
  private streamError: Error | undefined;
  private idn: Record<string, string> = {};
  private closed = false;

  constructor(o: Rp7900Options) {
    super(o.transport, o.name);
    this.clock = o.clock;
    this.timeline = o.timeline;
    this.samplePeriodS = o.samplePeriodS ?? 0.001;
    this.sampleRateHz = 1 / this.samplePeriodS;
    this.pollMs = o.pollMs ?? 100;
    this.fetchRecords = o.fetchRecords ?? 1000;
    const maxV = o.maxVoltageV ?? 1500;
    const maxI = o.maxCurrentA ?? 3000;
    this.voltage = this.control('VOLT?', 'VOLT', { doc: 'Voltage set point in voltage priority (V): the battery voltage.', validator: strictRange, values: [0, maxV] });
    this.outputResistance = this.control('VOLT:RES?', 'VOLT:RES', { doc: 'Programmed output resistance (Ω): the battery series resistance.', validator: strictRange, values: [0, 1] });
    this.outputResistanceEnabled = this.control('VOLT:RES:STAT?', 'VOLT:RES:STAT', { doc: 'Output resistance programming on/off.', parse: parseBool });
    this.output = this.control('OUTP?', 'OUTP', { doc: 'Output relays: the vehicle contactors.', parse: parseBool });
    this.overVoltageProtection = this.control('VOLT:PROT:LEV?', 'VOLT:PROT:LEV', { doc: 'Over-voltage protection level (V); latches the output off.', validator: strictRange, values: [0, maxV * 1.1] });
    this.sinkCurrentLimit = this.control('CURR:LIM:NEG?', 'CURR:LIM:NEG', { doc: 'Negative (sink) current limit (A, ≤ 0): the most charging current accepted.', validator: strictRange, values: [-maxI, 0] });
    this.watchdogEnabled = this.control('OUTP:PROT:WDOG?', 'OUTP:PROT:WDOG', { doc: 'I/O watchdog: output latches off without SCPI traffic.', parse: parseBool });
    this.watchdogDelay = this.control('OUTP:PROT:WDOG:DEL?', 'OUTP:PROT:WDOG:DEL', { doc: 'I/O watchdog delay (s).', validator: strictRange, values: [1, 3600] });
    this.measuredVoltage = this.measurement('MEAS:VOLT?', { doc: 'Output voltage (V).' });
    this.measuredCurrent = this.measurement('MEAS:CURR?', { doc: 'Output current (A, sourcing positive).' });
    this.elogPeriod = this.setting('SENS:ELOG:PER', { doc: 'Elog integration period (s).', validator: strictRange, values: [204.8e-6, 60] });
  }

  get source(): string {
    return this.resourceName;
  }

  get name(): string {
    return this.resourceName;
  }

  get outputOn(): boolean {
    return this.outputIsOn;
  }

  /** Connect-time checks: identity, clear status, empty error queue, output state. */
  async open(): Promise<void> {
    const id = await this.queryIdentity();
    this.idn = { vendor: id.vendor, model: id.model, serial: id.serial, firmware: id.firmware };
    await this.write('*CLS');
    this.outputIsOn = await this.output.get();
    await this.checkErrors();
    this.timeline.record('instrument', this.name, { event: 'opened', ...this.idn, outputOn: this.outputIsOn });
  }

  async setBatteryVoltage(voltageV: number): Promise<void> {
    await this.voltage.set(voltageV);
  }

  async setSeriesResistance(ohm: number): Promise<void> {
    await this.outputResistance.set(ohm);
    await this.outputResistanceEnabled.set(true);
  }

  async setOutput(on: boolean): Promise<void> {
    await this.output.set(on);
    this.outputIsOn = on;
  }

  async setProtection(p: BatteryEmulatorProtection): Promise<void> {
    if (p.ovpV !== undefined) await this.overVoltageProtection.set(p.ovpV);
    if (p.ocpA !== undefined) await this.sinkCurrentLimit.set(-Math.abs(p.ocpA));
    await this.checkErrors();
  }

  async setWatchdog(delayS: number | undefined): Promise<void> {
    if (delayS === undefined) return this.watchdogEnabled.set(false);
    await this.watchdogDelay.set(delayS);
    await this.watchdogEnabled.set(true);
  }

  async batteryVoltageV(): Promise<number> {
    return this.voltage.get();
  }

  async read(): Promise<BatteryEmulatorReading> {
    if (this.streaming) {
      await this.drain(false);
      if (this.lastReading) return this.lastReading;
    }
    const voltageV = await this.measuredVoltage.get();
    const currentA = -(await this.measuredCurrent.get());
    return { voltageV, currentA };
  }

  async startStreaming(): Promise<void> {
    if (this.streaming || this.closed) return;
    await this.write('SENS:ELOG:FUNC:VOLT ON');
    await this.write('SENS:ELOG:FUNC:CURR ON');
    await this.write('SENS:ELOG:FUNC:MINM OFF');
    await this.elogPeriod.set(this.samplePeriodS);
    await this.write('INIT:ELOG');
    await this.write('TRIG:ELOG');
    // Record 0 is integrated over the first period after the instrument triggered, which is at or after
    // this moment (the TRIG write is on its way): a lower bound for its stamp. Each reply gives an upper
    // bound (no record is newer than the reply). The first records are held until a few replies have
    // narrowed the anchor, then every record is stamped one period apart from it.
    this.anchorLowNs = this.clock.now() + this.samplePeriodS * 1e9;
    this.anchorHighNs = Number.POSITIVE_INFINITY;
    this.anchored = false;
    this.held = { currentA: [], voltageV: [] };
    this.heldFetches = 0;
    this.recordsSeen = 0;
    this.recentGapsNs = [];
    this.streaming = true;
    this.streamError = undefined;
    this.timeline.record('instrument', this.name, { event: 'streaming', on: true, sampleRateHz: this.sampleRateHz });
    const tick = () => {
      if (!this.streaming) return;
      void this.drain(false).catch(() => undefined);
      this.timer = this.clock.setTimer(this.pollMs, tick);
    };
    this.timer = this.clock.setTimer(this.pollMs, tick);
  }

  async stopStreaming(): Promise<void> {
    if (!this.streaming) return;
    this.timer?.cancel();
    this.timer = undefined;
    await this.flush().catch(() => undefined);
    this.streaming = false;
    await this.write('ABOR:ELOG');
    this.timeline.record('instrument', this.name, { event: 'streaming', on: false });
  }

  /** Drain the Elog FIFO onto the timeline. A bad reply stops streaming and is rethrown here (and on later flushes). */
  flush(): Promise<void> {
    return this.drain(true);
  }

  private drain(final: boolean): Promise<void> {
    const run = async () => {
      if (this.streamError) throw this.streamError;
      if (!this.streaming) return;
      for (;;) {
        const cmd = `FETC:ELOG? ${this.fetchRecords}`;
        const reply = await this.ask(cmd);
        const now = this.clock.now();
        let values: number[];
        try {
          values = parseNumbers(reply, this.where(cmd));
          if (values.length % 2) throw new ScpiReplyError(`Elog records come in (current, voltage) pairs; got ${values.length} numbers`, this.where(cmd), reply);
        } catch (e) {
          this.streamError = e as Error;
          this.streaming = false;
          this.timer?.cancel();
          this.timeline.record('instrument', this.name, { event: 'stream-error', error: (e as Error).message });
          throw e;
        }
        const n = values.length / 2;
        const dt = this.samplePeriodS * 1e9;
        if (n) {
          const currentA: number[] = new Array(n);
          const voltageV: number[] = new Array(n);
          for (let k = 0; k < n; k++) {
            currentA[k] = -values[2 * k];
            voltageV[k] = values[2 * k + 1];
          }
          this.recordsSeen += n;
          this.lastReading = { voltageV: voltageV[n - 1], currentA: currentA[n - 1] };
          // Upper bound for record 0's stamp from this reply.
          this.anchorHighNs = Math.min(this.anchorHighNs, now - (this.recordsSeen - 1) * dt);
          if (!this.anchored) {
            this.held.currentA.push(...currentA);
            this.held.voltageV.push(...voltageV);
            this.heldFetches++;
          } else {
            this.lagCheck(now, n, dt);
            this.emit(currentA, voltageV, dt);
          }
        }
        if (!this.anchored && this.held.currentA.length && (final || this.heldFetches >= ANCHOR_FETCHES)) {
          this.anchored = true;
          this.nextSampleNs = Math.max(this.anchorLowNs, this.anchorHighNs);
          this.timeline.record('instrument', this.name, { event: 'elog-anchor', uncertaintyMs: Math.max(0, this.anchorHighNs - this.anchorLowNs) / 1e6 });
          const h = this.held;
          this.held = { currentA: [], voltageV: [] };
          this.emit(h.currentA, h.voltageV, dt);
        }
        if (n < this.fetchRecords) return;
      }
    };
    const p = this.fetching.then(run, run);
    this.fetching = p.catch(() => undefined);
    return p;
  }

  private emit(currentA: number[], voltageV: number[], dt: number): void {
    const t0 = this.nextSampleNs;
    this.nextSampleNs += currentA.length * dt;
    this.timeline.record('samples', this.name, { t0, dt, channels: { voltageV, currentA } }, t0 + (currentA.length - 1) * dt);
  }

  /**
   * The newest record should be about as old as the reply. If it lags in five fetches in a row, records
   * were probably lost (FIFO overflow while the host was busy) or the host reads replies late: the stamps
   * are kept, and the lag goes on the timeline as a warning.
   */
  private lagCheck(now: number, n: number, dt: number): void {
    if (n >= this.fetchRecords) return;
    this.recentGapsNs.push(now - (this.nextSampleNs + (n - 1) * dt));
    if (this.recentGapsNs.length > 5) this.recentGapsNs.shift();
    const minGap = Math.min(...this.recentGapsNs);
    if (this.recentGapsNs.length === 5 && minGap > Math.max(50e6, 3 * Math.min(this.pollMs, 1000) * 1e6)) {
      this.timeline.record('instrument', this.name, { event: 'elog-lag', lagMs: minGap / 1e6, note: 'records lost or host slow: sample stamps may be early by up to this much' });
      this.recentGapsNs = [];
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    try {
      this.timer?.cancel();
      if (this.streaming) await this.flush().catch(() => undefined);
      await this.setOutput(false);
    } finally {
      this.timeline.record('safe-state', this.name, { step: 'battery emulator output off', outputOn: this.outputIsOn });
    }
  }

  async safeState(): Promise<void> {
    await this.shutdown();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.shutdown();
      if (this.streaming) {
        this.streaming = false;
        await this.write('ABOR:ELOG').catch(() => undefined);
      }
    } finally {
      this.closed = true;
      await this.transport.close();
    }
  }

  identity(): Record<string, string> {
    return { ...this.idn, transport: this.transport.description };
  }
}
