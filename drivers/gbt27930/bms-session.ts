// The vehicle (BMS) side of a GB/T 27930-2015 charging session, one state per phase of the standard's
// sequence (handshake → recognition → configuration → charging → stop → statistics), every timer named
// as in the standard, and hooks to misbehave on purpose (stop sending a message, send wrong values,
// delay readiness, raise BEM) for negative tests. Product problems never throw: they show up as session
// states, BEM frames and timeline events that the suite judges.

import { waitFor, type Clock } from '../core/clock.ts';
import type { Timeline } from '../core/timeline.ts';
import type { BmsProfile } from './bms-profile.ts';
import type { GbtLink, ReceivedMessage } from './link.ts';
import {
  CHARGE_MODE, NOT_READY, READY, RECOGNISED, STATUS,
  type BEM, type BST, type CCS, type CML, type GbtCode, type GbtMessageMap,
} from './messages.ts';
import { PeriodicTask, Watchdog } from './periodic.ts';
import type { GbtTiming, TimeoutName } from './timing.ts';

export type BmsState =
  | 'idle' // not plugged in: silent
  | 'handshake' // answering CHM with BHM
  | 'recognition' // sending BRM until CRM(0xAA)
  | 'configuration' // BCP, then BRO
  | 'charging' // BCL/BCS/BSM
  | 'stopping' // BST
  | 'statistics' // BSD
  | 'ended'
  | 'error'; // BEM after a timeout

const ORDER: BmsState[] = ['idle', 'handshake', 'recognition', 'configuration', 'charging', 'stopping', 'statistics', 'ended'];

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
}

export interface StepResult {
  ok: boolean;
  state: BmsState;
  /** Clock ns when the step was asked for and when it ended. */
  from: number;
  to: number;
  reason?: string;
}

type Values = Record<string, unknown>;

export class BmsSession {
  private stateValue: BmsState = 'idle';
  private readonly tasks = new Map<GbtCode, PeriodicTask>();
  private readonly watchdogs = new Map<TimeoutName, Watchdog>();
  private readonly suppressed = new Set<GbtCode>();
  private readonly overrides = new Map<GbtCode, Values>();
  private readonly stateWaiters = new Set<() => void>();
  private currentDemandA: number;
  private voltageDemandV: number;
  private permit: number = STATUS.active;
  private bstValues: Partial<BST> = {};
  private bemValues: Partial<BEM> = {};
  private broReady = false;
  private broDelayOnceMs: number | undefined;
  private lastCcs: (CCS & { t: number }) | undefined;
  private cml: CML | undefined;
  private unsubscribe: () => void;
  /** Why the session ended in error (the timer that expired), for the test's report. */
  errorReason: string | undefined;

  constructor(readonly opts: BmsSessionOptions) {
    this.currentDemandA = opts.profile.initialCurrentA;
    this.voltageDemandV = opts.profile.targetVoltageV;
    this.unsubscribe = opts.link.onMessage((m) => this.onMessage(m));
    const p = opts.timing.periodMs;
    const every = (code: GbtCode, build: () => Values) => this.tasks.set(code, new PeriodicTask(opts.clock, p[code], () => this.tx(code, build())));
    every('BHM', () => ({ maxChargeVoltageV: opts.profile.maxChargeVoltageV }));
    every('BRM', () => opts.profile.identity as unknown as Values);
    every('BCP', () => this.bcp());
    every('BRO', () => ({ ready: this.broReady ? READY : NOT_READY }));
    every('BCL', () => ({ voltageDemandV: this.voltageDemandV, currentDemandA: this.currentDemandA, mode: CHARGE_MODE.constantCurrent }));
    every('BCS', () => this.bcs());
    every('BSM', () => this.bsm());
    // BMV is capped at 32 cells: the TP serialises per peer, and a 256-cell BMV (74 packets) would hold BCS back.
    every('BMV', () => ({ cells: Array.from({ length: Math.min(opts.profile.cellsSeries, 32) }, (_, i) => ({ voltageV: this.cellVoltage(), group: (i >> 4) & 15 })) }));
    every('BMT', () => ({ probes: Array.from({ length: 8 }, () => ({ temperatureC: opts.profile.temperatureC })) }));
    every('BSP', () => ({ reserved: [] }));
    every('BST', () => this.bst());
    every('BSD', () => this.bsd());
    every('BEM', () => this.bem());
  }

  get state(): BmsState {
    return this.stateValue;
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
    if (this.stateValue === 'idle' || this.stateValue === 'ended' || this.stateValue === 'error') this.plugIn();
    const ok = await this.waitForState('charging', timeoutMs);
    return this.result(ok, from, ok ? undefined : `session is '${this.stateValue}'${this.errorReason ? ` (${this.errorReason})` : ''}`);
  }

  /** Become ready to answer CHM (or a CRM without CHM, as 2011 chargers send). */
  plugIn(): void {
    this.stopAll();
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
    this.event('request', { currentDemandA: this.currentDemandA });
    // Send the new demand at once so the step time is the frame time, not up to one period later.
    if (this.stateValue === 'charging') this.tasks.get('BCL')!.start();
    return this.result(true, from);
  }

  requestVoltage(voltageV: number): void {
    this.voltageDemandV = voltageV;
  }

  /** BSM "charging permitted" = 00 pauses the charger, 01 resumes it. */
  setChargingPermitted(permitted: boolean): void {
    this.permit = permitted ? STATUS.active : STATUS.normal;
    this.event('permit', { permitted });
  }

  /** BMS-initiated stop: BST until the charger answers with CST, then statistics. */
  async stop(reason: Partial<BST> = { socReached: STATUS.active }, timeoutMs = this.opts.timing.timeoutMs.stopMessage + this.opts.timing.timeoutMs.statistics): Promise<StepResult> {
    const from = this.opts.clock.now();
    if (this.stateValue === 'charging' || this.stateValue === 'configuration' || this.stateValue === 'recognition' || this.stateValue === 'handshake') {
      this.bstValues = reason;
      this.enterStopping('BMS stop requested');
      this.kick('stopMessage');
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
    this.stopAll();
    this.suppressed.clear();
    this.overrides.clear();
    this.broDelayOnceMs = undefined;
    this.setState('idle', reason);
  }

  // ---------------------------------------------------------------- misbehaviour hooks

  /** Stop sending one message (it is simply no longer put on the bus). */
  stopSending(code: GbtCode): void {
    this.suppressed.add(code);
    this.event('misbehave', { stopSending: code });
  }

  resumeSending(code: GbtCode): void {
    this.suppressed.delete(code);
    this.event('misbehave', { resumeSending: code });
  }

  /** Replace fields of a message from now on (e.g. a BCP whose max current exceeds what the charger offers). */
  override<K extends GbtCode>(code: K, values: Partial<GbtMessageMap[K]>): void {
    this.overrides.set(code, { ...(this.overrides.get(code) ?? {}), ...(values as Values) });
    this.event('misbehave', { override: code, values });
  }

  clearOverrides(): void {
    this.overrides.clear();
  }

  /** For the next session only: keep BRO at 0x00 this long after CML (delays the charger's CRO). */
  delayBroReady(ms: number): void {
    this.broDelayOnceMs = ms;
    this.event('misbehave', { broReadyDelayMs: ms });
  }

  /** Raise BEM with these bits (e.g. {ccsTimeout: 1}) while the charge loop keeps running: the charger's reaction to BEM alone. */
  sendBem(values: Partial<BEM>): void {
    this.bemValues = { ...this.bemValues, ...values };
    this.event('misbehave', { bem: values });
    this.tasks.get('BEM')!.start();
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
    this.suppressed.clear();
    this.overrides.clear();
    this.currentDemandA = 0;
    const outputLow = () => {
      const c = this.lastCcs;
      // No CCS for longer than its timeout means the charger stopped reporting: its output is off.
      return !c || c.outputCurrentA < stopCurrentA || this.opts.clock.now() - c.t > timeoutMs.CCS * 1e6;
    };
    if (this.stateValue === 'charging') {
      this.tasks.get('BCL')!.start();
      await waitFor(this.opts.clock, outputLow, timeoutMs.stopMessage, this.opts.timing.periodMs.BCL);
    }
    if (this.stateValue === 'charging' || this.stateValue === 'configuration') {
      await this.stop({ otherFault: STATUS.active }, timeoutMs.stopMessage);
    }
    await waitFor(this.opts.clock, outputLow, timeoutMs.stopMessage, this.opts.timing.periodMs.BCL);
    this.unplug('safe state');
  }

  async close(): Promise<void> {
    this.stopAll();
    this.unsubscribe();
    for (const w of this.stateWaiters) w();
  }

  /** Resolve true when the state is reached (or passed, in sequence order), false on timeout/error. */
  waitForState(target: BmsState, timeoutMs: number): Promise<boolean> {
    const reached = () => {
      if (this.stateValue === target) return true;
      const a = ORDER.indexOf(this.stateValue);
      const b = ORDER.indexOf(target);
      return a >= 0 && b >= 0 && a > b && target !== 'idle';
    };
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.opts.clock.setTimer(timeoutMs, () => done(false));
      const check = () => {
        if (reached()) done(true);
        else if (this.stateValue === 'error' || this.stateValue === 'idle') done(target === this.stateValue);
      };
      const done = (ok: boolean) => {
        timer.cancel();
        this.stateWaiters.delete(check);
        resolve(ok);
      };
      this.stateWaiters.add(check);
    });
  }

  // ---------------------------------------------------------------- protocol

  private onMessage(m: ReceivedMessage): void {
    const s = this.stateValue;
    if (s === 'idle') return;
    switch (m.code) {
      case 'CHM':
        if (s === 'handshake' && !this.tasks.get('BHM')!.running) {
          this.tasks.get('BHM')!.start();
          this.event('rx-handshake', { version: `${m.values.versionMajor}.${m.values.versionMinor}` });
        }
        return;
      case 'CRM':
        if (m.values.recognition === RECOGNISED) {
          if (s === 'handshake') {
            // Tolerate a charger that skips CRM(0x00): identify once, record the deviation, go on.
            this.stop1('BHM');
            this.event('sequence-deviation', { got: 'CRM(0xAA)', expected: 'CRM(0x00)' });
            this.tx('BRM', this.opts.profile.identity as unknown as Values);
            this.setState('configuration', 'CRM(0xAA) without CRM(0x00)');
            this.tasks.get('BCP')!.start();
            this.kick('CML');
          } else if (s === 'recognition') {
            this.stop1('BRM');
            this.cancel('CRM_AA');
            this.setState('configuration', 'CRM(0xAA): charger recognised the BMS');
            this.tasks.get('BCP')!.start();
            this.kick('CML');
          }
        } else if (s === 'handshake') {
          this.stop1('BHM');
          this.setState('recognition', 'CRM(0x00)');
          this.tasks.get('BRM')!.start();
          this.kick('CRM_AA');
        }
        return;
      case 'CML':
        this.cml = m.values;
        if (s === 'configuration' && this.tasks.get('BCP')!.running) {
          this.stop1('BCP');
          this.cancel('CML');
          this.broReady = false;
          this.tasks.get('BRO')!.start();
          const delayMs = this.broDelayOnceMs ?? this.opts.profile.broReadyDelayMs;
          this.broDelayOnceMs = undefined;
          this.opts.clock.setTimer(delayMs, () => {
            if (this.stateValue !== 'configuration') return;
            void this.setContactors(true).then(() => {
              if (this.stateValue !== 'configuration') return;
              this.broReady = true;
              this.event('bro-ready', {});
              this.kick('CRO_AA');
            });
          });
        }
        return;
      case 'CRO':
        if (s === 'configuration' && this.broReady && m.values.ready === READY) {
          this.stop1('BRO');
          this.cancel('CRO_AA');
          this.setState('charging', 'CRO(0xAA): charger ready');
          this.tasks.get('BCL')!.start();
          this.tasks.get('BCS')!.start(5);
          this.tasks.get('BSM')!.start(10);
          if (this.opts.profile.optionalReports) {
            this.tasks.get('BMV')!.start(15);
            this.tasks.get('BMT')!.start(20);
            this.tasks.get('BSP')!.start(25);
          }
          this.kick('CCS_first');
        }
        return;
      case 'CCS':
        this.lastCcs = { ...m.values, t: m.t };
        if (s === 'charging') {
          this.cancel('CCS_first');
          this.kick('CCS');
        }
        return;
      case 'CST':
        if (s === 'charging' || s === 'configuration') {
          this.bstValues = { chargerStopped: STATUS.active };
          this.enterStopping('CST: charger stopped');
        }
        if (this.stateValue === 'stopping') {
          this.cancel('stopMessage');
          this.enterStatistics();
        }
        return;
      case 'CSD':
        if (this.stateValue === 'statistics') {
          this.cancel('statistics');
          // Keep BSD going one more period so the charger sees it, then go silent.
          this.opts.clock.setTimer(this.opts.timing.periodMs.BSD, () => {
            if (this.stateValue !== 'statistics') return;
            this.stopAll();
            this.setState('ended', 'CSD received');
          });
        }
        return;
      case 'CEM':
        this.event('charger-error', { cem: m.values });
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
    for (const c of ['BHM', 'BRM', 'BCP', 'BRO', 'BCL', 'BCS', 'BSM', 'BMV', 'BMT', 'BSP'] as GbtCode[]) this.stop1(c);
    for (const w of ['CCS', 'CCS_first', 'CML', 'CRM_AA', 'CRO_AA'] as TimeoutName[]) this.cancel(w);
    this.setState('stopping', why);
    this.tasks.get('BST')!.start();
  }

  private enterStatistics(): void {
    // The standard lets BST run until the BMS has seen CST; then BSD replaces it.
    this.stop1('BST');
    this.setState('statistics', 'CST seen; sending BSD');
    this.tasks.get('BSD')!.start();
    this.kick('statistics');
  }

  private enterError(why: string, bem: Partial<BEM>): void {
    this.errorReason = why;
    this.stopAll();
    this.bemValues = { ...this.bemValues, ...bem };
    this.setState('error', why);
    this.tasks.get('BEM')!.start();
  }

  private onTimeout(name: TimeoutName): void {
    const bits: Partial<Record<TimeoutName, Partial<BEM>>> = {
      CRM_AA: { crmAaTimeout: STATUS.active },
      CML: { ctsCmlTimeout: STATUS.active },
      CRO_AA: { croTimeout: STATUS.active },
      CCS: { ccsTimeout: STATUS.active },
      CCS_first: { ccsTimeout: STATUS.active },
      stopMessage: { cstTimeout: STATUS.active },
      statistics: { csdTimeout: STATUS.active },
    };
    this.event('timeout', { timer: name, ms: this.opts.timing.timeoutMs[name] });
    this.enterError(`timeout ${name} (${this.opts.timing.timeoutMs[name]} ms)`, bits[name] ?? { other: 1 });
  }

  // ---------------------------------------------------------------- message contents

  private bcp(): Values {
    const p = this.opts.profile;
    return {
      maxCellVoltageV: p.maxCellVoltageV, maxChargeCurrentA: p.maxChargeCurrentA, nominalEnergyKwh: p.nominalEnergyKwh,
      maxChargeVoltageV: p.maxChargeVoltageV, maxTemperatureC: p.maxTemperatureC, socPct: p.socPct, batteryVoltageV: p.batteryVoltageV,
    };
  }

  private measuredVoltage(): number {
    return this.lastCcs?.outputVoltageV ?? this.opts.profile.batteryVoltageV;
  }

  private cellVoltage(): number {
    return Math.min(40.95, Math.round((this.measuredVoltage() / this.opts.profile.cellsSeries) * 100) / 100);
  }

  private bcs(): Values {
    return {
      measuredVoltageV: this.measuredVoltage(), measuredCurrentA: Math.max(0, Math.min(400, this.lastCcs?.outputCurrentA ?? 0)),
      maxCellVoltageV: this.cellVoltage(), maxCellGroup: 1, socPct: Math.round(this.opts.profile.socPct), remainingMin: 60,
    };
  }

  private bsm(): Values {
    const t = this.opts.profile.temperatureC;
    return {
      maxCellVoltageIndex: 1, maxTemperatureC: t, maxTemperatureProbe: 1, minTemperatureC: t, minTemperatureProbe: 2,
      cellVoltageStatus: 0, socStatus: 0, overCurrent: 0, overTemperature: 0, insulation: 0, outputConnector: 0, chargingPermitted: this.permit,
    };
  }

  private bst(): Values {
    const zero = {
      socReached: 0, totalVoltageReached: 0, cellVoltageReached: 0, chargerStopped: 0, insulationFault: 0, connectorOverTemp: 0,
      componentOverTemp: 0, chargingConnectorFault: 0, packOverTemp: 0, hvRelayFault: 0, checkpoint2VoltageFault: 0, otherFault: 0,
      overCurrent: 0, voltageAbnormal: 0,
    };
    return { ...zero, ...this.bstValues };
  }

  private bsd(): Values {
    const v = this.cellVoltage();
    const t = this.opts.profile.temperatureC;
    return { socPct: Math.round(this.opts.profile.socPct), minCellVoltageV: v, maxCellVoltageV: v, minTemperatureC: t, maxTemperatureC: t };
  }

  private bem(): Values {
    return { crm00Timeout: 0, crmAaTimeout: 0, ctsCmlTimeout: 0, croTimeout: 0, ccsTimeout: 0, cstTimeout: 0, csdTimeout: 0, other: 0, ...this.bemValues };
  }

  // ---------------------------------------------------------------- plumbing

  private tx(code: GbtCode, values: Values): void {
    if (this.suppressed.has(code)) return;
    const v = { ...values, ...(this.overrides.get(code) ?? {}) };
    const opts = code === 'BRM' ? { length: this.opts.profile.brmLength } : undefined;
    this.opts.link.send(code, v as never, opts).catch((err: unknown) => {
      this.opts.timeline?.record('note', this.opts.source, { message: `sending ${code} failed: ${(err as Error)?.message ?? String(err)}` });
    });
  }

  private kick(name: TimeoutName): void {
    let w = this.watchdogs.get(name);
    if (!w) this.watchdogs.set(name, (w = new Watchdog(this.opts.clock, name, (n) => this.onTimeout(n as TimeoutName))));
    w.kick(this.opts.timing.timeoutMs[name]);
  }

  private cancel(name: TimeoutName): void {
    this.watchdogs.get(name)?.cancel();
  }

  private stop1(code: GbtCode): void {
    this.tasks.get(code)?.stop();
  }

  private stopAll(): void {
    for (const t of this.tasks.values()) t.stop();
    for (const w of this.watchdogs.values()) w.cancel();
  }

  private contactorsClosed = false;

  private async setContactors(closed: boolean): Promise<void> {
    if (!this.opts.contactors || this.contactorsClosed === closed) return;
    this.contactorsClosed = closed;
    this.event('contactors', { closed });
    try {
      await this.opts.contactors(closed);
    } catch (err) {
      this.opts.timeline?.record('note', this.opts.source, { message: `contactors ${closed ? 'close' : 'open'} failed: ${(err as Error)?.message ?? String(err)}` });
    }
  }

  private setState(s: BmsState, why: string): void {
    const from = this.stateValue;
    // Not on 'error': opening under load would hide a charger that keeps driving current.
    if (s === 'ended' || s === 'idle') void this.setContactors(false);
    this.stateValue = s;
    this.event('state', { from, to: s, why });
    for (const w of [...this.stateWaiters]) w();
  }

  private event(what: string, data: Values): void {
    this.opts.timeline?.record('session', this.opts.source, { event: what, state: this.stateValue, ...data });
  }

  private result(ok: boolean, from: number, reason?: string): StepResult {
    return { ok, state: this.stateValue, from, to: this.opts.clock.now(), reason };
  }

  private startBudgetMs(): number {
    const t = this.opts.timing.timeoutMs;
    return t.CRM_00 + t.CRM_AA + t.CML + t.CRO_AA;
  }
}
