// `mcs-hil judge --protocol gbt27930 FILE`: every GB/T 27930 test case of the suite, declared once as
// decidable from a recording (offline: the order, periods and timeout reports of the decoded messages,
// with the same derivations `verify` uses) or not (online: it needs the vehicle's stimulus or an
// instrument's current trace that a CAN recording does not have).

import type { Limit } from '../../drivers/core/limits.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { UsageError, InputError } from '../../drivers/core/errors.ts';
import { readTraceFile } from '../../drivers/can/trace-files.ts';
import { BMS_ADDRESS } from '../../drivers/gbt27930/ids.ts';
import type { GbtCode } from '../../drivers/gbt27930/messages.ts';
import { decodeFrames } from '../../drivers/gbt27930/trace-decode.ts';
import { registerRecordingCase, type JudgedValue, type RecordingCase } from '../../reports/rejudge-recording.ts';
import { GBT_TEST_IDS } from '../gbt27930/test-ids.ts';
import { cemReport, chargerPeriods, gbtView, periodName, sequenceOrder, TIMEOUT_CASES, type GbtView } from './gbt27930-offline.ts';

const limits = Limits.load('gbt27930');
const EPIC = 'GB/T 27930-2015';

/** The recording's GB/T messages as the vehicle's BMS saw them: timeline events of source 'bms'. */
export function gbtEventsFromRecording(file: string, bus?: string): TimelineEvent[] {
  const records = readTraceFile(file);
  const buses = [...new Set(records.map((r) => r.bus))];
  const picked = bus ?? buses[0];
  if (bus && !buses.includes(bus)) throw new InputError(`no bus '${bus}' in the file (buses: ${buses.join(', ') || 'none'})`, file);
  const { entries } = decodeFrames(records.filter((r) => r.bus === picked));
  if (!entries.length) throw new InputError('no GB/T 27930 message in the recording', file);
  return entries.map(({ t, ...data }, i) => ({
    seq: i + 1,
    t,
    kind: 'gbt',
    source: 'bms',
    data: { ...data, dir: data.sa === BMS_ADDRESS ? 'tx' : 'rx' },
  }));
}

export function requireGbt(protocol: string): void {
  if (protocol !== 'gbt27930')
    throw new UsageError(`unknown protocol '${protocol}' (supported: gbt27930, iso15118-20)`, 'judge --protocol');
}

const lastT = (events: readonly TimelineEvent[]) => events.at(-1)?.t ?? 0;

function withoutLo(l: Limit): Limit {
  return l.lo === 0 ? { ...l, lo: undefined } : l;
}

function sequence(events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } {
  const v = gbtView(events);
  if (!v.tx.some((e) => e.data.code === 'BRM')) return { notRun: 'the vehicle never sent BRM: no charging sequence to judge' };
  const s = sequenceOrder(v);
  const clause = 'GB/T 27930-2015 §10, Fig. A.6';
  return [
    ...s.pairs.map((p): JudgedValue => ({
      kind: 'check',
      name: `${p.a} precedes ${p.b}`,
      ok: p.ok,
      expected: `${p.a} then ${p.b}`,
      actual: p.actual,
      clause,
      verified: false,
      violation: 'protocol',
    })),
    {
      kind: 'measure',
      name: 'BRM → CRM(0xAA)',
      value: s.brmToCrmAaMs,
      limit: withoutLo(limits.get('reaction.brmToCrmAaMs')),
      violation: 'timing',
    },
    {
      kind: 'measure',
      name: 'BRO(0xAA) → CRO(0xAA)',
      value: s.broToCroMs,
      limit: withoutLo(limits.get('reaction.broToCroMs')),
      violation: 'timing',
    },
  ];
}

function periods(events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } {
  const min = limits.num('period.minSamples');
  const judged = chargerPeriods(gbtView(events), lastT(events)).filter((p) => p.intervals >= min);
  if (!judged.length) return { notRun: `no charger message has ${min} consecutive intervals in the recording` };
  return judged.map((p) => ({
    kind: 'measure',
    name: periodName(p.code, p.intervals),
    value: p.meanMs,
    limit: limits.get(`period.${p.code}`),
    violation: 'timing',
    note: `longest gap ${p.longestMs.toFixed(1)} ms`,
  }));
}

/**
 * Where the vehicle began withholding `code` (the test's stimulus): the trigger after which it never sent
 * it, with the recording running on for the timeout. BCS also pauses at every session's end, so for BCS it
 * is the start of a gap of at least the timeout during which the vehicle still asked for current (BCL).
 */
function withheldFrom(
  v: GbtView,
  c: (typeof TIMEOUT_CASES)[number],
  code: GbtCode,
  timeoutMs: number,
  endNs: number,
): TimelineEvent | undefined {
  const span = timeoutMs * 1e6;
  if (code === 'BCS') {
    const bcs = v.tx.filter((e) => e.data.code === 'BCS');
    return bcs.find((e, i) => {
      const next = bcs[i + 1]?.t ?? endNs;
      return next - e.t >= span && v.tx.some((b) => b.data.code === 'BCL' && b.t > e.t + 1e9 && b.t < next);
    });
  }
  const from = c.from(v, endNs);
  if (!from || v.tx.some((e) => e.data.code === code && e.t > from.t) || endNs - from.t < span) return undefined;
  return from;
}

function timeout(c: (typeof TIMEOUT_CASES)[number], code: GbtCode) {
  return (events: readonly TimelineEvent[]): JudgedValue[] | { notRun: string } => {
    const v = gbtView(events);
    const base = limits.get(`timeout.${code}`);
    const allowance = limits.get('reaction.timeoutAllowanceMs');
    const timeoutMs = base.value!;
    const from = withheldFrom(v, c, code, timeoutMs, lastT(events)) as Parameters<typeof cemReport>[1];
    if (!from) {
      return { notRun: `the recording does not show the vehicle withholding ${code} for ${timeoutMs} ms after the ${c.what}` };
    }
    const r = cemReport(v, from, c.bit);
    const limit: Limit = {
      ...base,
      lo: undefined,
      value: undefined,
      hi: timeoutMs + allowance.hi!,
      source: `${base.source}; ${allowance.source}`,
      verified: base.verified && allowance.verified,
    };
    return [
      {
        kind: 'measure',
        name: `${c.what} → CEM`,
        value: r.ms,
        limit,
        violation: 'timing',
        note: `timeout ${timeoutMs} ms + ${allowance.hi} ms allowance`,
      },
      {
        kind: 'check',
        name: `CEM reports the ${c.bit}`,
        ok: r.bitSet,
        expected: `${c.bit} = 01`,
        actual: r.cem ? JSON.stringify(r.cem.data.values) : 'no CEM',
        clause: base.clause,
        verified: false,
        violation: 'protocol',
      },
    ];
  };
}

const TIMEOUT_CODE: Record<string, GbtCode> = { bcsTimeout: 'BCS', brmTimeout: 'BRM', bcpTimeout: 'BCP', broTimeout: 'BRO' };

const CASES: RecordingCase[] = [
  {
    protocol: 'gbt27930',
    testCaseId: GBT_TEST_IDS.sequence,
    title: 'runs handshake → recognition → configuration → charging in the standard order',
    standard: EPIC,
    clause: 'GB/T 27930-2015 §10, Fig. A.6',
    nature: 'offline',
    judge: sequence,
  },
  {
    protocol: 'gbt27930',
    testCaseId: GBT_TEST_IDS.periods,
    title: 'sends every charger message at its period',
    standard: EPIC,
    clause: 'GB/T 27930-2015 Tables 3–5',
    nature: 'offline',
    judge: periods,
  },
  ...TIMEOUT_CASES.map((c): RecordingCase => ({
    protocol: 'gbt27930',
    testCaseId: c.testCaseId,
    title: `reports a ${TIMEOUT_CODE[c.bit]} timeout after 5 s`,
    standard: EPIC,
    clause: limits.get(`timeout.${TIMEOUT_CODE[c.bit]}`).clause,
    nature: 'offline',
    judge: timeout(c, TIMEOUT_CODE[c.bit]),
  })),
];

const ONLINE: [string, string, string][] = [
  [GBT_TEST_IDS.followsBcl, 'follows the BCL current demand', 'it judges the current against demand steps the vehicle makes live'],
  [GBT_TEST_IDS.rampOnAnalyser, 'ramps to a higher BCL demand at the minimum slope', 'it needs the power analyser trace'],
  [GBT_TEST_IDS.bcpCap, 'caps its output at the BCP limits', 'it needs the power analyser trace of a demand above the BCP limit'],
  [GBT_TEST_IDS.stopAfterBst, 'stops after BST', 'the fall of the current needs the power analyser trace'],
  [GBT_TEST_IDS.statistics, 'ends with statistics (CSD)', 'the stop is the vehicle’s live stimulus'],
  [GBT_TEST_IDS.pause, 'pauses when asked', 'the pause is the vehicle’s live stimulus and is judged on the current trace'],
  [GBT_TEST_IDS.stopOnBem, 'stops on BEM', 'the BEM is the vehicle’s live stimulus and the stop is judged on the current trace'],
  [GBT_TEST_IDS.bclTimeout, 'stops within 1 s when BCL stops arriving', 'its stop-current fall needs the power analyser trace'],
];

for (const c of CASES) registerRecordingCase(c);
for (const [testCaseId, title, why] of ONLINE) {
  registerRecordingCase({ protocol: 'gbt27930', testCaseId, title, standard: EPIC, clause: '—', nature: 'online', why });
}
