// `mcs-hil verify` on the CCS2 port (DIN 70121 / ISO 15118-2): the checks whose values follow from what the
// run recorded — the vehicle's V2G messages and the battery emulator's samples — re-derived from the test's
// timeline window with the suites' own trace maths, so a measurement edited in the evidence (and re-signed)
// differs from what the raw data gives. Names are the live tests' (suites/ccs2), limits the recorded ones.
//   - the SECC performance times: the worst CurrentDemandRes response time of the charge loop, and the worst of
//     each message type of a whole session (the message-performance test of each protocol);
//   - the stop after PowerDeliveryReq(Stop): the time to below the stop current, in the handshake suite and in
//     the current suite of each protocol (whose measurement name carries the current the stop came from).

import { Limits } from '../../drivers/core/limits.ts';
import type { SampleBlock, TimelineEvent } from '../../drivers/core/timeline.ts';
import { registerOfflineCheck, type DerivedValue, type TestWindow } from '../../reports/rejudge.ts';
import { CURRENT_IDS } from '../ccs2/current-ids.ts';
import { HANDSHAKE_IDS as H } from '../ccs2/handshake-ids.ts';
import { MESSAGE_PERFORMANCE_IDS } from '../ccs2/session-ids.ts';
import { fmt } from './power-trace.ts';
import { meanOver, timeToFallBelow, type Series } from './trace-analysis.ts';

/** The stop current (the same in both CCS profiles: both extend IEC 61851-23). */
const STOP_A = Limits.load('din70121').num('stop.currentA');
/** suites/support/power-trace.ts requireCurrentAt: the current before a stop is the mean over 0.5 s ending 0.1 s before it. */
const LEVEL_WINDOW_S = 0.5;
const LEVEL_GUARD_S = 0.1;

interface V2gData {
  dir?: 'tx' | 'rx';
  message?: string;
  doc?: Record<string, Record<string, unknown> | undefined>;
  responseMs?: number;
}
type V2gEvent = TimelineEvent<V2gData>;

/** A test that broke before its check measured anything has nothing to re-derive (its verdict is re-judged as broken). */
const ifJudged =
  (derive: (w: TestWindow) => DerivedValue[]) =>
  (w: TestWindow): DerivedValue[] =>
    w.measurements.length ? derive(w) : [];

/** What the live check had seen when it judged: the window's events recorded before its first measurement. */
function beforeJudged(w: TestWindow): TimelineEvent[] {
  const first = w.events.find((e) => e.kind === 'measurement');
  return first ? w.events.filter((e) => e.seq < first.seq) : w.events;
}

/** The vehicle's decoded messages: the source whose sent messages are requests (both ends record). */
function vehicleMessages(events: readonly TimelineEvent[]): V2gEvent[] {
  const v2g = events.filter((e) => e.kind === 'v2g' && typeof (e.data as V2gData).message === 'string') as V2gEvent[];
  const ev = v2g.find((e) => e.data.dir === 'tx' && /Req$/.test(e.data.message!))?.source;
  return v2g.filter((e) => e.source === ev);
}

const isStop = (e: V2gEvent) => {
  const b = e.data.doc?.PowerDeliveryReq;
  return e.data.dir === 'tx' && !!b && (b.ChargeProgress === 'Stop' || b.ReadyToChargeState === false);
};

/** One instrument's inlet current (s, A) from its 'samples' blocks, from fromNs on. */
function currentOf(events: readonly TimelineEvent[], source: string, fromNs: number): Series {
  const out: Series = { tS: [], y: [] };
  for (const e of events) {
    if (e.kind !== 'samples' || e.source !== source) continue;
    const b = e.data as unknown as SampleBlock;
    const i = b.channels?.currentA;
    if (!i || !b.channels?.voltageV) continue;
    for (let k = 0; k < i.length; k++) {
      const t = b.t0 + k * b.dt;
      if (t < fromNs) continue;
      out.tS.push(t / 1e9);
      out.y.push(i[k]);
    }
  }
  return out;
}

/**
 * The battery emulator of the CCS port: of the instruments sampling in the window (an emulator bench has one per
 * port), the one that carried the current the stop came from (the most current just before the stop).
 */
function chargingTrace(events: readonly TimelineEvent[], fromNs: number, stopS: number): Series {
  const sources = [...new Set(events.filter((e) => e.kind === 'samples').map((e) => e.source))];
  const level = (s: Series) => Math.abs(meanOver(s, stopS - LEVEL_WINDOW_S - LEVEL_GUARD_S, stopS - LEVEL_GUARD_S)) || 0;
  const traces = sources.map((src) => currentOf(events, src, fromNs)).sort((a, b) => level(b) - level(a));
  if (!traces.length || level(traces[0]) <= STOP_A) throw new Error('no instrument in the window carried a current before the stop');
  return traces[0];
}

/** The vehicle's stop and the trace around it, as the live test saw them. */
function stopOf(w: TestWindow): { stopS: number; current: Series } {
  const events = beforeJudged(w);
  const msgs = vehicleMessages(events);
  const stop = msgs.find(isStop);
  if (!msgs.length || !stop) throw new Error('the window holds no PowerDeliveryReq (stop) of the vehicle');
  const stopS = stop.t / 1e9;
  return { stopS, current: chargingTrace(events, msgs[0].t, stopS) };
}

const timeToStop = (current: Series, stopS: number) => timeToFallBelow(current, stopS, STOP_A) ?? Number.POSITIVE_INFINITY;

/** The worst response time of each response type the vehicle received (request sent → response received). */
function worstResponseTimes(w: TestWindow): Map<string, number> {
  const worst = new Map<string, number>();
  for (const e of vehicleMessages(beforeJudged(w)))
    if (e.data.dir === 'rx' && e.data.responseMs !== undefined)
      worst.set(e.data.message!, Math.max(worst.get(e.data.message!) ?? 0, e.data.responseMs));
  return worst;
}

registerOfflineCheck({
  testCaseId: H.performance,
  nature: 'offline',
  what: 'worst CurrentDemandRes response time of the charge loop (request sent → response received)',
  derive: ifJudged((w) => {
    const worst = worstResponseTimes(w).get('CurrentDemandRes');
    if (worst === undefined) throw new Error('the window holds no CurrentDemandRes');
    return [{ name: 'CurrentDemandRes response time (worst)', value: worst }];
  }),
});

for (const testCaseId of Object.values(MESSAGE_PERFORMANCE_IDS))
  registerOfflineCheck({
    testCaseId,
    nature: 'offline',
    what: 'worst response time of each message type of the session (request sent → response received)',
    derive: ifJudged((w) => [...worstResponseTimes(w)].map(([response, ms]) => ({ name: `${response} response time (worst)`, value: ms }))),
  });

registerOfflineCheck({
  testCaseId: H.stop,
  nature: 'offline',
  what: 'time from PowerDeliveryReq (stop) to the inlet current below the stop current',
  derive: ifJudged((w) => {
    const { stopS, current } = stopOf(w);
    return [{ name: 'current after PowerDelivery stop', value: timeToStop(current, stopS) }];
  }),
});

for (const ids of Object.values(CURRENT_IDS))
  registerOfflineCheck({
    testCaseId: ids.stop,
    nature: 'offline',
    what: 'time from PowerDeliveryReq (stop) to the inlet current below the stop current, from the current before it',
    derive: ifJudged((w) => {
      const { stopS, current } = stopOf(w);
      const i0 = meanOver(current, stopS - LEVEL_WINDOW_S - LEVEL_GUARD_S, stopS - LEVEL_GUARD_S);
      return [{ name: `vehicle stop: time to < ${STOP_A} A from ${fmt(i0, 0)} A`, value: timeToStop(current, stopS) }];
    }),
  });
