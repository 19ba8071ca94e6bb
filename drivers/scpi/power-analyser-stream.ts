// The power analyser's buffered updates onto the timeline as 'samples' blocks (voltageV, currentA, powerW):
// one record per data update, each the mean over its update interval, so each is stamped at the middle of its
// interval, using the interval the unit reported (it rounds what was asked). The start of the first interval
// is known only within bounds — after the start command went out, before the *OPC? behind it came back, and
// every fetch narrows it (the newest record it returns has closed, the next one not yet) — so the first
// records are held until a few fetches have narrowed it. Over-range records (SCPI NaN) are left out and
// said so on the timeline; a reply that is no record block stops the stream: a typed error here and on
// every later drain, everything already recorded stays.

import { blockFloats } from './binary-block.ts';
import { ScpiReplyError } from './errors.ts';
import { SCPI_NAN } from './instrument.ts';
import type { InstrumentRecording } from './instrument-recording.ts';
import type { PowerReading } from './power-analyser.ts';

/** Fetches whose bounds narrow the first interval's start before the held records go out. */
const ANCHOR_FETCHES = 3;

export interface AnalyserStreamOptions extends InstrumentRecording {
  /** The unit's update interval as it reported it (s). */
  periodS: number;
  /** Most records per fetch. */
  fetchRecords: number;
  currentSign: 1 | -1;
  /** Sends the fetch for up to n records; the raw reply (a block when binary). */
  fetch(n: number): Promise<{ reply: string; where: string; binary: boolean }>;
}

export interface AnalyserReading extends PowerReading {
  powerW: number;
}

export class AnalyserStream {
  running = false;
  lastReading: AnalyserReading | undefined;
  private lowNs = 0;
  private highNs = Number.POSITIVE_INFINITY;
  private anchored = false;
  private startNs = 0;
  private held: number[][] = [];
  private fetches = 0;
  private records = 0;
  private overRanges = 0;
  private chain: Promise<void> = Promise.resolve();
  private error: Error | undefined;

  constructor(private readonly o: AnalyserStreamOptions) {}

  /** The stream started between sentNs (start command out) and backNs (its *OPC? answered). */
  begin(sentNs: number, backNs: number): void {
    Object.assign(this, { lowNs: sentNs, highNs: backNs, anchored: false, held: [], fetches: 0, records: 0, overRanges: 0 });
    this.error = undefined;
    this.running = true;
    const periodS = this.o.periodS;
    this.o.timeline.record('instrument', this.o.name, { event: 'streaming', on: true, sampleRateHz: 1 / periodS, periodS });
  }

  end(): void {
    if (!this.running) return;
    this.running = false;
    this.o.timeline.record('instrument', this.o.name, { event: 'streaming', on: false, records: this.records });
  }

  /** Fetch every buffered record onto the timeline (final: stamp held records now). One drain at a time. */
  drain(final: boolean): Promise<void> {
    const run = () => this.fetchAll(final);
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async fetchAll(final: boolean): Promise<void> {
    if (this.error) throw this.error;
    if (!this.running) return;
    const dt = this.o.periodS * 1e9;
    for (;;) {
      const askedNs = this.o.clock.now();
      const { reply, where, binary } = await this.o.fetch(this.o.fetchRecords);
      const backNs = this.o.clock.now();
      let rows: number[][];
      try {
        rows = records(binary ? blockFloats(reply, where) : asciiNumbers(reply, where), where);
      } catch (e) {
        this.error = e as Error;
        this.running = false;
        this.o.timeline.record('instrument', this.o.name, { event: 'stream-error', error: (e as Error).message });
        throw e;
      }
      this.records += rows.length;
      this.fetches++;
      // The newest record has closed by the reply; when the buffer was emptied, the next one had not when asked.
      this.highNs = Math.min(this.highNs, backNs - this.records * dt);
      if (rows.length < this.o.fetchRecords) this.lowNs = Math.max(this.lowNs, askedNs - (this.records + 1) * dt);
      if (this.anchored) this.emit(rows);
      else {
        this.held.push(...rows);
        if (this.held.length && (final || this.fetches >= ANCHOR_FETCHES)) this.anchor();
      }
      if (rows.length < this.o.fetchRecords) return;
    }
  }

  private anchor(): void {
    this.anchored = true;
    const { lowNs, highNs } = this;
    this.startNs = lowNs <= highNs ? (lowNs + highNs) / 2 : highNs;
    this.o.timeline.record('instrument', this.o.name, { event: 'stream-anchor', uncertaintyMs: Math.max(0, highNs - lowNs) / 2e6 });
    const held = this.held;
    this.held = [];
    this.emitFrom(this.records - held.length, held);
  }

  /** Rows just fetched: they are the newest records. */
  private emit(rows: number[][]): void {
    this.emitFrom(this.records - rows.length, rows);
  }

  /** Records first..first+n-1, each stamped at the middle of its interval; over-range ones left out. */
  private emitFrom(first: number, rows: number[][]): void {
    if (!rows.length) return;
    const dt = this.o.periodS * 1e9;
    const sign = this.o.currentSign;
    const voltageV: number[] = [];
    const currentA: number[] = [];
    const powerW: number[] = [];
    let t0 = this.startNs + (first + 0.5) * dt;
    const flush = () => {
      if (!voltageV.length) return;
      const channels = { voltageV: voltageV.splice(0), currentA: currentA.splice(0), powerW: powerW.splice(0) };
      this.o.timeline.record('samples', this.o.name, { t0, dt, channels }, t0 + (channels.voltageV.length - 1) * dt);
    };
    rows.forEach(([v, i, p], k) => {
      if (Math.abs(v) >= SCPI_NAN || Math.abs(i) >= SCPI_NAN || Math.abs(p) >= SCPI_NAN) {
        flush(); // a block has one spacing: the gap starts a new one
        t0 = this.startNs + (first + k + 1.5) * dt;
        if (this.overRanges++ === 0)
          this.o.timeline.record('instrument', this.o.name, { event: 'over-range', note: 'records over the input range are left out' });
        return;
      }
      voltageV.push(v);
      currentA.push(sign * i);
      powerW.push(sign * p);
    });
    flush();
    const [v, i, p] = rows[rows.length - 1];
    if (Math.abs(v) < SCPI_NAN && Math.abs(i) < SCPI_NAN) this.lastReading = { voltageV: v, currentA: sign * i, powerW: sign * p };
  }
}

/** Numbers → (voltage, current, power) records; anything but whole records is a bad reply. */
export function records(values: number[], where: string): number[][] {
  if (values.length % 3)
    throw new ScpiReplyError(`analyser records come as (voltage, current, power); got ${values.length} numbers`, where, '');
  const out: number[][] = [];
  for (let k = 0; k < values.length; k += 3) out.push([values[k], values[k + 1], values[k + 2]]);
  return out;
}

/** An ASCII numeric list (NR1/NR2/NR3), over-range markers kept (they are left out per record above). */
export function asciiNumbers(reply: string, where: string): number[] {
  const s = reply.trim();
  if (!s) return [];
  return s.split(',').map((x) => {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(x.trim())) throw new ScpiReplyError('not a numeric list', where, reply);
    return Number(x);
  });
}
