// The vehicle (BMS) side of a GB/T 27930-2015 charging session, one state per phase of the standard's
// sequence (handshake → recognition → configuration → charging → stop → statistics), every timer named
// as in the standard, and hooks to misbehave on purpose (stop sending a message, send wrong values,
// delay readiness, raise BEM) for negative tests. Product problems never throw: they show up as session
// states, BEM frames and timeline events that the suite judges.

import { waitFor, type Clock } from '../core/clock.ts';
import type { HarnessLatency } from '../core/harness-latency.ts';
import type { Timeline } from '../core/timeline.ts';
import type { BmsState, StepResult } from './bms-state.ts';
import * as build from './bms-messages.ts';
import { BmsMisbehaviour } from './bms-misbehaviour.ts';
import type { BmsProfile } from './bms-profile.ts';
import { GbtNode, type Values } from './gbt-node.ts';
import type { GbtLink, ReceivedMessage } from './link.ts';
import {
  CHARGE_MODE, NOT_READY, READY, RECOGNISED, STATUS,
  type BEM, type BST, type CCS, type CML, type GbtCode,
} from './messages.ts';
import type { GbtTiming, TimeoutName } from './timing.ts';

export type { BmsState, StepResult } from './bms-state.ts';

export interface BmsSessionOptions {
  link: GbtLink;
  clock: Clock;
  timeline?: Timeline;
  source: string;
  timing: GbtTiming;
  profile: BmsProfile;
  /** The vehicle's DC contactors (e.g. the battery emulator's output): closed before BRO(0xAA), opened at the end. */
  contactors?: (closed: boolean) => Promise<void>;
  /** The battery's present voltage (e.g. the battery emulator's), reported in BCP; the profile's estimate otherwise. */
  batteryVoltage?: () => Promise<number>;
  /** Where to record the harness's own latency (receive-to-stamp, timer lateness) for timing verdicts. */
  latency?: HarnessLatency;
}

export class BmsSession extends BmsMisbehaviour {
  private readonly node: GbtNode<BmsState>;
  private currentDemandA: number;
  private voltageDemandV: number;
  private permit: number = STATUS.active;
  private bstValues: Partial<BST> = {};
  private broReady = false;
  private lastCcs: (CCS & { t: number }) | undefined;
  private cml: CML | undefined;
  private contactorsClosed = false;
  private readonly visited = new Set<BmsState>();
  private unsubscribe: () => void;
  /** Why the session ended in error (the timer that expired), for the test's report. */
  errorReason: string | undefined;

  constructor(readonly opts: BmsSessionOptions) {
    super();
    this.currentDemandA = opts.profile.initialCurrentA;
    this.voltageDemandV = opts.profile.targetVoltageV;
    this.node = new GbtNode<BmsState>({
      link: opts.link, clock: opts.clock, timeline: opts.timeline, source: opts.source, timing: opts.timing, initial: 'idle', latency: opts.latency,
      onTimeout: (n) => this.onTimeout(n), shape: (code, values) => this.shape(code, values),
    });
    this.unsubscribe = opts.link.onMessage((m) => this.onMessage(m));
    const p = opts.timing.periodMs;
    const every = (code: GbtCode, fn: () => Values) => this.node.periodic(code, p[code], fn);
    const view = () => ({ profile: opts.profile, lastCcs: this.lastCcs, permit: this.permit });
    every('BHM', () => ({ maxChargeVoltageV: opts.profile.maxChargeVoltageV }));
    every('BRM', () => opts.profile.identity as unknown as Values);
    every('BCP', () => build.bcp(opts.profile));
    every('BRO', () => ({ ready: this.broReady ? READY : NOT_READY }));
    every('BCL', () => ({ voltageDemandV: this.voltageDemandV, currentDemandA: this.currentDemandA, mode: CHARGE_MODE.constantCurrent }));
    every('BCS', () => build.bcs(view()));
    every('BSM', () => build.bsm(view()));
    every('BMV', () => build.bmv(view()));
    every('BMT', () => build.bmt(opts.profile));
    every('BSP', () => ({ reserved: [] }));
    every('BST', () => build.bst(this.bstValues));
    every('BSD', () => build.bsd(view()));
    every('BEM', () => build.bem(this.bemValues));
  }

  get state(): BmsState {
    return this.node.state;
  }

  /** Clock ns of the last state change. */
  get stateSinceNs(): number {
    return this.node.stateSinceNs;
  }

  /** The charger's declared limits (CML), once received. */
  get chargerLimits(): CML | undefined {
    return this.cml;
  }

  get lastChargerStatus(): (CCS & { t: number }) | undefined {
    return this.lastCcs;
  }

  get demandA(): number {
    return this.currentDemandA;
  }

  // ---------------------------------------------------------------- steps a test takes

  /** Plug in: answer the charger's handshake and run the sequence up to charging (or an error). */
  async startCharging(timeoutMs = this.startBudgetMs()): Promise<StepResult> {
    const from = this.opts.clock.now();
    if (this.node.state === 'idle' || this.node.state === 'ended' || this.node.state === 'error') this.plugIn();
    const ok = await this.waitForState('charging', timeoutMs);
    return this.result(ok, from, ok ? undefined : `session is '${this.node.state}'${this.errorReason ? ` (${this.errorReason})` : ''}`);
  }

  /** Become ready to answer CHM (or a CRM without CHM, as 2011 chargers send). */
  plugIn(): void {
    this.node.stopAll();
    this.visited.clear();
    this.errorReason = undefined;
    this.broReady = false;
    this.bstValues = {};
    this.bemValues = {};
    this.permit = STATUS.active;
    this.currentDemandA = this.opts.profile.initialCurrentA;
    this.lastCcs = undefined;
    this.cml = undefined;
    this.setState('handshake', 'plugged in; waiting for CHM');
    this.opts.batteryVoltage?.().then(
      (v) => {
        if (Number.isFinite(v) && v > 0) this.opts.profile.batteryVoltageV = Math.round(v * 10) / 10;
      },
      () => undefined, // keep the profile's estimate
    );
  }

  /** Change the BCL current demand (A, positive = charging); the charge loop keeps running. */
  requestCurrent(currentA: number): StepResult {
    const from = this.opts.clock.now();
    this.currentDemandA = Math.max(0, currentA);
    this.node.event('request', { currentDemandA: this.currentDemandA });
    // Send the new demand at once so the step time is the frame time, not up to one period later.
    if (this.node.state === 'charging') this.node.start('BCL');
    return this.result(true, from);
  }

  requestVoltage(voltageV: number): void {
    this.voltageDemandV = voltageV;
  }

  /** BSM "charging permitted" = 00 pauses the charger, 01 resumes it. */
  setChargingPermitted(permitted: boolean): void {
    this.permit = permitted ? STATUS.active : STATUS.normal;
    this.node.event('permit', { permitted });
  }

  /** BMS-initiated stop: BST until the charger answers with CST, then statistics. */
  async stop(reason: Partial<BST> = { socReached: STATUS.active }, timeoutMs = this.opts.timing.timeoutMs.stopMessage + this.opts.timing.timeoutMs.statistics): Promise<StepResult> {
    const from = this.opts.clock.now();
    if (this.node.state === 'charging' || this.node.state === 'configuration' || this.node.state === 'recognition' || this.node.state === 'handshake') {
      this.bstValues = reason;
      this.enterStopping('BMS stop requested');
      this.node.kick('stopMessage');
    }
    const ok = await this.waitForState('ended', timeoutMs);
    return this.result(ok, from);
  }

  /** Start a BMS-initiated stop (BST) and return at once; the session carries on to statistics. */
  beginStop(reason: Partial<BST> = { socReached: STATUS.active }): number {
    const t = this.opts.clock.now();
    void this.stop(reason);
    return t;
  }

  /** Go silent at once (unplug): every periodic message stops and every misbehaviour hook is cleared. */
  unplug(reason = 'unplugged'): void {
    this.node.stopAll();
    this.clearMisbehaviour();
    this.setState('idle', reason);
  }

  /** Put raw bytes on the bus as `code` (wrong lengths, malformed fields). */
  async sendRaw(code: GbtCode, data: Uint8Array): Promise<void> {
    await this.opts.link.sendRaw(code, data);
  }

  /**
   * Safe state: undo every misbehaviour, ask for 0 A and wait for the output to fall below the stop
   * current, stop the session (BST), wait until the charger's output is off, and only then open the
   * contactors and go silent. Every wait is bounded by the standard's stop timeout.
   */
  async safeState(): Promise<void> {
    const { timeoutMs, stopCurrentA } = this.opts.timing;
    this.clearMisbehaviour();
    this.currentDemandA = 0;
    const outputLow = () => {
      const c = this.lastCcs;
      // No CCS for longer than its timeout means the charger stopped reporting: its output is off.
      return !c || c.outputCurrentA < stopCurrentA || this.opts.clock.now() - c.t > timeoutMs.CCS * 1e6;
    };
    if (this.node.state === 'charging') {
      this.node.start('BCL');
      await waitFor(this.opts.clock, outputLow, timeoutMs.stopMessage, this.opts.timing.periodMs.BCL);
    }
    if (this.node.state === 'charging' || this.node.state === 'configuration') {
      await this.stop({ otherFault: STATUS.active }, timeoutMs.stopMessage);
    }
    await waitFor(this.opts.clock, outputLow, timeoutMs.stopMessage, this.opts.timing.periodMs.BCL);
    this.unplug('safe state');
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.node.close();
  }

  /** True once the session is in the state or went through it since plugging in (a stop before charging never counts). */
  waitForState(target: BmsState, timeoutMs: number): Promise<boolean> {
    const reached = () => this.node.state === target || (target !== 'idle' && this.visited.has(target));
    // An error or an unplug ends the wait: the session will not get there on its own.
    return this.node.waitUntil(reached, () => this.node.state === 'error' || this.node.state === 'idle', timeoutMs);
  }

  // ---------------------------------------------------------------- protocol

  private onMessage(m: ReceivedMessage): void {
    const s = this.node.state;
    if (s === 'idle') return;
    switch (m.code) {
      case 'CHM':
        if (s === 'handshake' && !this.node.running('BHM')) {
          this.node.start('BHM');
          this.node.event('rx-handshake', { version: `${m.values.versionMajor}.${m.values.versionMinor}` });
        }
        return;
      case 'CRM':
        if (m.values.recognition === RECOGNISED && (s === 'handshake' || s === 'recognition')) {
          if (s === 'handshake') {
            // Tolerate a charger that skips CRM(0x00): identify once, record the deviation, go on.
            this.node.event('sequence-deviation', { got: 'CRM(0xAA)', expected: 'CRM(0x00)' });
            this.node.send('BRM', this.opts.profile.identity as unknown as Values);
          }
          this.node.stop('BHM', 'BRM');
          this.node.cancel('CRM_AA');
          this.setState('configuration', s === 'handshake' ? 'CRM(0xAA) without CRM(0x00)' : 'CRM(0xAA): charger recognised the BMS');
          this.node.start('BCP');
          this.node.kick('CML');
        } else if (m.values.recognition !== RECOGNISED && s === 'handshake') {
          this.node.stop('BHM');
          this.setState('recognition', 'CRM(0x00)');
          this.node.start('BRM');
          this.node.kick('CRM_AA');
        }
        return;
      case 'CML':
        this.cml = m.values;
        if (s === 'configuration' && this.node.running('BCP')) {
          this.node.stop('BCP');
          this.node.cancel('CML');
          this.broReady = false;
          this.node.start('BRO');
          const delayMs = this.broDelayOnceMs ?? this.opts.profile.broReadyDelayMs;
          this.broDelayOnceMs = undefined;
          this.node.after(delayMs, () => {
            if (this.node.state !== 'configuration') return;
            void this.setContactors(true).then(() => {
              if (this.node.state !== 'configuration') return;
              this.broReady = true;
              this.node.event('bro-ready', {});
              this.node.kick('CRO_AA');
            });
          });
        }
        return;
      case 'CRO':
        if (s === 'configuration' && this.broReady && m.values.ready === READY) {
          this.node.stop('BRO');
          this.node.cancel('CRO_AA');
          this.setState('charging', 'CRO(0xAA): charger ready');
          this.node.start('BCL');
          this.node.start('BCS', 5);
          this.node.start('BSM', 10);
          if (this.opts.profile.optionalReports) {
            this.node.start('BMV', 15);
            this.node.start('BMT', 20);
            this.node.start('BSP', 25);
          }
          this.node.kick('CCS_first');
        }
        return;
      case 'CCS':
        this.lastCcs = { ...m.values, t: m.t };
        if (s === 'charging') {
          this.node.cancel('CCS_first');
          this.node.kick('CCS');
        }
        return;
      case 'CST':
        if (s === 'charging' || s === 'configuration') {
          this.bstValues = { chargerStopped: STATUS.active };
          this.enterStopping('CST: charger stopped');
        }
        if (this.node.state === 'stopping') {
          this.node.cancel('stopMessage');
          this.enterStatistics();
        }
        return;
      case 'CSD':
        if (this.node.state === 'statistics') {
          this.node.cancel('statistics');
          // Keep BSD going one more period so the charger sees it, then go silent.
          this.node.after(this.opts.timing.periodMs.BSD, () => {
            if (this.node.state !== 'statistics') return;
            this.node.stopAll();
            this.setState('ended', 'CSD received');
          });
        }
        return;
      case 'CEM':
        this.node.event('charger-error', { cem: m.values });
        if (s === 'charging' || s === 'configuration' || s === 'recognition') {
          this.bstValues = { otherFault: STATUS.active };
          this.enterStopping('CEM: charger reported a timeout');
        }
        return;
      default:
        return;
    }
  }

  private enterStopping(why: string): void {
    this.node.stop('BHM', 'BRM', 'BCP', 'BRO', 'BCL', 'BCS', 'BSM', 'BMV', 'BMT', 'BSP');
    this.node.cancel('CCS', 'CCS_first', 'CML', 'CRM_AA', 'CRO_AA');
    this.setState('stopping', why);
    this.node.start('BST');
  }

  private enterStatistics(): void {
    // The standard lets BST run until the BMS has seen CST; then BSD replaces it.
    this.node.stop('BST');
    this.setState('statistics', 'CST seen; sending BSD');
    this.node.start('BSD');
    this.node.kick('statistics');
  }

  private enterError(why: string, bem: Partial<BEM>): void {
    this.errorReason = why;
    this.node.stopAll();
    this.bemValues = { ...this.bemValues, ...bem };
    this.setState('error', why);
    this.node.start('BEM');
  }

  private onTimeout(name: TimeoutName): void {
    this.node.event('timeout', { timer: name, ms: this.opts.timing.timeoutMs[name] });
    this.enterError(`timeout ${name} (${this.opts.timing.timeoutMs[name]} ms)`, build.BEM_BITS[name] ?? { other: 1 });
  }

  // ---------------------------------------------------------------- plumbing

  private shape(code: GbtCode, values: Values): { values: Values; opts?: { length: 41 | 49 } } | undefined {
    const v = this.applyMisbehaviour(code, values);
    return v && { values: v, opts: code === 'BRM' ? { length: this.opts.profile.brmLength } : undefined };
  }

  protected misbehaved(data: Values): void {
    this.node.event('misbehave', data);
  }

  protected startBem(): void {
    this.node.start('BEM');
  }

  private async setContactors(closed: boolean): Promise<void> {
    if (!this.opts.contactors || this.contactorsClosed === closed) return;
    this.contactorsClosed = closed;
    this.node.event('contactors', { closed });
    try {
      await this.opts.contactors(closed);
    } catch (err) {
      this.node.note(`contactors ${closed ? 'close' : 'open'} failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private setState(s: BmsState, why: string): void {
    // Not on 'error': opening under load would hide a charger that keeps driving current.
    if (s === 'ended' || s === 'idle') void this.setContactors(false);
    this.visited.add(s);
    this.node.setState(s, why);
  }

  private result(ok: boolean, from: number, reason?: string): StepResult {
    return { ok, state: this.node.state, from, to: this.opts.clock.now(), reason };
  }

  private startBudgetMs(): number {
    const t = this.opts.timing.timeoutMs;
    return t.CRM_00 + t.CRM_AA + t.CML + t.CRO_AA;
  }
}
