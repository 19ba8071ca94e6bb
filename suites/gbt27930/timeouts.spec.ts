// GB/T 27930-2015 timeouts the charger must honour: the vehicle stops sending one message and the charger
// must report it (CEM, with the right bit) and stop, within the standard's timeout plus our allowance. The
// harness's own latency is each timing step's uncertainty, never part of the limit. These tests break the
// session on purpose: the next test pays the wait until the charger is idle again.

import { check } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { RECOGNISED, NOT_RECOGNISED, type GbtCode } from '../../drivers/gbt27930/messages.ts';
import type { TimeoutName } from '../../drivers/gbt27930/timing.ts';
import type { Bench } from '../../benches/bench.ts';
import type { GbtBmsResource } from '../../benches/kinds/gbt27930-bms.ts';
import { GBT_REQUIREMENTS as R } from './requirements.ts';
import { gbtFixture, type GbtTest } from './fixture.ts';
import { awaitFirst, derivedLimit, first, gbtLimits, judgeStopRate, messages, msBetween, until, value, type GbtEvent } from './support.ts';
import { measureTiming } from './timing.ts';

const allowance = gbtLimits.get('reaction.timeoutAllowanceMs');

/** The first CEM of this session: at or after the event that started the charger's timer (an earlier one belongs to the previous session). */
function cemAfter(bench: Bench, bms: GbtBmsResource, after: number, fromNs: number): GbtEvent | undefined {
  return first(messages(bench, bms, after, 'rx', 'CEM'), (e) => e.t >= fromNs);
}

function cemBit(bench: Bench, bms: GbtBmsResource, after: number, fromNs: number, bit: string, clause: string): void {
  const cem = cemAfter(bench, bms, after, fromNs);
  check(`CEM reports the ${bit}`, value(cem, bit) === 1, {
    violation: 'protocol',
    clause,
    verified: false,
    expected: `${bit} = 01`,
    actual: cem ? cem.data.values : 'no CEM',
  });
}

/** CEM within the timeout of the missing message (+ allowance), measured from the event that starts the charger's timer. */
async function judgeCem(t: GbtTest, timer: TimeoutName, what: string, find: () => GbtEvent | undefined): Promise<number> {
  const { bench, bms, after } = t;
  const base = gbtLimits.get(`timeout.${timer}`);
  const timeoutMs = bms.timing.timeoutMs[timer];
  await until(bench, () => find() !== undefined, bms.timing.timeoutMs.CRM_00);
  const fromEvent = find();
  const fromNs = fromEvent?.t ?? bench.clock.now();
  await until(bench, () => cemAfter(bench, bms, after, fromNs) !== undefined, timeoutMs + allowance.hi! + 1000);
  const cem = cemAfter(bench, bms, after, fromNs);
  // Found again now: a multi-packet message still in transfer when the vehicle stopped is the last one the
  // charger received, and it is on the timeline only once its transfer completed.
  const lastFrom = find() ?? fromEvent;
  const limit = derivedLimit(base, { hi: timeoutMs + allowance.hi! }, allowance, `timeout ${timeoutMs} ms + ${allowance.hi} ms allowance`);
  measureTiming(t, `${what} → CEM`, msBetween(lastFrom?.t, cem?.t), limit, { violation: 'timing' });
  return fromNs;
}

/** Plug in with `codes` suppressed: the session cannot get past the step that needs them. */
function startWithout(bms: GbtBmsResource, codes: GbtCode[]): void {
  for (const c of codes) bms.session.stopSending(c);
  bms.session.plugIn();
}

/**
 * The vehicle never sends `code` (nor its own BEM, so that only the charger's reaction is judged): the
 * charger's CEM must come within its timeout of `from` (the event that starts its timer), with `bit` set.
 */
async function judgeMissing(
  t: GbtTest,
  code: GbtCode,
  from: { what: string; find: () => GbtEvent | undefined },
  bit: string,
  spn: string,
): Promise<void> {
  startWithout(t.bms, [code, 'BEM']);
  await missingReported(t, code as TimeoutName, from, bit, spn);
}

async function missingReported(
  t: GbtTest,
  timer: TimeoutName,
  from: { what: string; find: () => GbtEvent | undefined },
  bit: string,
  spn: string,
): Promise<void> {
  const fromNs = await judgeCem(t, timer, from.what, from.find);
  cemBit(t.bench, t.bms, t.after, fromNs, bit, `GB/T 27930-2015 CEM ${spn}`);
}

describe('GB/T 27930 timeouts the charger honours', function () {
  const gbt = gbtFixture();

  it('stops within 1 s when BCL stops arriving', async function () {
    requirement(R.bclTimeout);
    const t = await gbt.charging();
    const { bench, bms, after } = t;
    await bench.clock.sleep(gbtLimits.num('current.observeMs'));
    bms.session.stopSending('BCL');
    // This test's messages only (from its mark): a read from the run's start is a long synchronous stall of
    // the main thread, which the in-process hub and the emulated charger share.
    const lastBclTx = () => messages(bench, bms, after, 'tx', 'BCL').at(-1);
    const fromNs = lastBclTx()?.t ?? bench.clock.now();
    const limit = gbtLimits.get('reaction.bclLostToStopMs');
    const isStop = (e: GbtEvent) => (e.data.code === 'CST' || e.data.code === 'CEM') && e.t >= fromNs;
    await until(bench, () => messages(bench, bms, after, 'rx').some(isStop), limit.hi! + 1000);
    const stop = first(messages(bench, bms, after, 'rx'), isStop);
    // Found again now: the wire may report a BCL it sent just before the stop after stopSending() returned.
    const lastBcl = lastBclTx();
    measureTiming(t, 'last BCL → charger stop (CST/CEM)', msBetween(lastBcl?.t, stop?.t), limit, { violation: 'timing' });
    cemBit(bench, bms, after, fromNs, 'bclTimeout', 'GB/T 27930-2015 CEM SPN3925');
    const cst = first(messages(bench, bms, after, 'rx', 'CST'), (e) => e.t >= fromNs);
    await judgeStopRate(t, cst?.t ?? stop!.t, 'charger stop after BCL timeout');
  });

  it('reports a BCS timeout after 5 s', async function () {
    requirement(R.bcsTimeout);
    const t = await gbt.charging();
    const { bench, bms } = t;
    await bench.clock.sleep(gbtLimits.num('current.observeMs'));
    bms.session.stopSending('BCS');
    const lastBcs = () => messages(bench, bms, t.after, 'tx', 'BCS').at(-1);
    await missingReported(t, 'BCS', { what: 'last BCS', find: lastBcs }, 'bcsTimeout', 'SPN3924');
  });

  it('reports a BRM timeout after 5 s', async function () {
    requirement(R.brmTimeout);
    const t = gbt.test();
    const { bench, bms, after } = t;
    startWithout(bms, ['BRM', 'BEM']);
    const crm00 = () => first(messages(bench, bms, after, 'rx', 'CRM'), (e) => value(e, 'recognition') === NOT_RECOGNISED);
    // The charger's BRM timer starts with CRM(0x00): without it there is no timeout to judge, and waiting for a CRM(0x00)
    // that will not come (polling the bus for a minute) would only run out the test's time. The test ends at the failure.
    const firstCrm = await awaitFirst(t, 'rx', 'CRM', bms.timing.timeoutMs.CRM_00);
    check('the charger starts recognition with CRM(0x00)', !!crm00(), {
      violation: 'protocol',
      clause: 'GB/T 27930-2015 Fig. A.6 (recognition)',
      verified: false,
      expected: 'CRM(0x00)',
      actual: firstCrm ? `CRM(0x${Number(value(firstCrm, 'recognition')).toString(16).toUpperCase()})` : 'no CRM',
      stop: true,
    });
    await missingReported(t, 'BRM', { what: 'CRM(0x00)', find: crm00 }, 'brmTimeout', 'SPN3921');
  });

  it('reports a BCP timeout after 5 s', async function () {
    requirement(R.bcpTimeout);
    const t = gbt.test();
    const crmAa = () => first(messages(t.bench, t.bms, t.after, 'rx', 'CRM'), (e) => value(e, 'recognition') === RECOGNISED);
    await judgeMissing(t, 'BCP', { what: 'CRM(0xAA)', find: crmAa }, 'bcpTimeout', 'SPN3922');
  });

  it('reports a BRO timeout after 5 s', async function () {
    requirement(R.broTimeout);
    const t = gbt.test();
    // The charger's BRO timer starts with its answer to BCP (CTS/CML).
    const answer = () => first(messages(t.bench, t.bms, t.after, 'rx'), (e) => e.data.code === 'CML' || e.data.code === 'CTS');
    await judgeMissing(t, 'BRO', { what: 'first CTS/CML', find: answer }, 'broTimeout', 'SPN3923');
  });
});
