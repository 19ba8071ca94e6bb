// Shared helpers of the MCS handshake suite: find the vehicle, read the V2G messages back from the
// timeline, turn a session that cannot go on into a verdict, attach the readable message log and the
// TLS key logs. Everything judged comes from the timeline and fixtures/limits/iso15118-20.yaml.

import type { Bench } from '../../benches/bench.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Limits, type Limit } from '../../drivers/core/limits.ts';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import type { EvccSession, V2gSessionError } from '../../drivers/iso15118/evcc/session.ts';
import type { Uncertainty } from '../../reports/evidence.ts';
import { ISO15118_EV_KIND, type Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { attachFile, attachText, check } from '../../reports/evidence.ts';

export const EPIC = 'ISO 15118-20';
export const v2gLimits = Limits.load('iso15118-20');
export const SEQ_CLAUSE = 'ISO 15118-20:2022 §8.8 message sequence (DC), reference §2.2';

/** The vehicle's own latency between two clock times, as a measurement's uncertainty in ms (or s). */
export function vehicleUncertainty(
  vehicle: Iso15118Vehicle,
  fromNs: number,
  toNs: number,
  unit: 'ms' | 's' = 'ms',
): Uncertainty | undefined {
  const u = vehicle.latency.uncertainty(fromNs, toNs);
  if (!(u.valueMs > 0)) return undefined;
  return { value: unit === 's' ? u.valueMs / 1000 : u.valueMs, source: u.source };
}

/** The clock rate of the bench's clock ('real x5' → 5), to stretch a mocha timeout over a long charger timer. */
export function clockRate(description: string): number {
  const m = /x([\d.]+)/.exec(description);
  return m ? Number(m[1]) : 1;
}

// The readable, decoded V2G message log of each test is attached by the root hooks' built-in attacher
// (runner/attachers-builtin.ts) from the timeline records our links write.

export function vehicleOf(bench: Bench): Iso15118Vehicle {
  const v = bench.find<Iso15118Vehicle & { name: string; kind: string; close(): Promise<void> }>(ISO15118_EV_KIND);
  if (!v)
    throw new BenchFault(
      `the bench has no '${ISO15118_EV_KIND}' resource: add one (see benches/kinds/iso15118-ev.ts) to run the mcs handshake suite`,
    );
  return v;
}

export type V2gEvent = TimelineEvent<{ dir: 'tx' | 'rx'; message?: string; doc?: Record<string, any>; responseMs?: number; hex?: string }>;

/** The vehicle's decoded V2G messages since seq `after`. */
export function v2gMessages(bench: Bench, vehicle: Iso15118Vehicle, after: number): V2gEvent[] {
  return (bench.timeline.query({ kind: 'v2g', source: vehicle.name, afterSeq: after }) as V2gEvent[]).filter(
    (e) => typeof e.data.message === 'string',
  );
}

/** Run session work; when the charger's behaviour stops the session, that is the verdict (not a bench fault). */
export async function sessionWork<T>(what: string, clause: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // By name, not instanceof: the runner may load the drivers through another module instance.
    if ((e as Error)?.name === 'V2gSessionError') {
      const err = e as V2gSessionError;
      const timing = err.kind === 'timeout' || err.kind === 'timer-expired';
      check(what, false, {
        violation: timing ? 'timing' : 'protocol',
        clause,
        verified: false,
        expected: 'the charger answers so that the session can go on',
        actual: err.message,
      });
    }
    throw e;
  }
}

/**
 * A charge loop that ended on its own (the charger did not answer in time, answered FAILED, closed) is the
 * verdict, in its own category: without this the test would fail later, on the messages the vehicle then
 * never sent, as a misleading protocol violation.
 */
export function chargeLoopRanToStop(charging: ChargingSession, clause: string): void {
  const e = charging.error;
  if (!e) return;
  if (charging.vehicleLateMs !== undefined)
    throw new BenchFault(
      `the charge loop ended after our vehicle sent its request ${charging.vehicleLateMs.toFixed(0)} ms after the last response, ` +
        `past the charger's sequence timeout: the harness was late, the charger was not judged (${e.message})`,
    );
  const kind = (e as V2gSessionError).kind;
  const timing = kind === 'timeout' || kind === 'timer-expired';
  check('charge loop ran until the vehicle stopped it', false, {
    violation: timing ? 'timing' : 'protocol',
    clause,
    verified: false,
    expected: 'every DC_ChargeLoopReq answered so that the loop goes on',
    actual: e.message,
  });
}

/** The vehicle of a TLS test; the test is skipped on a bench whose vehicle does not run TLS (on a socket or in process). */
export function tlsVehicleOrSkip(ctx: Mocha.Context): Iso15118Vehicle {
  const vehicle = vehicleOf(ctx.bench);
  if (!vehicle.speaksTls) ctx.skip();
  return vehicle;
}

/**
 * A whole charging session that runs `loops` charge-loop periods before the vehicle stops it; a loop that
 * ended on its own is the verdict (chargeLoopRanToStop). Returns the timeline mark and clock time it began.
 */
export async function chargeThrough(
  bench: Bench,
  loops: number,
  o: { what?: string; clause?: string; controlMode?: 'Dynamic' } = {},
): Promise<{ vehicle: Iso15118Vehicle; mark: number; markNs: number; charging: ChargingSession }> {
  const vehicle = vehicleOf(bench);
  const mark = bench.timeline.mark();
  const markNs = bench.clock.now();
  const clause = o.clause ?? SEQ_CLAUSE;
  const options = o.controlMode ? { controlMode: o.controlMode } : {};
  const charging = await sessionWork(o.what ?? 'charging session', clause, () => vehicle.startCharging(options));
  await bench.clock.sleep(loops * vehicle.timers.EVCC_ChargeLoop_Period);
  await sessionWork('stop', SEQ_CLAUSE, () => charging.stop());
  chargeLoopRanToStop(charging, clause);
  return { vehicle, mark, markNs, charging };
}

/** Stretch a test's mocha timeout over waitMs of bench clock (plus 10 s) at the bench's clock rate. */
export function allowClockTime(ctx: Mocha.Context, waitMs: number): void {
  ctx.timeout(Math.max(ctx.timeout(), (waitMs + 10_000) / Math.max(1e-9, clockRate(ctx.bench.clock.description))));
}

/** The charger answered `ex` with `root` and `code` (a protocol check; anything else is described as the actual). */
export function checkResponse(
  name: string,
  ex: { outcome: string; responseRoot?: string; responseCode?: string; detail?: string },
  expected: { root: string; code: string; clause: string },
): void {
  check(name, ex.responseRoot === expected.root && ex.responseCode === expected.code, {
    violation: 'protocol',
    clause: expected.clause,
    verified: false,
    expected: `${expected.root} ${expected.code}`,
    actual: describeOutcome(ex),
  });
}

/** A limit from a timer value plus a tolerance limit: [timer, timer + tolerance]. */
export function timerWindow(timerMs: number, timerLimit: Limit, tolerance: Limit): Limit {
  return {
    lo: timerMs,
    hi: timerMs + (tolerance.hi ?? 0),
    unit: 'ms',
    clause: timerLimit.clause,
    source: `${timerLimit.source}; tolerance: ${tolerance.source}`,
    verified: timerLimit.verified && tolerance.verified,
    note: `timer ${timerMs} ms (bench value) + tolerance ${tolerance.hi} ms`,
  };
}

/**
 * When the charger closed the connection, in ms after `fromNs` (a clock time), waiting at most until
 * `boundMs` after it; +Infinity when it did not close by then.
 */
export async function closedAfterMs(s: EvccSession, fromNs: number, boundMs: number): Promise<number> {
  const left = boundMs - (s.clock.now() - fromNs) / 1e6;
  if (!s.link.closed && left > 0) await s.waitForClose(left + 1);
  return s.link.closed && s.link.closedAtNs !== undefined ? (s.link.closedAtNs - fromNs) / 1e6 : Number.POSITIVE_INFINITY;
}

/** Attach the TLS key logs written since `fromIndex` of vehicle.keylogFiles (Wireshark decrypts the capture with them). */
export function attachKeylogs(vehicle: Iso15118Vehicle, fromIndex: number): void {
  for (const f of vehicle.keylogFiles.slice(fromIndex)) attachFile('tls-keylog (NSS)', f, 'text/plain', 'keylog');
}

export function describeOutcome(ex: { outcome: string; responseRoot?: string; responseCode?: string; detail?: string }): string {
  return ex.outcome === 'response'
    ? `${ex.responseRoot} ${ex.responseCode ?? ''}`.trim()
    : `${ex.outcome}${ex.detail ? ` (${ex.detail})` : ''}`;
}

export { attachText };
