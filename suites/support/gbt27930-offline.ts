// GB/T 27930 checks decidable offline: message order, message periods and the charger's timeout reports
// depend only on the decoded frames the vehicle's BMS sent and received, so `mcs-hil verify` re-derives
// them from a run's timeline and `mcs-hil judge` from a candump/ASC recording. Each function here takes
// the BMS's view of the bus (no bench, no clock) and is registered with its test case id and nature.
// What needs the live session (the stimulus, the current trace of a ramp or stop) stays online.

import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import type { GbtEventData } from '../../drivers/gbt27930/link.ts';
import { NOT_RECOGNISED, READY, RECOGNISED, type GbtCode } from '../../drivers/gbt27930/messages.ts';
import { registerOfflineCheck, type DerivedValue, type TestWindow } from '../../reports/rejudge.ts';

type GbtEvent = TimelineEvent<GbtEventData>;

/** The BMS's messages of one session: decodable, delivered, and what the charger sent before it (re)started the session left out. */
export interface GbtView {
  rx: GbtEvent[];
  tx: GbtEvent[];
}

export function gbtView(events: readonly TimelineEvent[], source = 'bms'): GbtView {
  const all = (events.filter((e) => e.kind === 'gbt' && e.source === source) as GbtEvent[]).filter(
    (e) => !e.data.error && !e.data.undelivered,
  );
  const start = all.find((e) => e.data.dir === 'rx' && (e.data.code === 'CHM' || e.data.code === 'CRM'));
  return {
    rx: all.filter((e) => e.data.dir === 'rx' && !(start && e.t < start.t)),
    tx: all.filter((e) => e.data.dir === 'tx'),
  };
}

const val = (e: GbtEvent | undefined, f: string) => e?.data.values?.[f];
const ms = (a?: number, b?: number) => (a === undefined || b === undefined ? Number.POSITIVE_INFINITY : (b - a) / 1e6);
const fmtAt = (e: GbtEvent | undefined) => (e ? `${(e.t / 1e6).toFixed(1)} ms` : 'never');

export interface OrderPair {
  a: string;
  b: string;
  ok: boolean;
  actual: string;
}

/** GB/T 27930-2015 §10, Fig. A.6: the charging sequence's order, and the two reaction times judged with it. */
export function sequenceOrder(v: GbtView): { pairs: OrderPair[]; brmToCrmAaMs: number; broToCroMs: number } {
  const rx = (p: (e: GbtEvent) => boolean) => v.rx.find(p);
  const tx = (p: (e: GbtEvent) => boolean) => v.tx.find(p);
  const chm = rx((e) => e.data.code === 'CHM');
  const crm00 = rx((e) => e.data.code === 'CRM' && val(e, 'recognition') === NOT_RECOGNISED);
  const crmAa = rx((e) => e.data.code === 'CRM' && val(e, 'recognition') === RECOGNISED);
  const brm = tx((e) => e.data.code === 'BRM');
  const bcp = tx((e) => e.data.code === 'BCP');
  const cml = rx((e) => e.data.code === 'CML');
  const broAa = tx((e) => e.data.code === 'BRO' && val(e, 'ready') === READY);
  const croAa = rx((e) => e.data.code === 'CRO' && val(e, 'ready') === READY);
  const ccs = rx((e) => e.data.code === 'CCS');
  const order: [string, GbtEvent | undefined, string, GbtEvent | undefined][] = [
    ['CHM', chm, 'CRM(0x00)', crm00],
    ['CRM(0x00)', crm00, 'CRM(0xAA)', crmAa],
    ['BRM', brm, 'CRM(0xAA)', crmAa],
    ['BCP', bcp, 'CML', cml],
    ['BRO(0xAA)', broAa, 'CRO(0xAA)', croAa],
    ['CRO(0xAA)', croAa, 'CCS', ccs],
  ];
  return {
    pairs: order.map(([a, ea, b, eb]) => ({
      a,
      b,
      ok: !!ea && !!eb && ea.t <= eb.t,
      actual: `${a} at ${fmtAt(ea)}, ${b} at ${fmtAt(eb)}`,
    })),
    brmToCrmAaMs: ms(brm?.t, crmAa?.t),
    broToCroMs: ms(broAa?.t, croAa?.t),
  };
}

/** The charger messages whose period is judged, and until when: CHM until recognition starts, the others over every frame seen. */
export const PERIOD_CODES: GbtCode[] = ['CHM', 'CTS', 'CML', 'CCS'];

/** Mean period (ms) of each charger message over frames up to endNs, with the number of intervals and the longest gap. */
export function chargerPeriods(v: GbtView, endNs: number): { code: GbtCode; meanMs: number; intervals: number; longestMs: number }[] {
  const firstCrm = v.rx.find((e) => e.data.code === 'CRM')?.t ?? Number.POSITIVE_INFINITY;
  return PERIOD_CODES.map((code) => {
    const until = code === 'CHM' ? firstCrm : endNs;
    const frames = v.rx.filter((e) => e.data.code === code && e.t <= until);
    const gaps = frames.slice(1).map((e, i) => (e.t - frames[i].t) / 1e6);
    return {
      code,
      meanMs: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number.NaN,
      intervals: gaps.length,
      longestMs: gaps.length ? Math.max(...gaps) : 0,
    };
  });
}

/** Name of the period measurement, as the live test records it. */
export const periodName = (code: string, intervals: number) => `${code} period (mean of ${intervals})`;

/** A charger timeout the vehicle provokes by not sending a message: where the charger's timer starts, and the CEM bit it must set. */
export interface TimeoutCase {
  testCaseId: string;
  /** The event that starts the charger's timer, found in the BMS's view up to a time (the last one sent, or the first trigger). */
  from: (v: GbtView, upToNs: number) => GbtEvent | undefined;
  what: string;
  bit: string;
}

const lastTx = (code: GbtCode) => (v: GbtView, upTo: number) => v.tx.filter((e) => e.data.code === code && e.t <= upTo).at(-1);

export const TIMEOUT_CASES: TimeoutCase[] = [
  { testCaseId: 'GBT27930-TO-BCS-001', what: 'last BCS', bit: 'bcsTimeout', from: lastTx('BCS') },
  {
    testCaseId: 'GBT27930-TO-BRM-001',
    what: 'CRM(0x00)',
    bit: 'brmTimeout',
    from: (v) => v.rx.find((e) => e.data.code === 'CRM' && val(e, 'recognition') === NOT_RECOGNISED),
  },
  {
    testCaseId: 'GBT27930-TO-BCP-001',
    what: 'CRM(0xAA)',
    bit: 'bcpTimeout',
    from: (v) => v.rx.find((e) => e.data.code === 'CRM' && val(e, 'recognition') === RECOGNISED),
  },
  {
    testCaseId: 'GBT27930-TO-BRO-001',
    what: 'first CTS/CML',
    bit: 'broTimeout',
    from: (v) => v.rx.find((e) => e.data.code === 'CML' || e.data.code === 'CTS'),
  },
];

/** The first CEM at or after fromNs, the time to it, and whether it sets `bit`. */
export function cemReport(v: GbtView, from: GbtEvent | undefined, bit: string): { ms: number; bitSet: boolean; cem?: GbtEvent } {
  const cem = from ? v.rx.find((e) => e.data.code === 'CEM' && e.t >= from.t) : undefined;
  return { ms: ms(from?.t, cem?.t), bitSet: val(cem, bit) === 1, cem };
}

/**
 * The test body's events: after the root hooks' idle precondition (the live test's own timeline mark is
 * taken right after it), so the idle charger's CHM before the session is not counted as this test's.
 */
function body(w: TestWindow): TimelineEvent[] {
  const i = w.events.findIndex((e) => e.kind === 'test' && (e.data as { event?: string }).event === 'precondition: charger idle');
  return i < 0 ? w.events : w.events.slice(i + 1);
}

/** The first measurement's time stamp of a name (prefix): what the live check had seen when it judged. */
function stampOf(w: TestWindow, prefix: string): number {
  return w.measurements.find((m) => m.name.startsWith(prefix))?.t ?? w.events.at(-1)?.t ?? 0;
}

// ---- registration: which test case each offline check re-derives, under the names the live test records ----

registerOfflineCheck({
  testCaseId: 'GBT27930-SEQ-001',
  nature: 'offline',
  what: 'charging sequence order and BRM→CRM(0xAA), BRO→CRO reaction times',
  derive: (w) => {
    const s = sequenceOrder(gbtView(body(w)));
    return [
      ...s.pairs.map((p): DerivedValue => ({ name: `${p.a} precedes ${p.b}`, value: p.ok })),
      { name: 'BRM → CRM(0xAA)', value: s.brmToCrmAaMs },
      { name: 'BRO(0xAA) → CRO(0xAA)', value: s.broToCroMs },
    ];
  },
});

registerOfflineCheck({
  testCaseId: 'GBT27930-PERIOD-001',
  nature: 'offline',
  what: 'mean periods of CHM, CTS, CML, CCS',
  derive: (w) =>
    chargerPeriods(gbtView(body(w)), stampOf(w, 'C'))
      .filter((p) => w.measurements.some((m) => m.name.startsWith(`${p.code} period`)))
      .map((p) => ({ name: periodName(p.code, p.intervals), value: p.meanMs })),
});

for (const c of TIMEOUT_CASES) {
  registerOfflineCheck({
    testCaseId: c.testCaseId,
    nature: 'offline',
    what: `CEM after the ${c.what} within the timeout, with ${c.bit} set`,
    derive: (w) => {
      const v = gbtView(body(w));
      const r = cemReport(v, c.from(v, stampOf(w, `${c.what} → CEM`)), c.bit);
      const out: DerivedValue[] = [
        { name: `${c.what} → CEM`, value: r.ms },
        { name: `CEM reports the ${c.bit}`, value: r.bitSet },
      ];
      if (c.bit === 'brmTimeout') out.push({ name: 'the charger starts recognition with CRM(0x00)', value: !!c.from(v, Infinity) });
      return out;
    },
  });
}

registerOfflineCheck({
  testCaseId: 'GBT27930-TO-BCL-001',
  nature: 'offline',
  what: 'charger stop (CST/CEM) after the last BCL, CEM with bclTimeout set (the stop current is judged online)',
  derive: (w) => {
    const v = gbtView(body(w));
    const lastBcl = lastTx('BCL')(v, stampOf(w, 'last BCL'));
    const stop = lastBcl ? v.rx.find((e) => (e.data.code === 'CST' || e.data.code === 'CEM') && e.t >= lastBcl.t) : undefined;
    return [
      { name: 'last BCL → charger stop (CST/CEM)', value: ms(lastBcl?.t, stop?.t) },
      { name: 'CEM reports the bclTimeout', value: cemReport(v, lastBcl, 'bclTimeout').bitSet },
    ];
  },
});
