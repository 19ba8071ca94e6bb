// What the full-power MCS test needs beyond the other power tests: whether this bench can run it (virtual
// time or clock.longSessions, a vehicle and battery emulator that take the rated current, a vehicle profile
// with a CV voltage), the vehicle's own constant-voltage taper (its requests, from the voltage it measures at
// its inlet), the limits the charger advertises in each Dynamic DC_ChargeLoopRes, and the taper check.
// Everything judged is what a real bench records: the wire and the battery emulator's trace.

import type { Bench } from '../../benches/bench.ts';
import type { Limits } from '../../drivers/core/limits.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import type { VehicleProfile } from '../../drivers/vehicle/profile.ts';
import { attachText, measure } from '../../reports/evidence.ts';
import { derivedLimit, fmt, precondition, type PowerTrace } from '../support/power-trace.ts';
import { deliverableCurrentA, s, toNs, type PowerRig } from './power-support.ts';

/** Minutes of charging at megawatts: not applicable in real time unless the bench file asks for it (clock.longSessions). */
export function requireLongSessions(ctx: Mocha.Context, what: string): void {
  const clock = ctx.bench.config.clock;
  if (clock.kind === 'virtual' || clock.longSessions) return;
  attachText(
    'skipped',
    `not applicable: ${what} is too long for a real-time bench; it runs on a virtual-time bench ` +
      `(benches/emulator-virtual.yaml), or here with clock.longSessions: true in ${ctx.bench.config.file}.`,
  );
  ctx.skip();
}

/** The vehicle's side of a full-power charge: what it takes and where its taper starts. */
export interface VehicleCv {
  maxCurrentA: number;
  maxVoltageV: number;
  /** Inlet voltage at which the vehicle starts lowering its request. */
  cvVoltageV: number;
  /** How hard it lowers it per volt above cvVoltageV (A per V per s). */
  taperGainApVs: number;
  /** It never asks less than this while the test runs (its end-of-charge current). */
  floorA: number;
}

/**
 * The bench can take currentA (battery emulator rating, safety.maxCurrentA, the vehicle's declared maximum) and
 * its vehicle has a profile with a CV voltage; else the test is not applicable here: skipped, saying why.
 */
export function requireFullPowerVehicle(ctx: Mocha.Context, rig: PowerRig, currentA: number): VehicleCv {
  const profile = (rig.vehicle.model as { profile?: VehicleProfile }).profile;
  const most = Math.min(deliverableCurrentA(rig), rig.vehicle.model.limits.maxCurrentA);
  let why: string | undefined;
  if (currentA > most)
    why =
      `the test needs ${currentA} A, this bench takes at most ${most} A (battery emulator '${rig.battery.name}' rating, ` +
      `safety.maxCurrentA, the vehicle's maximum current ${rig.vehicle.model.limits.maxCurrentA} A from its profile)`;
  else if (!profile) why = `vehicle '${rig.vehicle.name}' has no vehicle profile (fixtures/vehicles): it has no CV voltage to taper at`;
  if (why) {
    attachText('skipped', `not applicable: ${why}.`);
    ctx.skip();
  }
  return {
    maxCurrentA: profile!.maxCurrentA,
    maxVoltageV: profile!.maxVoltageV,
    cvVoltageV: profile!.cvVoltageV,
    taperGainApVs: profile!.cvTaperGainApVs,
    floorA: profile!.cutoffCurrentA,
  };
}

/**
 * The vehicle's CV taper, one request per charge-loop period: it holds fromA until its inlet voltage reaches
 * its CV voltage (bounded by withinS: a battery that never gets there leaves nothing to judge — broken), then
 * lowers its request in proportion to the excess, for taperS. Dynamic control: its maximum voltage is the
 * pack's, so the taper is the vehicle's requests, not the charger's voltage limit. Returns when the taper began.
 */
export async function runVehicleTaper(
  rig: PowerRig,
  charging: ChargingSession,
  cv: VehicleCv,
  o: { fromA: number; withinS: number; taperS: number },
): Promise<number> {
  const clock = rig.bench.clock;
  const periodMs = rig.vehicle.timers.EVCC_ChargeLoop_Period;
  const deadlineS = s(clock.now()) + o.withinS;
  let v = 0;
  while (charging.running && s(clock.now()) < deadlineS && (v = (await rig.battery.read()).voltageV) < cv.cvVoltageV)
    await clock.sleep(periodMs);
  precondition(
    `the inlet voltage reached the vehicle's CV voltage (${fmt(cv.cvVoltageV, 0)} V) within ${fmt(o.withinS, 0)} s at full current`,
    charging.running && v >= cv.cvVoltageV,
    `${fmt(v, 1)} V${charging.running ? '' : `, the charge loop ended: ${charging.error?.message ?? 'no reason'}`}`,
  );
  const startS = s(clock.now());
  let requestA = o.fromA;
  let lastS = startS;
  while (charging.running && s(clock.now()) < startS + o.taperS) {
    const nowS = s(clock.now());
    const excessV = Math.max(0, (await rig.battery.read()).voltageV - cv.cvVoltageV);
    requestA = Math.max(cv.floorA, requestA - cv.taperGainApVs * excessV * (nowS - lastS));
    lastS = nowS;
    charging.requestCurrent(requestA, { voltageV: cv.maxVoltageV });
    await clock.sleep(periodMs);
  }
  return startS;
}

/** One DC_ChargeLoopRes (Dynamic) as the vehicle received it: the maxima the charger advertised. */
export interface AdvertisedLimits {
  tS: number;
  maxPowerW: number;
  maxCurrentA: number;
}

function rational(x: unknown): number | undefined {
  if (!x || typeof x !== 'object' || !('Value' in x)) return undefined;
  const r = x as { Value: number; Exponent?: number };
  return r.Value * 10 ** (r.Exponent ?? 0);
}

/** EVSEMaximumChargePower / Current of every Dynamic DC_ChargeLoopRes the vehicle received since fromS. */
export function advertisedLimitsSince(bench: Bench, vehicleName: string, fromS: number): AdvertisedLimits[] {
  const out: AdvertisedLimits[] = [];
  for (const e of bench.timeline.query({ kind: 'v2g', source: vehicleName, from: toNs(fromS) })) {
    if (e.data.dir !== 'rx' || e.data.message !== 'DC_ChargeLoopRes') continue;
    const doc = (e.data as { doc?: Record<string, unknown> }).doc;
    const res = (doc?.DC_ChargeLoopRes ?? doc) as Record<string, unknown> | undefined;
    const dyn = res?.Dynamic_DC_CLResControlMode as Record<string, unknown> | undefined;
    const maxPowerW = rational(dyn?.EVSEMaximumChargePower);
    const maxCurrentA = rational(dyn?.EVSEMaximumChargeCurrent);
    if (maxPowerW !== undefined && maxCurrentA !== undefined) out.push({ tS: e.t / 1e9, maxPowerW, maxCurrentA });
  }
  return out;
}

/** The delivered power came near the advertised maximum: otherwise the power limit was never tested (broken). */
export function requirePowerLimitReached(tr: PowerTrace, ads: AdvertisedLimits[], limits: Limits): void {
  const pct = limits.num('fullPower.minPowerPctOfLimit');
  const peakW = Math.max(0, ...tr.samples.currentA.map((i, k) => i * tr.samples.voltageV[k]));
  const limitW = Math.min(...ads.map((a) => a.maxPowerW));
  precondition(
    `the delivered power reached ${pct} % of the advertised maximum (${fmt(limitW / 1e6, 3)} MW)`,
    ads.length > 0 && peakW >= (pct / 100) * limitW,
    `peak ${fmt(peakW / 1e6, 3)} MW (1 s means), ${ads.length} Dynamic DC_ChargeLoopRes with EVSEMaximumChargePower/Current`,
  );
}

/** Mean of the requests sent in [fromS, toS), or undefined when none went out then. */
function meanRequest(charging: ChargingSession, fromS: number, toS: number): number | undefined {
  let sum = 0;
  let n = 0;
  for (const l of charging.loops) {
    const t = s(l.atNs);
    if (t >= fromS && t < toS) [sum, n] = [sum + l.targetA, n + 1];
  }
  return n ? sum / n : undefined;
}

/**
 * The CV taper followed: each 1 s mean of the current from judgeFromS to the end lies within the regulation
 * tolerance of what the charger was to deliver then. A decrease is due within downStep.minTimeS, so that is a
 * band: from the vehicle's request in this second to its request that long before, capped where the charger
 * advertised less (its current, or its power / V). The worst second (relative to its tolerance) is the measurement.
 */
export function judgeTaper(tr: PowerTrace, charging: ChargingSession, ads: AdvertisedLimits[], judgeFromS: number): number {
  const lagS = tr.limits.num('downStep.minTimeS');
  const binS = tr.samples.tS.length > 1 ? tr.samples.tS[1] - tr.samples.tS[0] : 1;
  let worst: { errA: number; tolA: number; tS: number; dueA: number } | undefined;
  let judged = 0;
  let j = 0;
  for (let k = 0; k < tr.samples.tS.length; k++) {
    const t = tr.samples.tS[k];
    if (t - binS / 2 < judgeFromS) continue;
    const now = meanRequest(charging, t - binS / 2, t + binS / 2);
    const before = meanRequest(charging, t - binS / 2 - lagS, t + binS / 2 - lagS);
    while (j + 1 < ads.length && ads[j + 1].tS <= t - binS / 2) j++;
    if (now === undefined || before === undefined || !ads.length) continue;
    const capA = Math.min(ads[j].maxCurrentA, ads[j].maxPowerW / Math.max(tr.samples.voltageV[k], 1));
    const lo = Math.min(now, before, capA);
    const hi = Math.min(Math.max(now, before), capA);
    const i = tr.samples.currentA[k];
    const dueA = Math.min(hi, Math.max(lo, i));
    const errA = i - dueA;
    const tolA = tr.toleranceA(dueA);
    judged++;
    if (!worst || Math.abs(errA) / tolA > Math.abs(worst.errA) / worst.tolA) worst = { errA, tolA, tS: t, dueA };
  }
  precondition('the analyser sampled the CV taper', judged >= 10 && worst !== undefined, `${judged} ${fmt(binS)} s means judged`);
  const w = worst!;
  tr.points.push({ label: `worst ${fmt(w.errA, 1)} A from the request`, channel: 'currentA', tS: w.tS, value: w.dueA + w.errA });
  const base = [tr.limits.get('regulation.toleranceA'), tr.limits.get('regulation.tolerancePct'), tr.limits.get('downStep.minTimeS')];
  const how = `outside the requests of the last ${lagS} s (or the advertised limit), against the regulation tolerance`;
  measure('current − request during the CV taper (worst 1 s mean)', w.errA, derivedLimit({ lo: -w.tolA, hi: w.tolA }, 'A', base, how), {
    violation: 'current-control',
    unit: 'A',
    note: `at ${fmt(w.tS, 0)} s: ${fmt(w.dueA + w.errA, 1)} A delivered, ${fmt(w.dueA, 1)} A due; ${judged} s judged`,
    ...(tr.deviation ? { deviation: tr.deviation } : {}),
  });
  return w.errA;
}
