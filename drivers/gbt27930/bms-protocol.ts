// The protocol engine of the vehicle (BMS) side of a GB/T 27930-2015 charging session: one state per phase
// of the standard's sequence (handshake → recognition → configuration → charging → stop → statistics), the
// periodic messages and timers each state runs (timers named as in the standard), and the reaction to each
// charger message. The steps a test takes are in bms-session.ts, which extends this. Product problems never
// throw: they show up as session states, BEM frames and timeline events that the suite judges.

import type { HarnessLatency } from '../core/harness-latency.ts';
import type { BmsState, StepResult } from './bms-state.ts';
import * as build from './bms-messages.ts';
import { BmsMisbehaviour } from './bms-misbehaviour.ts';
import type { BmsProfile } from './bms-profile.ts';
import { GbtNode, pickWiring, type GbtNodeWiring, type Values } from './gbt-node.ts';
import type { ReceivedMessage } from './link.ts';
import { CHARGE_MODE, NOT_READY, READY, RECOGNISED, STATUS, type BEM, type BST, type CCS, type CML, type GbtCode } from './messages.ts';
import type { TimeoutName } from './timing.ts';

export interface BmsSessionOptions extends GbtNodeWiring {
  profile: BmsProfile;
  /** The vehicle's DC contactors (e.g. the battery emulator's output): closed before BRO(0xAA), opened at the end. */
  contactors?: (closed: boolean) => Promise<void>;
  /** The battery's present voltage (e.g. the battery emulator's), reported in BCP; the profile's estimate otherwise. */
  batteryVoltage?: () => Promise<number>;
  /** Where to record the harness's own latency (receive-to-stamp, timer lateness) for timing verdicts. */
  latency?: HarnessLatency;
}

export abstract class BmsProtocol extends BmsMisbehaviour {
  protected readonly node: GbtNode<BmsState>;
  protected currentDemandA: number;
  protected voltageDemandV: number;
  protected permit: number = STATUS.active;
  protected bstValues: Partial<BST> = {};
  protected broReady = false;
  protected lastCcs: (CCS & { t: number }) | undefined;
  protected cml: CML | undefined;
  private contactorsClosed = false;
  protected readonly visited = new Set<BmsState>();
  protected readonly unsubscribe: () => void;
  /** Why the session ended in error (the timer that expired), for the test's report. */
  errorReason: string | undefined;

  constructor(readonly opts: BmsSessionOptions) {
    super();
    this.currentDemandA = opts.profile.initialCurrentA;
    this.voltageDemandV = opts.profile.targetVoltageV;
    this.node = new GbtNode<BmsState>({
      ...pickWiring(opts),
      initial: 'idle',
      onTimeout: (n) => this.onTimeout(n),
      shape: (code, values) => this.shape(code, values),
      periodicsOnWire: true, // BCL's 50 ms and the others' periods kept by the bus's real-time wire
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

  protected enterStopping(why: string): void {
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

  protected setState(s: BmsState, why: string): void {
    // Not on 'error': opening under load would hide a charger that keeps driving current.
    if (s === 'ended' || s === 'idle') void this.setContactors(false);
    this.visited.add(s);
    this.node.setState(s, why);
  }

  protected result(ok: boolean, from: number, reason?: string): StepResult {
    return { ok, state: this.node.state, from, to: this.opts.clock.now(), reason };
  }
}
