// The charger's own Ongoing limits (ISO 15118-20): a charger that keeps the vehicle waiting — EIM authorization
// withheld (nobody presents the ID), no schedule yet — answers EVSEProcessing=Ongoing, but not for ever: after its
// own limit it answers FAILED and ends the session. The vehicle keeps polling at its EVCC_Processing_Poll pause;
// the verdict is read from the wire: how long the charger went on answering Ongoing, against
// secc.ongoing.* in fixtures/limits/iso15118-20.yaml, with the vehicle's latency as uncertainty.
// Needs the bench's means to withhold (chargerControl); a minute to three of bench time, so on a real-time
// bench only with clock.longSessions. Faults: authorization-ongoing-forever, schedule-ongoing-forever.

import { attachText, check, measure } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import type { Limit } from '../../drivers/core/limits.ts';
import { chargerControlOf, type ChargerControl } from '../../drivers/core/charger-control.ts';
import type { EvccSession, Exchange } from '../../drivers/iso15118/evcc/session.ts';
import { scheduleExchangeBody } from '../../drivers/iso15118/evcc/request-builders.ts';
import { V2G_REQUIREMENTS as R } from './requirements.ts';
import { fmt, precondition } from '../support/power-trace.ts';
import {
  SEQ_CLAUSE,
  allowClockTime,
  describeOutcome,
  sessionWork,
  v2gLimits as L,
  vehicleOf,
  vehicleUncertainty,
} from './handshake-support.ts';
import { v2gFixture } from './session-fixture.ts';

/** The bench's means to keep a step Ongoing (chargerControl), the charger's limit for it, and what holding it means. */
const HOLDS = {
  withholdAuthorization: { limit: 'secc.ongoing.EIM_Authorization', what: 'Keeping EIM authorization Ongoing' },
  delaySchedule: { limit: 'secc.ongoing.ScheduleExchange', what: 'Keeping ScheduleExchange Ongoing' },
} as const;
type Hold = keyof typeof HOLDS;

/**
 * How many poll pauses past the limit the vehicle keeps asking: enough to see a charger that never gives up. Not a
 * judged number: any Ongoing answer past the limit already fails the check; this only ends the vehicle's patience.
 */
const WATCH_POLLS_PAST_LIMIT = 20;

/** The bench's means to keep the vehicle waiting, or the test is skipped with the reason. */
function holdOrSkip(ctx: Mocha.Context, hold: Hold, what: string): (on: boolean) => unknown {
  const control = [...ctx.bench.resources.values()].map(chargerControlOf).find((c): c is ChargerControl => c?.[hold] !== undefined);
  if (control) return (on) => control[hold]!(on);
  attachText('skipped', `${what} needs the bench to keep the charger from finishing it (chargerControl.${hold}); this bench has none.`);
  ctx.skip();
}

/**
 * What an Ongoing-limit test needs before its session: the limit, the bench's means to hold the step (else the
 * test is skipped), bench time it can afford, and a mocha timeout that covers it. `holding` runs the judgement
 * with the step held and lets it go afterwards, whatever the verdict.
 */
function prepareHold(ctx: Mocha.Context, hold: Hold) {
  const limit = L.get(HOLDS[hold].limit);
  const set = holdOrSkip(ctx, hold, HOLDS[hold].what);
  requireAffordable(ctx, limit.hi!);
  allowClockTime(ctx, limit.hi! * 1.2);
  const holding = async (judge: () => Promise<void>): Promise<void> => {
    await set(true);
    try {
      await judge();
    } finally {
      await set(false);
    }
  };
  return { limit, holding };
}

/** A minute or three of waiting is not applicable in real time unless the bench file asks for it (clock.longSessions). */
function requireAffordable(ctx: Mocha.Context, waitMs: number): void {
  const clock = ctx.bench.config.clock;
  if (clock.kind === 'virtual' || clock.longSessions) return;
  attachText(
    'skipped',
    `not applicable: ${Math.round(waitMs / 1000)} s of waiting is too long for a real-time bench; it runs on a virtual-time bench ` +
      `(benches/emulator-virtual.yaml), or here with clock.longSessions: true in ${ctx.bench.config.file}.`,
  );
  ctx.skip();
}

const ongoing = (ex: Exchange): boolean =>
  ex.outcome === 'response' &&
  ex.responseCode?.startsWith('OK') === true &&
  (ex.body?.EVSEProcessing === 'Ongoing' || ex.body?.EVSEProcessing === 'Ongoing_WaitingForCustomerInteraction');

/**
 * The vehicle repeats `message` at its poll pause while the charger answers Ongoing, until the charger answers
 * otherwise or `watchMs` passed; then the verdict: Ongoing no longer than the limit, and ended with FAILED.
 */
async function judgeOngoingLimit(
  ctx: Mocha.Context,
  s: EvccSession,
  limit: Limit,
  message: string,
  content: () => Record<string, unknown>,
): Promise<void> {
  const vehicle = vehicleOf(ctx.bench);
  const clock = ctx.bench.clock;
  const pollMs = vehicle.timers.EVCC_Processing_Poll;
  const watchMs = limit.hi! + WATCH_POLLS_PAST_LIMIT * pollMs;
  const answers: Exchange[] = [];
  for (;;) {
    const ex = await s.exchange(message, content());
    answers.push(ex);
    if (!ongoing(ex) || (ex.sentAtNs - answers[0].sentAtNs) / 1e6 >= watchMs) break;
    await clock.sleep(pollMs);
  }
  const held = answers.filter(ongoing);
  const last = answers.at(-1)!;
  precondition(`the charger answered ${message}Req with EVSEProcessing=Ongoing`, held.length > 0, describeOutcome(answers[0]));
  // A charger that finished the step was let go by the bench (an operator presented the ID): nothing to judge.
  const finished = last.outcome === 'response' && last.responseCode?.startsWith('OK') === true && !ongoing(last);
  precondition(`the bench kept ${message} waiting`, !finished, `${describeOutcome(last)}, EVSEProcessing=${last.body?.EVSEProcessing}`);
  const firstNs = answers[0].sentAtNs;
  const lastHeldNs = held.at(-1)!.sentAtNs;
  const stillOngoing = ongoing(last);
  const note = stillOngoing
    ? `still Ongoing ${fmt(watchMs / 1000, 1)} s after the first ${message}Req, when the vehicle stopped`
    : undefined;
  const uncertainty = vehicleUncertainty(vehicle, firstNs, clock.now());
  measure(`${message} answered Ongoing for`, (lastHeldNs - firstNs) / 1e6, limit, { violation: 'timing', unit: 'ms', uncertainty, note });
  if (stillOngoing) return;
  // [V2G20] the SECC ends the loop it gave up on with a FAILED response code (then stops the session).
  check(`${message}Res after the Ongoing limit`, last.outcome === 'response' && last.responseCode === 'FAILED', {
    violation: 'protocol',
    clause: limit.clause,
    verified: limit.verified,
    expected: `${message}Res FAILED`,
    actual: describeOutcome(last),
  });
}

describe('ISO 15118-20 Ongoing limits (MCS charger)', function () {
  const v2g = v2gFixture();

  it('answers EIM Authorization FAILED once its Ongoing limit has passed', async function () {
    requirement(R.authorization);
    const { limit, holding } = prepareHold(this, 'withholdAuthorization');
    const s = await v2g.setUp();
    await sessionWork('AuthorizationSetup', SEQ_CLAUSE, () => s.authorizationSetup());
    // The vehicle waits for the customer past its own V2G_EVCC_Ongoing_Timeout: the charger's limit is what is judged.
    s.breaksOnPurpose('the vehicle polls Authorization until the charger gives up (FAILED ends the session)');
    const eim = () => ({ SelectedAuthorizationService: 'EIM', EIM_AReqAuthorizationMode: {} });
    await holding(() => judgeOngoingLimit(this, s, limit, 'Authorization', eim));
  });

  it('answers ScheduleExchange FAILED once its Ongoing limit has passed', async function () {
    requirement(R.scheduleExchange);
    const { limit, holding } = prepareHold(this, 'delaySchedule');
    const s = await v2g.open();
    await sessionWork('session up to ChargeParameterDiscovery', SEQ_CLAUSE, () => s.runUntil('DC_ChargeParameterDiscovery'));
    s.breaksOnPurpose('the vehicle polls ScheduleExchange until the charger gives up (FAILED ends the session)');
    const limits = v2g.vehicle().model.limits;
    await holding(() => judgeOngoingLimit(this, s, limit, 'ScheduleExchange', () => scheduleExchangeBody(limits, s.selected?.controlMode)));
  });
});
