// Evidence helpers of the CCS2 DIN 70121 / ISO 15118-2 suite. A test runs one whole session of the bench's
// CCS2 vehicle (SLAC, supportedAppProtocol … CurrentDemand … SessionStop) and judges only what a real bench
// observes: the V2G messages the vehicle recorded on the timeline (kind 'v2g'), and the battery emulator's
// samples. Nothing here knows which charger answers.

import type { Bench } from '../../benches/bench.ts';
import type { CcsEvResource } from '../../benches/kinds/ccs-ev.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import type { Limit, Limits } from '../../drivers/core/limits.ts';
import { requirement, type RequirementMeta, type Uncertainty } from '../../reports/evidence.ts';
import { CCS_EV_KIND } from '../../drivers/iso15118/ccs/vehicle.ts';
import { PROTOCOL_NAMES, type CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import { fromPhysical } from '../../drivers/iso15118/ccs/requests.ts';
import { PowerTrace, precondition } from '../support/power-trace.ts';
import { meanOver, type Series } from '../support/trace-analysis.ts';

export const EPIC = 'DIN SPEC 70121 / ISO 15118-2 DC (CCS2 port)';

/** How each protocol is named in a bench file's charger.protocols. */
const DECLARED: Record<CcsProtocol, string> = { din: 'din70121', iso2: 'iso15118-2' };

export const CLAUSE: Record<CcsProtocol, { flow: string; responseCode: string; sequence: string }> = {
  din: {
    flow: 'DIN SPEC 70121:2014 9.5 (DC message sequence)',
    responseCode: 'DIN SPEC 70121:2014 9.4 (ResponseCode of each response)',
    sequence: 'DIN SPEC 70121:2014 9.5 (FAILED_SequenceError for a request out of sequence)',
  },
  iso2: {
    flow: 'ISO 15118-2:2014 8.8 (DC message sequence, Figure 107)',
    responseCode: 'ISO 15118-2:2014 8.8.3 (responseCodeType)',
    sequence: 'ISO 15118-2:2014 [V2G2-459], [V2G2-538] (FAILED_SequenceError, then terminate)',
  },
};

/** The bench's CCS2 vehicle; a bench without one (an MCS-only bench) cannot run this suite: skip. */
export function ccsVehicleOf(bench: Bench, ctx: Mocha.Context): CcsEvResource {
  const v = bench.find<CcsEvResource>(CCS_EV_KIND);
  if (!v) ctx.skip(); // no CCS2 vehicle on this bench
  return v!;
}

/** Skip a protocol the bench's charger does not declare (charger.protocols): it cannot be judged there. */
export function requireDeclared(bench: Bench, ctx: Mocha.Context, p: CcsProtocol): void {
  const declared = (bench.config.charger as { protocols?: string[] }).protocols ?? [];
  if (!declared.includes(DECLARED[p])) ctx.skip(); // the charger under test does not offer this protocol
}

/** The protocol a test judges that needs a session but no particular one: -2 where declared, else DIN. */
export function anyDeclared(bench: Bench, ctx: Mocha.Context): CcsProtocol {
  const declared = (bench.config.charger as { protocols?: string[] }).protocols ?? [];
  const p = (['iso2', 'din'] as const).find((x) => declared.includes(DECLARED[x]));
  if (!p) ctx.skip(); // the charger declares neither DIN 70121 nor ISO 15118-2
  return p!;
}

export interface WireMessage {
  /** Clock ns it was sent / received. */
  t: number;
  dir: 'tx' | 'rx';
  /** Root element ('CurrentDemandRes'). */
  message: string;
  body: Record<string, any>;
  responseMs?: number;
}

export interface ChargeRun {
  protocol: CcsProtocol;
  vehicle: CcsEvResource;
  fromNs: number;
  /** The vehicle's messages of this run, in order. */
  messages: WireMessage[];
  /** Why the vehicle's flow stopped short (timeout, FAILED answer, closed), if it did. */
  flowError?: Error;
  /** Clock ns the vehicle sent PowerDeliveryReq(Stop), if it did. */
  stopNs?: number;
}

/** The vehicle's decoded V2G messages recorded after a timeline mark. */
export function wireMessages(bench: Bench, vehicle: CcsEvResource, afterSeq: number): WireMessage[] {
  const out: WireMessage[] = [];
  for (const e of bench.timeline.query({ kind: 'v2g', source: vehicle.name, afterSeq })) {
    const d = e.data as { dir: 'tx' | 'rx'; message?: string; doc?: Record<string, any>; responseMs?: number };
    if (!d.doc || !d.message) continue;
    out.push({ t: e.t, dir: d.dir, message: d.message, body: d.doc[d.message] ?? {}, responseMs: d.responseMs });
  }
  return out;
}

/**
 * One whole session offering only `protocol`: the flow to PowerDelivery(Start), `chargeMs` of CurrentDemand,
 * then the vehicle's stop. A bench problem propagates (broken); what the charger did is returned to judge.
 */
export async function chargeRun(
  bench: Bench,
  vehicle: CcsEvResource,
  protocol: CcsProtocol,
  chargeMs: number,
  /** A steady request instead of the profile's ramp (capped at half the charger's maximum current). */
  steadyA?: number,
): Promise<ChargeRun> {
  const mark = bench.timeline.mark();
  const fromNs = bench.clock.now();
  let flowError: Error | undefined;
  try {
    const loop = await vehicle.startCharging({ protocols: [protocol] });
    const evseMaxA = loop.session.evseMax?.currentA;
    if (steadyA !== undefined) loop.requestCurrent(Math.min(steadyA, Number.isFinite(evseMaxA) ? evseMaxA! / 2 : steadyA));
    await bench.clock.sleep(chargeMs);
    if (loop.error) flowError = loop.error;
    await loop.stop();
  } catch (e) {
    if (e instanceof BenchFault) throw e;
    flowError ??= e as Error;
  }
  const messages = wireMessages(bench, vehicle, mark);
  const stop = messages.find((m) => m.dir === 'tx' && m.message === 'PowerDeliveryReq' && isStop(m.body));
  return { protocol, vehicle, fromNs, messages, flowError, stopNs: stop?.t };
}

const isStop = (b: Record<string, any>) => b.ChargeProgress === 'Stop' || b.ReadyToChargeState === false;

export interface SessionTest {
  bench: Bench;
  vehicle: CcsEvResource;
  protocol: CcsProtocol;
  /** The negotiated protocol's limit profile. */
  limits: Limits;
  run: ChargeRun;
}

/** The common start of a test judging one whole session: the protocol the bench declares, the requirement, the run. */
export async function judgedSession(
  ctx: Mocha.Context,
  id: string,
  meta: Omit<RequirementMeta, 'epic'>,
  chargeMs: number,
  steadyA?: number,
): Promise<SessionTest> {
  const { bench } = ctx;
  const protocol = anyDeclared(bench, ctx);
  requirement(id, { epic: EPIC, ...meta });
  const vehicle = ccsVehicleOf(bench, ctx);
  const run = await chargeRun(bench, vehicle, protocol, chargeMs, steadyA);
  return { bench, vehicle, protocol, limits: vehicle.profiles[protocol], run };
}

/** The session reached what a check needs (e.g. CurrentDemandRes), or the test is broken with why it did not. */
export function requireReached(run: ChargeRun, root: string, count = 1): WireMessage[] {
  const seen = run.messages.filter((m) => m.message === root);
  const why = run.flowError ? `; the session stopped: ${run.flowError.message}` : '';
  precondition(
    `the ${PROTOCOL_NAMES[run.protocol]} session reached ${root}${count > 1 ? ` ×${count}` : ''}`,
    seen.length >= count,
    `${seen.length} seen${why}`,
  );
  return seen;
}

/** First message of a root after a time (clock ns). */
export const firstAfter = (run: ChargeRun, root: string, t = 0) => run.messages.find((m) => m.message === root && m.t >= t);
/** Last message of a root before a time (clock ns). */
export const lastBefore = (run: ChargeRun, root: string, t = Infinity) => run.messages.filter((m) => m.message === root && m.t <= t).at(-1);

/** The battery emulator's samples over the run (clock s), when the vehicle has one; the test is broken without. */
export function traceOf(bench: Bench, run: ChargeRun, limits: Limits, title: string): PowerTrace {
  const source = run.vehicle.ctx.powerSource;
  if (!source) throw new BenchFault(`${run.vehicle.name} has no battery emulator ('battery'): there is no trace to judge against`);
  return PowerTrace.fromTimeline(bench.timeline, { source, fromNs: run.fromNs, title, limits });
}

/** Wait (bench clock) until the trace can reach `untilNs`: the battery emulator keeps sampling after the session. */
export async function sampleUntil(bench: Bench, untilNs: number): Promise<void> {
  const waitMs = (untilNs - bench.clock.now()) / 1e6;
  if (waitMs > 0) await bench.clock.sleep(waitMs);
}

/** The vehicle's own latency over the run as a measurement's uncertainty (ms); never a wider limit. */
export function vehicleUncertainty(run: ChargeRun, toNs: number): Uncertainty | undefined {
  const u = run.vehicle.latency.uncertainty(run.fromNs, toNs);
  return u.valueMs > 0 ? { value: u.valueMs, source: u.source } : undefined;
}

/** How long before a reading the measured current must have held still for the reading to be judged (s). */
const STEADY_BEFORE_S = 0.3;
/** The mean each point of that window is taken over (s): whole periods of converter ripple, little noise. */
const STEADY_MEAN_S = 0.05;

/**
 * The measured current held still over the STEADY_BEFORE_S before tS: its STEADY_MEAN_S means, every half window, lie
 * within a band of width bandA. Longer than half a period of a current loop's ringing, so a loop still ringing is seen.
 */
export function heldSteady(s: Series, tS: number, bandA: number): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let end = tS - STEADY_BEFORE_S + STEADY_MEAN_S; end <= tS + 1e-9; end += STEADY_MEAN_S / 2) {
    const m = meanOver(s, end - STEADY_MEAN_S, end);
    if (!Number.isFinite(m)) return false;
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
  }
  return hi - lo <= bandA;
}

/** A bound the suite derives from a profile limit for this case, carrying the limit's provenance. */
export function bounded(l: Limit, hi: number, how: string): Limit {
  return { ...l, hi, lo: undefined, value: undefined, note: how };
}

export const physical = fromPhysical;
