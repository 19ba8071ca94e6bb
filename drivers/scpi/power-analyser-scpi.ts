// A precision power analyser over SCPI (resource kind 'scpi-power-analyser'), driven from its class profile
// (fixtures/instruments/power-analyser.yaml): the separate measured trace of the inlet, independent of the
// battery emulator. At open it reads the identity, turns reply headers off, fixes the input ranges (auto range
// off: a range change mid-ramp loses updates), sets the measured items (DC voltage, current, power) and the
// binary number format, asks for the update interval and reads back what the unit chose: every time stamp
// uses that. Streaming hands the unit's buffered updates to the timeline (power-analyser-stream.ts); every
// setting is read back and the error queue checked, a refusal is a BenchFault naming the command.

import type { TimerHandle } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import { blockFloats } from './binary-block.ts';
import { ScpiReplyError } from './errors.ts';
import { SCPI_NAN, ScpiInstrument, parseBool, parseNumber } from './instrument.ts';
import { recordingOf, type InstrumentRecording } from './instrument-recording.ts';
import { SCPI_POWER_ANALYSER_KIND, type PowerAnalyser } from './power-analyser.ts';
import { ANALYSER_QUANTITIES, loadAnalyserProfile, type AnalyserOperation, type AnalyserProfile } from './power-analyser-profile.ts';
import { AnalyserStream, asciiNumbers, records, type AnalyserReading } from './power-analyser-stream.ts';
import type { ScpiTransport } from './transport.ts';

/** Waits for the first record when a reading is asked for right after streaming started. */
const FIRST_RECORD_WAITS = 20;

export interface ScpiPowerAnalyserOptions extends InstrumentRecording {
  transport: ScpiTransport;
  profile?: AnalyserProfile;
  /** Update interval asked for (s); the unit's choice is read back. Default: the class's fastest. */
  updatePeriodS?: number;
  /** Input ranges to set (V, A); the unit's present ranges when absent. */
  voltageRangeV?: number;
  currentRangeA?: number;
  /** What the bench must be able to measure (V, A): a range below it refuses to open. */
  requiredVoltageV?: number;
  requiredCurrentA?: number;
  /** How often the host fetches the buffered updates (ms). */
  pollMs?: number;
  fetchRecords?: number;
}

export class ScpiPowerAnalyser extends ScpiInstrument implements PowerAnalyser {
  readonly kind = SCPI_POWER_ANALYSER_KIND;
  readonly profile: AnalyserProfile;
  /** The update interval in force (s), as the unit reported it. */
  periodS: number;
  ranges = { voltageV: 0, currentA: 0 };
  private stream: AnalyserStream;
  private timer: TimerHandle | undefined;
  private idn: Record<string, string> = {};
  private closed = false;
  private binary = true;
  /** The unit was told to stream and not yet to stop. */
  private unitStreaming = false;

  constructor(private readonly o: ScpiPowerAnalyserOptions) {
    super(o.transport, o.name);
    this.profile = o.profile ?? loadAnalyserProfile();
    this.periodS = o.updatePeriodS ?? Math.min(...this.profile.updateIntervalsS);
    this.stream = this.newStream();
  }

  get name(): string {
    return this.o.name;
  }

  get source(): string {
    return this.o.name;
  }

  get sampleRateHz(): number {
    return 1 / this.periodS;
  }

  /** Known state: no stream left running, headers off, identity, ranges, items, format, update interval. */
  async open(): Promise<void> {
    await this.set('streamStop');
    await this.set('clearStatus');
    await this.setWord('header', this.profile.values.off, (r) => !parseBool(r, this.where(this.spell('header', 'get'))));
    const id = await this.queryIdentity();
    this.idn = { vendor: id.vendor, model: id.model, serial: id.serial, firmware: id.firmware, profile: this.profile.class };
    for (const op of ['voltageAuto', 'currentAuto'] as const)
      await this.setWord(op, this.profile.values.off, (r) => !parseBool(r, this.where(this.spell(op, 'get'))));
    this.ranges = {
      voltageV: await this.range('voltageRange', this.o.voltageRangeV),
      currentA: await this.range('currentRange', this.o.currentRangeA),
    };
    const need = { voltageV: this.o.requiredVoltageV, currentA: this.o.requiredCurrentA };
    for (const k of ['voltageV', 'currentA'] as const) {
      const want = need[k];
      if (want !== undefined && want > this.ranges[k])
        throw new BenchFault(
          `${this.name}: the ${k} range is ${this.ranges[k]}, below the ${want} the bench must measure ` +
            '(a larger range, or a lower charger rating / safety.maxCurrentA in the bench file)',
          this.name,
        );
    }
    const items = ANALYSER_QUANTITIES.length;
    await this.setWord('itemCount', String(items), (r) => parseNumber(r, this.where(this.spell('itemCount', 'get'))) === items);
    for (const [k, q] of ANALYSER_QUANTITIES.entries()) {
      const item = this.profile.items[q];
      await this.setWord('item', item, (r) => r.trim().replace(/"/g, '').toUpperCase() === item.toUpperCase(), k + 1);
    }
    const binary = this.profile.values.binary;
    this.binary = !/^ASC/i.test(binary);
    await this.setWord('numericFormat', binary, (r) => binary.toUpperCase().startsWith(r.trim().toUpperCase()));
    this.periodS = await this.updateInterval(this.periodS);
    this.stream = this.newStream();
    await this.checkErrors();
    const info = { ...this.idn, ranges: { ...this.ranges }, periodS: this.periodS };
    this.o.timeline.record('instrument', this.name, { event: 'opened', ...info });
  }

  /** The newest update: from the stream while it runs, else the unit's present values. */
  async read(): Promise<AnalyserReading> {
    if (!this.stream.running) {
      const q = this.spell('numericValues', 'get');
      const values = this.binary
        ? blockFloats(await this.transport.queryBlock(q), this.where(q))
        : asciiNumbers(await this.ask(q), this.where(q));
      const [v, i, p] = records(values, this.where(q))[0] ?? [];
      if (v === undefined) throw new ScpiReplyError('no values in the reply', this.where(q), '');
      if ([v, i, p].some((x) => Math.abs(x) >= SCPI_NAN))
        throw new BenchFault(`${this.name}: the inlet is over the analyser's input range (${q} → 9.91E+37)`, this.name);
      const sign = this.profile.currentSign;
      return { voltageV: v, currentA: sign * i, powerW: sign * p };
    }
    for (let k = 0; k < FIRST_RECORD_WAITS && !this.stream.lastReading; k++) {
      await this.stream.drain(false);
      if (!this.stream.lastReading) await this.o.clock.sleep(Math.max(1, this.periodS * 2e3));
    }
    if (!this.stream.lastReading) throw new BenchFault(`${this.name}: the analyser delivered no update to read`, this.name);
    await this.stream.drain(false);
    return this.stream.lastReading;
  }

  async startStreaming(): Promise<void> {
    if (this.stream.running || this.closed) return;
    const sentNs = this.o.clock.now();
    await this.set('streamStart');
    this.unitStreaming = true;
    await this.ask(this.spell('operationComplete', 'get'));
    this.stream.begin(sentNs, this.o.clock.now());
    this.schedule();
  }

  /** Stops the unit's stream too when a bad reply already ended ours. */
  async stopStreaming(): Promise<void> {
    if (!this.unitStreaming) return;
    await this.stream.drain(true).catch(() => undefined);
    this.stream.end();
    this.unitStreaming = false;
    await this.set('streamStop');
    this.schedule();
  }

  /**
   * Every update so far onto the timeline, then the error queue: a unit that reports an error (its buffer
   * overflowed: updates lost, the stamps after them wrong) is a bench fault before anything judges the trace.
   */
  async flush(): Promise<void> {
    await this.stream.drain(true);
    await this.checkErrors();
  }

  /** No output to switch off: the analyser only measures. What it holds goes onto the timeline. */
  async safeState(): Promise<void> {
    if (this.stream.running) await this.flush().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.stopStreaming().catch(() => undefined);
    } finally {
      this.closed = true;
      this.timer?.cancel();
      await this.transport.close();
    }
  }

  identity(): Record<string, string> {
    return { ...this.idn, transport: this.transport.description, updatePeriodS: String(this.periodS) };
  }

  override checkErrors(maxReads = 20): Promise<void> {
    return this.checkErrorQueue(this.spell('nextError', 'get'), maxReads);
  }

  private newStream(): AnalyserStream {
    const fetchQ = this.spell('streamFetch', 'get');
    return new AnalyserStream({
      ...recordingOf(this.o),
      periodS: this.periodS,
      fetchRecords: this.o.fetchRecords ?? 1000,
      currentSign: this.profile.currentSign,
      fetch: async (n) => {
        const cmd = `${fetchQ} ${n}`;
        const reply = this.binary ? await this.transport.queryBlock(cmd) : await this.ask(cmd);
        return { reply, where: this.where(cmd), binary: this.binary };
      },
    });
  }

  /** The update interval: ask, read back what the unit chose (it rounds to the intervals it offers). */
  private async updateInterval(askedS: number): Promise<number> {
    await this.set('updateInterval', formatNumber(askedS));
    const q = this.spell('updateInterval', 'get');
    const seen = parseNumber(await this.ask(q), this.where(q));
    if (!(seen > 0) || seen > 2 * askedS)
      throw new BenchFault(`${this.name}: update interval read back as ${seen} s for ${askedS} s asked`, this.name);
    return seen;
  }

  /** Set a range (when the bench gives one) and read the one in force back. */
  private async range(op: 'voltageRange' | 'currentRange', want: number | undefined): Promise<number> {
    if (want !== undefined) await this.set(op, formatNumber(want));
    const q = this.spell(op, 'get');
    const seen = parseNumber(await this.ask(q), this.where(q));
    if (want !== undefined && seen < want)
      throw new BenchFault(`${this.name}: '${q}' reads back ${seen}, ${want} was set (the unit has no such range)`, this.name);
    return seen;
  }

  /** Set a word and check the read-back with `ok`. */
  private async setWord(op: AnalyserOperation, word: string, ok: (reply: string) => boolean, n?: number): Promise<void> {
    await this.set(op, word, n);
    const q = this.spell(op, 'get', n);
    const reply = await this.ask(q);
    if (!ok(reply)) throw new BenchFault(`${this.name}: '${q}' reads back '${reply.trim()}', '${word}' was set`, this.name);
  }

  private set(op: AnalyserOperation, value?: string, n?: number): Promise<void> {
    const s = this.spell(op, 'set', n);
    return this.write(value === undefined ? s : `${s} ${value}`);
  }

  /** The class's spelling of an operation; '<n>' stands for an item number. */
  private spell(op: AnalyserOperation, how: 'set' | 'get', n?: number): string {
    const s = this.profile.commands[op][how];
    if (!s) throw new BenchFault(`${this.name}: profile '${this.profile.class}' has no ${how} for '${op}'`, this.name);
    return s.replace('<n>', String(n ?? 1));
  }

  /** One timer fetches the buffered updates while streaming. */
  private schedule(): void {
    if (this.closed || !this.stream.running) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    this.timer = this.o.clock.setTimer(this.o.pollMs ?? 100, () => {
      this.timer = undefined;
      void this.stream.drain(false).catch(() => undefined);
      this.schedule();
    });
  }
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(8).replace(/\.?0+$/, '');
}
