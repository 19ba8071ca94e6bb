// The vehicle (BMS) side of a GB/T 27930-2015 charging session as a test drives it: plug in, run up to
// charging, change the demand, pause, stop, unplug, and the safe state. The sequence itself (states, timers,
// the reaction to each charger message) is bms-protocol.ts; the hooks to misbehave on purpose for negative
// tests are bms-misbehaviour.ts.

import { waitFor } from '../core/clock.ts';
import { BmsProtocol } from './bms-protocol.ts';
import type { StepResult } from './bms-state.ts';
import { STATUS, type BST, type GbtCode } from './messages.ts';

export type { BmsState, StepResult } from './bms-state.ts';
export type { BmsSessionOptions } from './bms-protocol.ts';

export class BmsSession extends BmsProtocol {
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
  async stop(
    reason: Partial<BST> = { socReached: STATUS.active },
    timeoutMs = this.opts.timing.timeoutMs.stopMessage + this.opts.timing.timeoutMs.statistics,
  ): Promise<StepResult> {
    const from = this.opts.clock.now();
    if (
      this.node.state === 'charging' ||
      this.node.state === 'configuration' ||
      this.node.state === 'recognition' ||
      this.node.state === 'handshake'
    ) {
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

  private startBudgetMs(): number {
    const t = this.opts.timing.timeoutMs;
    return t.CRM_00 + t.CRM_AA + t.CML + t.CRO_AA;
  }
}
