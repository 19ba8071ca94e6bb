// `mcs-hil judge --protocol iso15118-20 FILE.pcapng`: every MCS test case, declared once as decidable from
// a capture of the V2G link (offline: response codes and pairing, Table 217 response times measured on the
// capture's own time stamps, the charger's close after a silent vehicle or after SessionStopRes) or not
// (online: it needs a stimulus our vehicle sends on purpose, or an instrument's trace). Names and limits
// are the live tests' (suites/mcs), so an offline verdict reads like the live one. `mcs-hil verify` re-derives
// the good case and the response times with the same functions from a live run's recorded V2G messages.

import { Limits } from '../../drivers/core/limits.ts';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { SEQUENCE } from '../../drivers/iso15118/evcc/messages.ts';
import { performanceLimitName } from '../../drivers/iso15118/evcc/timers.ts';
import { registerOfflineCheck, type DerivedValue, type TestWindow } from '../../reports/rejudge.ts';
import { registerRecordingCase, type JudgedValue } from '../../reports/rejudge-recording.ts';
import { HANDSHAKE_TEST_IDS as H } from '../mcs/handshake-ids.ts';
import { POWER_TEST_IDS as P } from '../mcs/power-ids.ts';

export const ISO15118_20 = 'iso15118-20';
const L = Limits.load('iso15118-20');
const EPIC = 'ISO 15118-20';
const SEQ_CLAUSE = 'ISO 15118-20:2022 §8.8 message sequence (DC), reference §2.2';
const OK_CODES: Record<string, string[]> = {
  supportedAppProtocolRes: ['OK_SuccessfulNegotiation'],
  SessionSetupRes: ['OK_NewSessionEstablished'],
};

interface V2gData {
  dir?: 'tx' | 'rx';
  message?: string;
  doc?: Record<string, { ResponseCode?: string } | undefined>;
  responseMs?: number;
  connection?: string;
  closed?: boolean;
  by?: 'vehicle' | 'charger';
}
type Ev = TimelineEvent<V2gData>;

/** One connection's messages and its ends: the first connection in which a session was set up (or the first one). */
function session(events: readonly TimelineEvent[]): { msgs: Ev[]; closes: Ev[] } {
  const v2g = events.filter((e) => e.kind === 'v2g') as Ev[];
  const conns = [...new Set(v2g.map((e) => e.data.connection))];
  const conn = conns.find((c) => v2g.some((e) => e.data.connection === c && e.data.message === 'SessionSetupReq')) ?? conns[0];
  const mine = v2g.filter((e) => e.data.connection === conn);
  return { msgs: mine.filter((e) => typeof e.data.message === 'string'), closes: mine.filter((e) => e.data.closed) };
}

const check = (
  name: string,
  ok: boolean,
  expected: string,
  actual: string,
  clause: string,
  violation: 'protocol' | 'timing' = 'protocol',
) => ({ kind: 'check', name, ok, expected, actual, clause, verified: false, violation }) as JudgedValue;

/** The good case: each request answered by its own response, with the OK code its message allows (stop sequence included). */
function goodCase(events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } {
  const { msgs } = session(events);
  const pairs = new Map<string, Ev | undefined>();
  msgs.forEach((m, i) => m.data.dir === 'tx' && !pairs.has(m.data.message!) && pairs.set(m.data.message!, msgs[i + 1]));
  const seen = [...pairs.keys()];
  // The vehicle's order is the recording's given, not the charger's verdict: only a whole DC sequence is judged.
  if (JSON.stringify(seen) !== JSON.stringify(SEQUENCE.map((m) => `${m}Req`)))
    return { notRun: `the recording does not hold the whole DC sequence in order (${seen.join(' → ') || 'no request'})` };
  const out: JudgedValue[] = [];
  for (const [req, res] of pairs) {
    const expected = req.replace(/Req$/, 'Res');
    const got = res?.data.dir === 'rx' ? res.data.message! : 'nothing';
    out.push(check(`${req} answered by ${expected}`, got === expected, expected, got, SEQ_CLAUSE));
    const code = res?.data.doc?.[expected]?.ResponseCode;
    const ok = OK_CODES[expected] ?? ['OK'];
    out.push(
      check(
        `${expected} ResponseCode`,
        ok.includes(code ?? ''),
        ok.join(' | '),
        String(code),
        'ISO 15118-20:2022 responseCodeType (Table of response codes per message)',
      ),
    );
  }
  return out;
}

/** Table 217: the worst response time of each message type, request's last byte to response's last byte on the capture. */
function performanceTime(events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } {
  const worst = new Map<string, number>();
  for (const e of session(events).msgs) {
    if (e.data.dir !== 'rx' || e.data.responseMs === undefined || !e.data.message!.endsWith('Res')) continue;
    const m = e.data.message!.replace(/Res$/, '');
    worst.set(m, Math.max(worst.get(m) ?? 0, e.data.responseMs));
  }
  const timed = SEQUENCE.filter((m) => worst.has(m));
  if (!timed.length) return { notRun: 'no request answered in the recording' };
  // No harness latency on a capture: its time stamps are the wire's, so no uncertainty is added.
  return timed.map((m) => ({
    kind: 'measure',
    name: `${m}Res response time (worst)`,
    value: worst.get(m)!,
    limit: L.get(performanceLimitName(L, m)),
    violation: 'timing',
  }));
}

/** V2G_SECC_Sequence_Timeout: observable when the vehicle went silent after a response (longer than the timer, or the charger closed). */
function sequenceTimeout(events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } {
  const { msgs, closes } = session(events);
  const timer = L.get('timer.V2G_SECC_Sequence_Timeout');
  const tol = L.get('secc.sequenceTimeoutCloseToleranceMs');
  const window = {
    ...timer,
    lo: timer.value,
    hi: timer.value! + tol.hi!,
    source: `${timer.source}; tolerance: ${tol.source}`,
    note: `timer ${timer.value} ms + tolerance ${tol.hi} ms`,
  };
  const end = events.at(-1)?.t ?? 0;
  const tx = msgs.filter((e) => e.data.dir === 'tx');
  // The request after which the vehicle went silent for at least the timer (up to its next request or the end).
  const gapAfter = (i: number) => ((tx[i + 1]?.t ?? end) - tx[i].t) / 1e6;
  const i = tx.findIndex((e, k) => e.data.message !== 'SessionStopReq' && gapAfter(k) >= timer.value!);
  if (i < 0) return { notRun: `the vehicle never went silent for V2G_SECC_Sequence_Timeout (${timer.value} ms) in the recording` };
  const silent = tx[i];
  const close = closes.find((e) => e.t > silent.t);
  if (close?.data.by === 'vehicle' && close.t - silent.t < window.hi! * 1e6)
    return { notRun: 'the vehicle closed the connection before the timer and its tolerance ran out' };
  const closedBy = close?.data.by === 'charger' ? close.t : undefined;
  if (closedBy === undefined && (end - silent.t) / 1e6 < window.hi! && !tx[i + 1])
    return {
      notRun: `the recording ends ${((end - silent.t) / 1e6).toFixed(0)} ms after the last request, before timer + tolerance ran out`,
    };
  const afterMs = closedBy === undefined ? Number.POSITIVE_INFINITY : (closedBy - silent.t) / 1e6;
  const out: JudgedValue[] = [
    {
      kind: 'measure',
      name: 'connection closed after the last request (vehicle silent since)',
      value: afterMs,
      limit: window,
      violation: 'timing',
    },
  ];
  // A request the vehicle sent after the timer ran out: the charger must not process it ([V2G20-1633] may hold the connection).
  const probe = tx[i + 1];
  if (probe) {
    const answer = msgs.find((e) => e.t > probe.t && e.data.dir === 'rx' && e.data.message === probe.data.message!.replace(/Req$/, 'Res'));
    const clause = `${timer.clause}; [V2G20-1633]`;
    out.push(
      check(
        'no request processed after the sequence timeout',
        !answer,
        'no answer',
        answer ? `${answer.data.message}` : 'no answer',
        clause,
      ),
    );
  }
  return out;
}

/** [V2G20-1633]: the charger waits at least 5 s after SessionStopRes before closing; observable only when the vehicle kept it open. */
function closeAfterStop(events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } {
  const { msgs, closes } = session(events);
  const res = msgs.find((e) => e.data.dir === 'rx' && e.data.message === 'SessionStopRes');
  if (!res) return { notRun: 'no SessionStopRes in the recording' };
  const first = closes.find((e) => e.t >= res.t);
  if (!first) return { notRun: 'the connection is still open when the recording ends' };
  if (first.data.by === 'vehicle') return { notRun: "the vehicle closed the connection first: the charger's wait is not observable" };
  return [
    {
      kind: 'measure',
      name: 'connection closed after SessionStopRes',
      value: (first.t - res.t) / 1e6,
      limit: L.get('secc.closeAfterStopMinMs'),
      violation: 'timing',
    },
  ];
}

// ---- the declaration: every MCS test case once, offline with its check or online with what a capture lacks ----

const offline: [string, string, string, (e: readonly TimelineEvent[]) => JudgedValue[] | { notRun: string }][] = [
  [H.goodCase, 'runs the whole DC/MCS sequence with OK answers, each request answered by its response', SEQ_CLAUSE, goodCase],
  [
    H.performanceTime,
    'answers every request within the SECC performance time',
    'ISO 15118-20:2022 [V2G20-1502] Table 217; Table 215',
    performanceTime,
  ],
  [
    H.sequenceTimeout,
    'stops the session when V2G_SECC_Sequence_Timeout expires',
    L.get('timer.V2G_SECC_Sequence_Timeout').clause,
    sequenceTimeout,
  ],
  [
    H.closeWaitAfterStop,
    'waits at least 5 s after SessionStopRes before it closes the connection',
    L.get('secc.closeAfterStopMinMs').clause,
    closeAfterStop,
  ],
];
for (const [testCaseId, title, clause, judge] of offline)
  registerRecordingCase({ protocol: ISO15118_20, testCaseId, title, standard: EPIC, clause, nature: 'offline', judge });

const STIMULUS =
  'it needs a request our vehicle sends on purpose (out of order, malformed, foreign, withheld), not in a recording of another vehicle';
const TRACE =
  "it judges the delivered current/voltage, which needs the bench's power analyser or battery emulator trace, not in a V2G capture";
const online: [string, string][] = [
  [H.dynamicMode, 'the vehicle must select Dynamic control; a recording shows only the mode its vehicle chose'],
  [H.sequenceErrorEarly, STIMULUS],
  [H.sequenceErrorPreCharge, STIMULUS],
  [H.unknownSession, STIMULUS],
  [H.malformedV2gtp, STIMULUS],
  [H.unsupportedAppProtocol, STIMULUS],
  [H.tlsNoClientCert, 'it needs a TLS handshake without a client certificate'],
  [H.tlsChainRoot, "it verifies the served chain against the V2G root, which the decrypted capture's judge does not hold"],
  [H.mcsService, 'it needs the vehicle to ask for the MCS service list and select MCS'],
  [H.mcsParameterSets, 'it needs ServiceDetail for service 8, which a recording holds only if its vehicle asked'],
  [H.rationalLimits, "it compares the advertised ratings with the bench file's declared ratings"],
  [H.sdp, 'SDP runs over UDP before the capture window of a V2G session'],
  [H.chargeLoopSequenceTimeout, TRACE],
  [H.communicationSetup, STIMULUS],
  ...Object.values(P).map((id): [string, string] => [id, TRACE]),
];
for (const [testCaseId, why] of online)
  registerRecordingCase({
    protocol: ISO15118_20,
    testCaseId,
    title: testCaseId,
    standard: EPIC,
    clause: SEQ_CLAUSE,
    nature: 'online',
    why,
  });

// ---- `mcs-hil verify`: the same checks re-derived from a live run's timeline (the vehicle's recorded V2G messages) ----

/** The vehicle's messages of a live test: after the idle precondition, up to when the live check judged. */
function vehicleMessages(w: TestWindow): TimelineEvent[] {
  const i = w.events.findIndex((e) => e.kind === 'test' && (e.data as { event?: string }).event === 'precondition: charger idle');
  const judgedAt = w.measurements[0]?.t ?? Number.POSITIVE_INFINITY;
  const body = (i < 0 ? w.events : w.events.slice(i + 1)).filter((e) => e.kind === 'v2g' && e.t <= judgedAt);
  // Both ends record: the vehicle is the source whose sent messages are requests.
  const ev = body.find((e) => (e.data as V2gData).dir === 'tx' && /Req$/.test(String((e.data as V2gData).message)))?.source;
  return body.filter((e) => e.source === ev).map((e) => ({ ...e, data: { ...e.data, connection: 'live' } }));
}

const asDerived = (values: JudgedValue[] | { notRun: string }): DerivedValue[] =>
  Array.isArray(values) ? values.map((v) => ({ name: v.name, value: v.kind === 'check' ? v.ok : v.value })) : [];

registerOfflineCheck({
  testCaseId: H.goodCase,
  nature: 'offline',
  what: 'each request of the DC sequence answered by its response with the OK code its message allows',
  derive: (w) => asDerived(goodCase(vehicleMessages(w))).filter((d) => d.name.endsWith('ResponseCode')),
});

registerOfflineCheck({
  testCaseId: H.performanceTime,
  nature: 'offline',
  what: 'worst response time of each message type (Table 217)',
  derive: (w) => asDerived(performanceTime(vehicleMessages(w))),
});
