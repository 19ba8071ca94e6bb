// A running charge: the DC_ChargeLoop cycles on its own once PowerDelivery(Start) was answered, one
// request per EVCC_ChargeLoop_Period, with the vehicle profile's requests or a test's override
// (requestCurrent). stop() ends it the standard way: PowerDelivery(Stop) with CE still C, welding
// detection, SessionStop, and CE leaves C only once the charger's output is off (bounded, 10 s).
// This is the API the ramp and safety suites drive — keep it stable. The loop keeps the EVCC's own side of
// Table 217: the next DC_ChargeLoopReq leaves within V2G_EVCC_Sequence_Performance_Time (0.25 s) of the last
// response (each record says how long it took; a late one is noted on the timeline), and silence() lets a
// test make the vehicle go quiet mid-loop on purpose (the charger's 0.5 s sequence timeout is then judged).

import type { HarnessLatency } from '../../core/harness-latency.ts';
import type { Limits } from '../../core/limits.ts';
import { releaseCeAfterOutputDisabled, type CeIdPilot } from '../../pilot/ce-id.ts';
import type { EvccSession, Exchange } from './session.ts';
import type { EvRequestModel } from './vehicle-model.ts';

/** The vehicle's CE/ID signal lines (drivers/pilot). */
export type CePort = CeIdPilot;

export interface LoopRecord {
  /** Clock ns the request went out. */
  atNs: number;
  targetA: number;
  targetV: number;
  presentA: number;
  presentV: number;
  /** The charger's response time for this cycle (ms); NaN when it did not answer. */
  responseMs: number;
  /** From the previous DC_ChargeLoopRes to this request (ms): the EVCC's sequence performance time; NaN for the first. */
  sinceResponseMs: number;
  currentLimitAchieved?: boolean;
  powerLimitAchieved?: boolean;
  voltageLimitAchieved?: boolean;
}

/** A charge-loop cycle the charger answered: what was asked and what it reported. */
export function answeredLoop(
  atNs: number,
  target: { currentA: number; voltageV: number },
  sinceResponseMs: number,
  ex: Exchange,
  present: { currentA: number; voltageV: number },
): LoopRecord {
  const b = ex.body ?? {};
  return {
    atNs,
    targetA: target.currentA,
    targetV: target.voltageV,
    presentA: present.currentA,
    presentV: present.voltageV,
    responseMs: ex.responseMs ?? NaN,
    sinceResponseMs,
    currentLimitAchieved: b.EVSECurrentLimitAchieved,
    powerLimitAchieved: b.EVSEPowerLimitAchieved,
    voltageLimitAchieved: b.EVSEVoltageLimitAchieved,
  };
}

/** The cycle that ended the loop with an error: no present values, the response time if an answer came. */
export function brokenLoop(atNs: number, target: { currentA: number; voltageV: number }, sinceResponseMs: number, e: unknown): LoopRecord {
  const responseMs = (e as { exchange?: Exchange }).exchange?.responseMs ?? NaN;
  return { atNs, targetA: target.currentA, targetV: target.voltageV, presentA: NaN, presentV: NaN, responseMs, sinceResponseMs };
}

export interface ChargingSession {
  readonly evcc: EvccSession;
  /** One entry per DC_ChargeLoop cycle: the latest KEEP_LOOP_RECORDS stay in RAM (the timeline has every one). */
  readonly loops: LoopRecord[];
  /** Why the loop ended on its own (charger stopped answering, FAILED, link lost), if it did. */
  readonly error: Error | undefined;
  /**
   * When the loop ended on its own: how late our vehicle itself sent the request that found the session
   * over, in ms after the previous response, if that was past the charger's 0.5 s sequence timeout (the
   * harness was slow, not the charger: a suite reports that as a bench fault, not a verdict).
   */
  readonly vehicleLateMs: number | undefined;
  readonly running: boolean;
  /** New EV target from the next loop on. */
  requestCurrent(currentA: number, opts?: { voltageV?: number }): { atNs: number };
  /** Back to the vehicle profile's own requests. */
  useProfileRequests(): void;
  /** PowerDelivery(Stop) … WeldingDetection … SessionStop; CE out of C after the output is off. */
  stop(): Promise<void>;
  /** Vehicle-side emergency: CE leaves C at once (C-exit under power), loop and link dropped. */
  emergencyStop(): Promise<void>;
  /**
   * The vehicle goes silent mid-loop on purpose: no request of any kind after the response in flight.
   * Resolves with the clock ns that last DC_ChargeLoopRes arrived (undefined when none did). stop() after it
   * still ends the session the standard way where the charger still listens.
   */
  silence(): Promise<number | undefined>;
  /** Resolves when the loop has ended (stop, emergency or error). */
  readonly ended: Promise<void>;
}

/** Charge-loop records a session keeps in RAM: an hour at the 100 ms period, longer than any session a suite judges. */
export const KEEP_LOOP_RECORDS = 36_000;

export interface ChargeLoopOptions {
  evcc: EvccSession;
  model: EvRequestModel;
  limits: Limits;
  ce?: CePort;
  /** Reads whether the charger's output is off from an instrument; otherwise the charger's reported values decide. */
  outputOff?: () => boolean | Promise<boolean>;
  /** The vehicle never asks for more than this (bench safety.maxCurrentA). */
  maxCurrentA?: number;
  onStateChange?: (event: string, data?: Record<string, unknown>) => void;
  /** The vehicle's own latency record: how late the loop's period timer fired (timing verdicts' uncertainty). */
  latency?: HarnessLatency;
  /** How many loop records stay in RAM (default KEEP_LOOP_RECORDS; a soak test sets fewer to see the bound). */
  keepLoopRecords?: number;
}

export class ChargeLoop implements ChargingSession {
  readonly loops: LoopRecord[] = [];
  error: Error | undefined;
  vehicleLateMs: number | undefined;
  running = true;
  readonly ended: Promise<void>;
  private override: { currentA: number; voltageV?: number } | undefined;
  private stopRequested = false;
  private emergency = false;
  private silent = false;
  private lastResponseNs: number | undefined;
  private readonly startMs: number;
  private wake: (() => void) | undefined;

  constructor(private readonly o: ChargeLoopOptions) {
    this.startMs = o.evcc.clock.nowMs();
    this.ended = this.run();
  }

  get evcc(): EvccSession {
    return this.o.evcc;
  }

  private note(event: string, data: Record<string, unknown> = {}): void {
    this.o.onStateChange?.(event, data);
  }

  requestCurrent(currentA: number, opts: { voltageV?: number } = {}): { atNs: number } {
    if (!Number.isFinite(currentA) || currentA < 0)
      throw new RangeError(`requestCurrent: ${currentA} A is not a current the vehicle can request`);
    this.override = { currentA, voltageV: opts.voltageV };
    const atNs = this.o.evcc.clock.now();
    this.note('request override', { currentA, voltageV: opts.voltageV, atNs });
    return { atNs };
  }

  useProfileRequests(): void {
    this.override = undefined;
    this.note('profile requests');
  }

  private async target(): Promise<{ currentA: number; voltageV: number }> {
    let present = this.o.evcc.lastPresent;
    const power = this.o.evcc.power;
    if (power) {
      // The vehicle judges by what it measures at its inlet, not by what the charger reports.
      present = await power.inlet();
      this.o.model.observe?.(present.voltageV);
    }
    const own = this.o.model.nextRequest({
      presentCurrentA: present.currentA,
      presentVoltageV: present.voltageV,
      sinceStartMs: this.o.evcc.clock.nowMs() - this.startMs,
    });
    let currentA = this.override?.currentA ?? own.currentA;
    const voltageV = this.override?.voltageV ?? own.voltageV;
    const cap = Math.min(this.o.maxCurrentA ?? Infinity, this.o.model.limits.maxCurrentA);
    currentA = Math.max(0, Math.min(currentA, cap));
    return { currentA, voltageV };
  }

  private async run(): Promise<void> {
    const clock = this.o.evcc.clock;
    const period = this.o.evcc.timers.EVCC_ChargeLoop_Period;
    let next = clock.nowMs();
    const lateMs = this.o.limits.has('evcc.sequencePerformanceTime.DC_ChargeLoop')
      ? this.o.limits.num('evcc.sequencePerformanceTime.DC_ChargeLoop')
      : 250;
    while (!this.stopRequested && !this.emergency && !this.silent) {
      const target = await this.target();
      if (this.silent) break; // silenced while the target was read: not one more request
      const atNs = clock.now();
      const sinceResponseMs = this.lastResponseNs === undefined ? NaN : (atNs - this.lastResponseNs) / 1e6;
      if (sinceResponseMs > lateMs)
        this.note('EVCC late: next DC_ChargeLoopReq after its sequence performance time', { sinceResponseMs, limitMs: lateMs });
      let ex: Exchange | undefined;
      try {
        ex = await this.o.evcc.chargeLoopOnce(target);
      } catch (e) {
        this.error = e as Error;
        this.loops.push(brokenLoop(atNs, target, sinceResponseMs, e));
        const seqMs = this.o.evcc.timers['V2G_SECC_Sequence_Timeout.DC_ChargeLoop'];
        if (sinceResponseMs > seqMs) this.vehicleLateMs = sinceResponseMs;
        this.note('charge loop ended by an error', { error: (e as Error).message, sinceResponseMs });
        break;
      }
      this.lastResponseNs = ex.receivedAtNs;
      this.loops.push(answeredLoop(atNs, target, sinceResponseMs, ex, this.o.evcc.lastPresent));
      // Trimmed in batches: an 8-hour session must not grow the vehicle's record (the soak's heap per hour).
      const keep = this.o.keepLoopRecords ?? KEEP_LOOP_RECORDS;
      if (this.loops.length > keep * 1.05 + 10) this.loops.splice(0, this.loops.length - keep);
      next += period;
      const wait = next - clock.nowMs();
      if (wait > 0 && !this.stopRequested && !this.silent) {
        const dueNs = clock.now() + wait * 1e6;
        await new Promise<void>((resolve) => {
          const t = clock.setTimer(wait, () => {
            this.o.latency?.record('schedule', clock.now() - dueNs, clock.now());
            resolve();
          });
          this.wake = () => {
            t.cancel();
            resolve();
          };
        });
        this.wake = undefined;
      } else next = clock.nowMs(); // a slow cycle does not make the next ones bunch up
    }
    this.running = false;
  }

  async stop(): Promise<void> {
    if (this.emergency) return;
    this.stopRequested = true;
    this.wake?.();
    await this.ended;
    const evcc = this.o.evcc;
    const clock = evcc.clock;
    const holdMaxMs = this.o.limits.num('pilot.ceStopHoldMaxMs');
    let stopAnsweredMs: number | undefined;
    const power = evcc.power;
    const poll = evcc.timers.EVCC_Processing_Poll;
    let contactorsOpen = false;
    try {
      if (!evcc.link.closed && !this.error) {
        await evcc.powerDelivery('Stop');
        stopAnsweredMs = clock.nowMs();
        if (power) {
          // Contactors open only once the current has fallen below the stop level (bounded like the CE hold).
          const openBelowA = this.o.limits.num('evcc.contactorOpenCurrentA');
          while (Math.abs((await power.inlet()).currentA) > openBelowA && clock.nowMs() - stopAnsweredMs < holdMaxMs)
            await clock.sleep(poll);
          await power.setContactors(false);
          contactorsOpen = true;
          this.note('contactors open', { afterStopMs: clock.nowMs() - stopAnsweredMs });
        }
        await evcc.weldingDetection();
        await evcc.sessionStop('Terminate');
      }
    } finally {
      // A stop cut short (the charger ended the session itself): with no current flowing the contactors may open
      // now, and must, or the inlet keeps reading the battery and the output never looks off below.
      if (power && !contactorsOpen && Math.abs((await power.inlet()).currentA) <= this.o.limits.num('evcc.contactorOpenCurrentA')) {
        await power.setContactors(false);
        contactorsOpen = true;
      }
      // CE leaves C only after the charger's output is off, bounded by pilot.ceStopHoldMaxMs.
      const t0 = stopAnsweredMs ?? clock.nowMs();
      const offV = this.o.limits.num('evcc.outputOffVoltageV');
      const off = async () =>
        this.o.outputOff ? await this.o.outputOff() : power ? (await power.inlet()).voltageV <= offV : evcc.lastPresent.voltageV <= offV;
      const maxHoldMs = Math.max(0, holdMaxMs - (clock.nowMs() - t0));
      if (this.o.ce) {
        const r = await releaseCeAfterOutputDisabled(this.o.ce, {
          clock,
          timeline: evcc.timeline,
          outputDisabled: off,
          maxHoldMs,
          pollMs: poll,
          next: 'B',
        });
        this.note(r.reason === 'output-disabled' ? 'output off: CE left C' : 'output still on after the CE hold bound: CE left C anyway', {
          heldMs: clock.nowMs() - t0,
          boundMs: holdMaxMs,
        });
      } else {
        while (!(await off()) && clock.nowMs() - t0 < holdMaxMs) await clock.sleep(poll);
        this.note((await off()) ? 'output off' : 'output still on after the hold bound', {
          heldMs: clock.nowMs() - t0,
          boundMs: holdMaxMs,
        });
      }
      // Whatever cut the stop sequence short (loop error, link closed, a FAILED answer to PowerDelivery(Stop)),
      // the vehicle never ends a stop with its contactors closed: the next cable check would test the battery.
      if (power && !contactorsOpen) await power.setContactors(false);
      await evcc.link.close().catch(() => undefined);
    }
  }

  async silence(): Promise<number | undefined> {
    this.silent = true;
    this.wake?.();
    await this.ended;
    this.note('vehicle silent on purpose: no further request', { lastResponseNs: this.lastResponseNs });
    return this.lastResponseNs;
  }

  async emergencyStop(): Promise<void> {
    this.emergency = true;
    this.wake?.();
    this.note('vehicle emergency stop: CE leaves C under power');
    await this.o.ce?.setCe('B');
    this.o.evcc.link.abort();
    await this.o.evcc.power?.setContactors(false);
    await this.ended;
  }
}
