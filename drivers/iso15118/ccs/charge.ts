// A running DIN 70121 / ISO 15118-2 charge: CurrentDemand cycles on their own once PowerDelivery(Start) was
// answered, one request per EVCC_ChargeLoop_Period, with the vehicle model's requests or a test's override.
// stop() ends it the standard's way: PowerDelivery(Stop) with CP still in C, contactors open once the
// current has fallen, WeldingDetection, SessionStop, and CP back to B only once the charger's output is off.

import type { HarnessLatency } from '../../core/harness-latency.ts';
import type { CpPilot } from '../../pilot/cp.ts';
import { answeredLoop, brokenLoop, type LoopRecord } from '../evcc/charging.ts';
import type { Exchange } from '../evcc/exchange.ts';
import type { CcsEvccSession } from './session.ts';

export type { LoopRecord };

export interface CcsChargeOptions {
  session: CcsEvccSession;
  /** The vehicle's CP; it stays in C until the output is off after the stop. */
  pilot?: CpPilot;
  /** The vehicle never asks for more than this (bench safety.maxCurrentA). */
  maxCurrentA?: number;
  /** The vehicle's own latency record: how late the loop's period timer fired (timing verdicts' uncertainty). */
  latency?: HarnessLatency;
}

export class CcsChargeLoop {
  readonly loops: LoopRecord[] = [];
  /** Why the loop ended on its own (the charger stopped answering, FAILED, link lost), if it did. */
  error: Error | undefined;
  running = true;
  readonly ended: Promise<void>;
  private override: number | undefined;
  private stopRequested = false;
  private lastResponseNs: number | undefined;
  private wake: (() => void) | undefined;
  private readonly startMs: number;

  constructor(private readonly o: CcsChargeOptions) {
    this.startMs = o.session.clock.nowMs();
    this.ended = this.run();
  }

  get session(): CcsEvccSession {
    return this.o.session;
  }

  /** New target current from the next cycle on. */
  requestCurrent(currentA: number): { atNs: number } {
    if (!Number.isFinite(currentA) || currentA < 0) throw new RangeError(`requestCurrent: ${currentA} A is not a current to request`);
    this.override = currentA;
    const atNs = this.o.session.clock.now();
    this.o.session.note('request override', { currentA, atNs });
    return { atNs };
  }

  private async target(): Promise<{ currentA: number; voltageV: number }> {
    const s = this.o.session;
    // The vehicle judges by what it measures at its inlet, not by what the charger reports.
    const present = s.power ? await s.power.inlet() : s.lastPresent;
    s.model.observe?.(present.voltageV);
    const own = s.model.nextRequest({
      presentCurrentA: present.currentA,
      presentVoltageV: present.voltageV,
      sinceStartMs: s.clock.nowMs() - this.startMs,
    });
    const cap = Math.min(this.o.maxCurrentA ?? Infinity, s.model.limits.maxCurrentA);
    return { currentA: Math.max(0, Math.min(this.override ?? own.currentA, cap)), voltageV: own.voltageV };
  }

  private async run(): Promise<void> {
    const s = this.o.session;
    const period = s.timers.get('EVCC_ChargeLoop_Period');
    let next = s.clock.nowMs();
    while (!this.stopRequested) {
      const target = await this.target();
      const atNs = s.clock.now();
      const sinceResponseMs = this.lastResponseNs === undefined ? NaN : (atNs - this.lastResponseNs) / 1e6;
      let ex: Exchange;
      try {
        ex = await s.currentDemand(target);
      } catch (e) {
        this.error = e as Error;
        this.loops.push(brokenLoop(atNs, target, sinceResponseMs, e));
        s.note('charge loop ended by an error', { error: this.error.message });
        break;
      }
      this.lastResponseNs = ex.receivedAtNs;
      this.loops.push(answeredLoop(atNs, target, sinceResponseMs, ex, s.lastPresent));
      next += period;
      const wait = next - s.clock.nowMs();
      if (wait <= 0) {
        next = s.clock.nowMs(); // a slow cycle does not make the next ones bunch up
        continue;
      }
      await new Promise<void>((resolve) => {
        const dueNs = s.clock.now() + wait * 1e6;
        const t = s.clock.setTimer(wait, () => {
          this.o.latency?.record('schedule', s.clock.now() - dueNs, s.clock.now());
          resolve();
        });
        this.wake = () => {
          t.cancel();
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.running = false;
  }

  /** PowerDelivery(Stop) … WeldingDetection … SessionStop; CP out of C once the output is off. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake?.();
    await this.ended;
    const s = this.o.session;
    const clock = s.clock;
    const holdMaxMs = s.limits.num('evcc.cpStopHoldMaxMs');
    const openBelowA = s.limits.num('evcc.contactorOpenCurrentA');
    const offV = s.limits.num('evcc.outputOffVoltageV');
    const poll = s.timers.get('EVCC_Processing_Poll');
    const t0 = clock.nowMs();
    let contactorsOpen = !s.power;
    const openContactors = async () => {
      if (contactorsOpen) return;
      while (Math.abs((await s.power!.inlet()).currentA) > openBelowA && clock.nowMs() - t0 < holdMaxMs) await clock.sleep(poll);
      await s.power!.setContactors(false);
      contactorsOpen = true;
      s.note('contactors open', { afterStopMs: clock.nowMs() - t0 });
    };
    try {
      if (!s.link.closed && !this.error) {
        await s.powerDelivery(false);
        await openContactors();
        if (s.doesWeldingDetection) await s.weldingDetection();
        await s.sessionStop();
      }
    } finally {
      // Whatever cut the stop short, the vehicle never leaves its contactors closed or CP in C under voltage.
      await openContactors().catch(() => undefined);
      const off = async () => (s.power ? (await s.power.inlet()).voltageV : s.lastPresent.voltageV) <= offV;
      while (!(await off()) && clock.nowMs() - t0 < holdMaxMs) await clock.sleep(poll);
      const wasOff = await off();
      await this.o.pilot?.setVehicleState('B');
      s.note(wasOff ? 'output off: CP left C' : 'output still on after the CP hold bound: CP left C anyway', {
        heldMs: clock.nowMs() - t0,
        boundMs: holdMaxMs,
      });
      await s.link.close().catch(() => undefined);
    }
  }
}
