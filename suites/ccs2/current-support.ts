// The MCS power helpers' counterparts on the CCS2 port: the rig (the CCS2 vehicle, its battery emulator as the
// judged instrument, the negotiated protocol's limit profile), a charge started at 0 A on the CurrentDemand loop,
// a request step timed by the first CurrentDemandReq carrying it on the wire, the wait until steady, and the
// trace read back with the vehicle's requests. What the charger reported comes from the CurrentDemandRes and
// WeldingDetectionRes the vehicle recorded: the wire a lab bench sees, never the charger's insides.

import type { Bench } from '../../benches/bench.ts';
import type { CcsEvResource } from '../../benches/kinds/ccs-ev.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import type { Limits } from '../../drivers/core/limits.ts';
import type { CcsChargeLoop } from '../../drivers/iso15118/ccs/charge.ts';
import { PROTOCOL_NAMES, type CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import type { EvRequestModel } from '../../drivers/iso15118/evcc/vehicle-model.ts';
import { isBatteryEmulator, type BatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { attachText } from '../../reports/evidence.ts';
import { currentTolerance, type CurrentTolerance } from '../support/current-tolerance.ts';
import { precondition, PowerTrace, usePowerAssertions, type RequestPoint } from '../support/power-assertions.ts';
import { fmt } from '../support/power-trace.ts';
import { meanOver } from '../support/trace-analysis.ts';
import { ccsVehicleOf, physical, requireDeclared, wireMessages, type WireMessage } from './handshake-support.ts';

usePowerAssertions();

export interface CcsRig {
  bench: Bench;
  vehicle: CcsEvResource;
  protocol: CcsProtocol;
  /** The vehicle's battery and contactors, and the instrument whose samples are judged (the CCS2 inlet's own). */
  battery: BatteryEmulator;
  /** The protocol's limit profile (it extends iec61851-23). */
  limits: Limits;
  tolerance: CurrentTolerance;
  /** Timeline mark when the test took the rig: its own messages come after it. */
  mark: number;
}

export const s = (ns: number): number => ns / 1e9;

/**
 * The rig of a test on `protocol` that needs `currentA`: skipped where the charger does not declare the protocol
 * or the bench cannot take the current (battery emulator rating, safety.maxCurrentA), broken without a battery emulator.
 */
export function ccsRig(ctx: Mocha.Context, protocol: CcsProtocol, currentA: number): CcsRig {
  const bench: Bench = ctx.bench;
  requireDeclared(bench, ctx, protocol);
  const vehicle = ccsVehicleOf(bench, ctx);
  const named = vehicle.ctx.powerSource ? bench.resources.get(vehicle.ctx.powerSource) : undefined;
  if (!named || !isBatteryEmulator(named))
    throw new BenchFault(
      `${vehicle.name} has no battery emulator ('battery:' in its bench entry): there is no trace to judge the current on`,
    );
  const most = Math.min(named.ratings?.maxCurrentA ?? Infinity, bench.config.safety.maxCurrentA ?? Infinity);
  if (currentA > most) {
    attachText('skipped', `not applicable: the test needs ${currentA} A, this bench takes at most ${most} A on the CCS2 port.`);
    ctx.skip();
  }
  const limits = vehicle.profiles[protocol];
  const tolerance = currentTolerance(limits, bench.config.charger.ratings, bench.config.file);
  return { bench, vehicle, protocol, battery: named, limits, tolerance, mark: bench.timeline.mark() };
}

/** One test's charge (its hooks stop it afterwards) and its trace (attached as its evidence). */
export interface CcsPowerTest {
  loop?: CcsChargeLoop;
  trace?: PowerTrace;
}

export function useCcsPowerTest(): CcsPowerTest {
  const test: CcsPowerTest = {};
  beforeEach(function () {
    test.loop = undefined;
    test.trace = undefined;
  });
  afterEach(async function () {
    if (test.loop?.running) await test.loop.stop().catch(() => undefined);
  });
  return test;
}

/** The flow to PowerDelivery(Start) offering only the rig's protocol, then 0 A on the loop for a second. */
export async function startAtZero(rig: CcsRig, test: CcsPowerTest): Promise<CcsChargeLoop> {
  const loop = (test.loop = await rig.vehicle.startCharging({ protocols: [rig.protocol] }));
  loop.requestCurrent(0);
  const negotiated = loop.session.protocol;
  precondition(`the session runs ${PROTOCOL_NAMES[rig.protocol]}`, negotiated === rig.protocol, String(negotiated));
  await rig.bench.clock.sleep(1000);
  return loop;
}

/**
 * The time (s) of the first CurrentDemandReq after a timeline mark whose body satisfies pred (`what` it carries);
 * a request that never reached the wire within 50 charge-loop periods is a bench fault: there is nothing to judge.
 */
export async function firstRequestWith(
  rig: CcsRig,
  loop: CcsChargeLoop,
  mark: number,
  what: string,
  pred: (body: WireMessage['body']) => boolean,
): Promise<number> {
  const period = rig.limits.num('timer.EVCC_ChargeLoop_Period');
  for (let k = 0; k < 100 && loop.running; k++) {
    const req = wireMessages(rig.bench, rig.vehicle, mark).find((m) => m.dir === 'tx' && m.message === 'CurrentDemandReq' && pred(m.body));
    if (req) return s(req.t);
    await rig.bench.clock.sleep(period / 2);
  }
  throw new BenchFault(
    `no CurrentDemandReq carrying ${what} went out within 50 charge-loop periods${loop.error ? `: ${loop.error.message}` : ''}`,
  );
}

/** Change the request; resolves with the time (s) the first CurrentDemandReq carrying it went out (the step time). */
export async function stepTo(rig: CcsRig, loop: CcsChargeLoop, currentA: number): Promise<number> {
  const mark = rig.bench.timeline.mark();
  loop.requestCurrent(currentA);
  return firstRequestWith(rig, loop, mark, `EVTargetCurrent ${currentA} A`, (b) => Math.abs(physical(b.EVTargetCurrent) - currentA) < 0.5);
}

/**
 * Wait until the measured current is steady at the request (two consecutive 1 s means within half the tolerance
 * of each other, the last within the tolerance), bounded by the settling limit from 0 (request / ramp.minSlopeAps +
 * ramp.settleAllowanceS) + extraS: a charger not steady by then fails its checks, or leaves them unjudgeable, anyway.
 * Returns the time (s); a charger that never gets there is judged (or found not judgeable) by the checks after.
 */
export async function waitSteady(rig: CcsRig, requestA: number, extraS = 0): Promise<number> {
  const tolA = rig.tolerance.toleranceA(requestA);
  const clock = rig.bench.clock;
  const end = s(clock.now()) + requestA / rig.limits.num('ramp.minSlopeAps') + rig.limits.num('ramp.settleAllowanceS') + extraS;
  await clock.sleep(2000);
  while (s(clock.now()) < end) {
    await rig.battery.flush();
    const now = s(clock.now());
    const tr = rig.bench.timeline.samples('currentA', { source: rig.battery.source, from: (now - 2.1) * 1e9 });
    const series = { tS: tr.t.map(s), y: tr.v };
    const a = meanOver(series, now - 2, now - 1);
    const b = meanOver(series, now - 1, now);
    if (Math.abs(a - b) < tolA / 2 && Math.abs(b - requestA) <= tolA) return now;
    await clock.sleep(500);
  }
  return s(clock.now());
}

/** Start at 0 A, step to currentA and wait until steady: the charge, the step time and the steady time (s). */
export async function chargeSteady(rig: CcsRig, test: CcsPowerTest, currentA: number, extraS = 0) {
  const loop = await startAtZero(rig, test);
  const stepS = await stepTo(rig, loop, currentA);
  return { loop, stepS, steadyS: await waitSteady(rig, currentA, extraS) };
}

/** The vehicle's target current changes on its charge loop since fromS. */
function loopRequests(loop: CcsChargeLoop, fromS: number): RequestPoint[] {
  const out: RequestPoint[] = [];
  for (const l of loop.loops) {
    if (s(l.atNs) < fromS - 1) continue;
    if (!out.length || out[out.length - 1].currentA !== l.targetA) out.push({ tS: s(l.atNs), currentA: l.targetA });
  }
  return out;
}

/** Flush the battery emulator and read [fromS, now] back with the vehicle's requests, kept as the test's evidence. */
export async function ccsTrace(rig: CcsRig, test: CcsPowerTest, fromS: number, title: string): Promise<PowerTrace> {
  await rig.battery.flush();
  return (test.trace = PowerTrace.fromTimeline(rig.bench.timeline, {
    source: rig.battery.source,
    fromNs: fromS * 1e9,
    title: `${PROTOCOL_NAMES[rig.protocol]}: ${title}`,
    requests: test.loop ? loopRequests(test.loop, fromS) : [],
    limits: rig.limits,
    tolerance: rig.tolerance,
  }));
}

/** Responses of a root the vehicle received between fromS and toS (s). */
export function received(rig: CcsRig, root: string, fromS: number, toS = Infinity): WireMessage[] {
  return wireMessages(rig.bench, rig.vehicle, rig.mark).filter(
    (m) => m.dir === 'rx' && m.message === root && s(m.t) >= fromS && s(m.t) <= toS,
  );
}

/** What the charger reported in each CurrentDemandRes between fromS and toS, stamped when it arrived. */
export function reportedPresent(rig: CcsRig, fromS: number, toS: number): { tS: number; currentA: number; voltageV: number }[] {
  return received(rig, 'CurrentDemandRes', fromS, toS).map((m) => ({
    tS: s(m.t),
    currentA: physical(m.body.EVSEPresentCurrent),
    voltageV: physical(m.body.EVSEPresentVoltage),
  }));
}

/** The time (s) the vehicle sent PowerDeliveryReq (stop) after fromS; broken when it never did. */
export function requireStopSent(rig: CcsRig, fromS: number): number {
  const stop = wireMessages(rig.bench, rig.vehicle, rig.mark).find(
    (m) =>
      m.dir === 'tx' &&
      m.message === 'PowerDeliveryReq' &&
      s(m.t) >= fromS &&
      (m.body.ChargeProgress === 'Stop' || m.body.ReadyToChargeState === false),
  );
  precondition('the vehicle sent PowerDeliveryReq (stop)', stop !== undefined, stop ? `at ${fmt(s(stop.t))} s` : 'none on the wire');
  return s(stop!.t);
}

/**
 * The vehicle's request model with its maxima replaced (a pack derated by its BMS): EVMaximumCurrentLimit /
 * EVMaximumVoltageLimit in every request from now on, and EVTargetVoltage at the maximum voltage, as cars send it.
 * `maxima` stays live: a test lowers maxVoltageV mid-session and the next CurrentDemandReq carries it.
 */
export function deratedModel(base: EvRequestModel, maxima: { maxCurrentA: number; maxVoltageV: number }): EvRequestModel {
  const limits = { ...base.limits };
  return {
    get limits() {
      return Object.assign(limits, maxima);
    },
    presentVoltageV: () => base.presentVoltageV(),
    nextRequest: (ctx) => ({ currentA: base.nextRequest(ctx).currentA, voltageV: maxima.maxVoltageV }),
    soc: base.soc && (() => base.soc!()),
    observe: base.observe && ((v: number) => base.observe!(v)),
  };
}

/** Run `body` with the battery emulator's series resistance at `ohm`, then put the battery back (its model, or the pack's R0). */
export async function withSeriesResistance<T>(rig: CcsRig, ohm: number, body: () => Promise<T>): Promise<T> {
  const b = rig.battery as BatteryEmulator & { useBatteryModel?: () => Promise<void> };
  await b.setSeriesResistance(ohm);
  try {
    return await body();
  } finally {
    if (b.useBatteryModel) await b.useBatteryModel();
    else await b.setSeriesResistance(loadVehicleProfile(rig.bench.config.vehicle.profile, rig.bench.config.vehicle.overrides ?? {}).r0Ohm);
  }
}
