// Continuous V/I logging (Elog) of a profiled SCPI instrument onto the timeline as 'samples' blocks.
// Binary records (FORM REAL, big-endian): ASCII is up to 5× slower at 1 kS/s. The instrument rounds the
// period to its step (1 ms → about 1.0035 ms on an RP7900), so the period is read back and every stamp
// uses it; the trigger is sent only once the instrument reports it is waiting for one. Sign convention:
// the instrument reports sourced current as positive, charging current is positive in mcs-hil.

import { BenchFault } from '../core/errors.ts';
import type { BatteryEmulatorReading } from './battery-emulator.ts';
import { blockFloats } from './binary-block.ts';
import { ScpiReplyError } from './errors.ts';
import type { InstrumentRecording } from './instrument-recording.ts';
import type { ProfiledCommands } from './profiled-commands.ts';

/** Replies collected before the sample stamps are anchored (each narrows the trigger-time estimate). */
const ANCHOR_FETCHES = 5;
/** Reads of the operation register while waiting for the trigger-armed bit. */
const ARM_POLLS = 50;

export interface ElogOptions extends InstrumentRecording {
  commands: ProfiledCommands;
  samplePeriodS: number;
  fetchRecords: number;
  pollMs: number;
}

export class ElogStream {
  /** The period the instrument reported (s): the stamps use it. */
  periodS = 0;
  running = false;
  lastReading: BatteryEmulatorReading | undefined;
  private nextSampleNs = 0;
  private recentGapsNs: number[] = [];
  private anchorLowNs = 0;
  private anchorHighNs = Number.POSITIVE_INFINITY;
  private anchored = false;
  private held: { currentA: number[]; voltageV: number[] } = { currentA: [], voltageV: [] };
  private heldFetches = 0;
  private recordsSeen = 0;
  private fetching: Promise<void> = Promise.resolve();
  private error: Error | undefined;

  constructor(private readonly o: ElogOptions) {}

  async start(): Promise<void> {
    const c = this.o.commands;
    await c.set('elogVoltage', c.on);
    await c.set('elogCurrent', c.on);
    await c.setIf('elogVoltageMinMax', c.off);
    await c.setIf('elogCurrentMinMax', c.off);
    await c.set('dataFormat', c.words.binary);
    await c.set('byteOrder', c.words.bigEndian);
    await c.set('elogPeriod', c.number(this.o.samplePeriodS));
    this.periodS = await c.getNumber('elogPeriod');
    if (!(this.periodS > 0) || this.periodS > 2 * this.o.samplePeriodS)
      throw new BenchFault(
        `${this.o.name}: Elog period read back as ${this.periodS} s for ${this.o.samplePeriodS} s requested`,
        this.o.name,
      );
    await c.checkErrors();
    await c.set('elogInit');
    await this.waitArmed();
    // Record 0 is integrated over the first period after the instrument triggered: after the TRIG went out (a
    // lower bound for its stamp), before the *OPC? behind it came back (an upper bound, read while this
    // resource waits for nothing else). Each fetch reply bounds it too (no record is newer than the reply).
    // The first records are held until a few replies narrowed the anchor.
    const dt = this.periodS * 1e9;
    const sentNs = this.o.clock.now();
    await c.set('elogTrigger');
    await c.get('operationComplete');
    this.anchorLowNs = sentNs + dt;
    this.anchorHighNs = this.o.clock.now() + dt;
    this.anchored = false;
    this.held = { currentA: [], voltageV: [] };
    this.heldFetches = 0;
    this.recordsSeen = 0;
    this.recentGapsNs = [];
    this.error = undefined;
    this.running = true;
    this.o.timeline.record('instrument', this.o.name, {
      event: 'streaming',
      on: true,
      sampleRateHz: 1 / this.periodS,
      periodS: this.periodS,
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    await this.drain(true).catch(() => undefined);
    this.running = false;
    await this.o.commands.set('elogAbort');
    this.o.timeline.record('instrument', this.o.name, { event: 'streaming', on: false });
  }

  /** Drain the FIFO onto the timeline. A bad reply stops streaming and is rethrown here and on later drains. */
  drain(final: boolean): Promise<void> {
    const run = () => this.fetchAll(final);
    const p = this.fetching.then(run, run);
    this.fetching = p.catch(() => undefined);
    return p;
  }

  private async waitArmed(): Promise<void> {
    const c = this.o.commands;
    const bit = c.profile.status.elogWaitingForTriggerBit;
    for (let k = 0; k < ARM_POLLS; k++) {
      if ((await c.getNumber('operation')) & (1 << bit)) return;
      await this.o.clock.sleep(Math.max(1, this.periodS * 1e3));
    }
    throw new BenchFault(`${this.o.name}: Elog never reported waiting for its trigger (operation bit ${bit})`, this.o.name);
  }

  private async fetchAll(final: boolean): Promise<void> {
    if (this.error) throw this.error;
    if (!this.running) return;
    const dt = this.periodS * 1e9;
    const order = this.o.commands.profile.elog.recordOrder;
    const iAt = order.indexOf('current');
    for (;;) {
      const cmd = `${this.o.commands.query('elogFetch')} ${this.o.fetchRecords}`;
      const reply = await this.o.commands.transport.queryBlock(cmd);
      const now = this.o.clock.now();
      let values: number[];
      try {
        values = blockFloats(reply, `${this.o.name} SCPI '${cmd}'`);
        if (values.length % 2)
          throw new ScpiReplyError(
            `Elog records come in (current, voltage) pairs; got ${values.length} numbers`,
            `${this.o.name} SCPI '${cmd}'`,
            '',
          );
      } catch (e) {
        this.error = e as Error;
        this.running = false;
        this.o.timeline.record('instrument', this.o.name, { event: 'stream-error', error: (e as Error).message });
        throw e;
      }
      const n = values.length / 2;
      if (n) this.take(values, n, iAt, now, dt);
      if (!this.anchored && this.held.currentA.length && (final || this.heldFetches >= ANCHOR_FETCHES)) this.anchor(dt);
      if (n < this.o.fetchRecords) return;
    }
  }

  private take(values: number[], n: number, iAt: number, now: number, dt: number): void {
    const currentA: number[] = new Array(n);
    const voltageV: number[] = new Array(n);
    for (let k = 0; k < n; k++) {
      currentA[k] = -values[2 * k + iAt];
      voltageV[k] = values[2 * k + 1 - iAt];
    }
    this.recordsSeen += n;
    this.lastReading = { voltageV: voltageV[n - 1], currentA: currentA[n - 1] };
    this.anchorHighNs = Math.min(this.anchorHighNs, now - (this.recordsSeen - 1) * dt);
    if (!this.anchored) {
      this.held.currentA.push(...currentA);
      this.held.voltageV.push(...voltageV);
      this.heldFetches++;
      return;
    }
    this.lagCheck(now, n, dt);
    this.emit(currentA, voltageV, dt);
  }

  private anchor(dt: number): void {
    this.anchored = true;
    this.nextSampleNs = Math.max(this.anchorLowNs, this.anchorHighNs);
    const uncertaintyMs = Math.max(0, this.anchorHighNs - this.anchorLowNs) / 1e6;
    this.o.timeline.record('instrument', this.o.name, { event: 'elog-anchor', uncertaintyMs });
    const h = this.held;
    this.held = { currentA: [], voltageV: [] };
    this.emit(h.currentA, h.voltageV, dt);
  }

  private emit(currentA: number[], voltageV: number[], dt: number): void {
    const t0 = this.nextSampleNs;
    this.nextSampleNs += currentA.length * dt;
    this.o.timeline.record('samples', this.o.name, { t0, dt, channels: { voltageV, currentA } }, t0 + (currentA.length - 1) * dt);
  }

  /**
   * The newest record should be about as old as the reply. If it lags in five fetches in a row, records
   * were probably lost (FIFO overflow while the host was busy) or the host reads replies late: the stamps
   * are kept, and the lag goes on the timeline as a warning.
   */
  private lagCheck(now: number, n: number, dt: number): void {
    if (n >= this.o.fetchRecords) return;
    this.recentGapsNs.push(now - (this.nextSampleNs + (n - 1) * dt));
    if (this.recentGapsNs.length > 5) this.recentGapsNs.shift();
    const minGap = Math.min(...this.recentGapsNs);
    if (this.recentGapsNs.length === 5 && minGap > Math.max(50e6, 3 * Math.min(this.o.pollMs, 1000) * 1e6)) {
      const note = 'records lost or host slow: sample stamps may be early by up to this much';
      this.o.timeline.record('instrument', this.o.name, { event: 'elog-lag', lagMs: minGap / 1e6, note });
      this.recentGapsNs = [];
    }
  }
}
