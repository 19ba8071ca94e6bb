// ISO 15118-3 SLAC as the charger's side of it is seen from the vehicle: it answers the parameter exchange
// in time and with our RunID, reports our sounds as an attenuation profile, confirms the match with a key
// our modem can join with, answers a repeated request, and, where several EVSEs hear us, only the one we
// chose confirms. Each test runs its own SLAC over the bench's PLC link; verdicts come from the frames.

import { BenchFault } from '../../drivers/core/errors.ts';
import { check, measure, requirement } from '../../reports/evidence.ts';
import { bound, EPIC, got, measureAnswer, ms, ours, runSlac, sent, slacLimits } from './slac-support.ts';
import { CCS2_TEST_IDS } from './test-ids.ts';

const A1 = 'ISO 15118-3:2015 Annex A';

describe('ISO 15118-3 SLAC matching (CCS2 port)', function () {
  it("answers CM_SLAC_PARM.REQ within TT_match_response, with the vehicle's RunID", async function () {
    requirement(CCS2_TEST_IDS.slacParm, { epic: EPIC, feature: 'SLAC parameter exchange', clause: `${A1}.3`, severity: 'blocker' });
    const run = await runSlac(this.bench, this);
    const [request] = sent(run, 'CM_SLAC_PARM.REQ');
    measureAnswer('CM_SLAC_PARM.CNF answers within TT_match_response', request, got(run, 'CM_SLAC_PARM.CNF'), 'CM_SLAC_PARM');
    const cnfs = got(run, 'CM_SLAC_PARM.CNF');
    const foreign = cnfs.filter((e) => !ours(run)(e));
    check("CM_SLAC_PARM.CNF carries the vehicle's RunID", foreign.length === 0, {
      violation: 'protocol',
      clause: `${A1}.3 (RunID)`,
      verified: false,
      expected: run.outcome.runId,
      actual: foreign.length ? foreign.map((e) => `${e.data.src}: ${String(e.data.fields.runId)}`).join(', ') : run.outcome.runId,
    });
  });

  it("reports the vehicle's sounds in CM_ATTEN_CHAR.IND within TT_EV_atten_results, at a plausible attenuation", async function () {
    requirement(CCS2_TEST_IDS.slacAtten, { epic: EPIC, feature: 'Attenuation characterisation', clause: `${A1}.4`, severity: 'critical' });
    const run = await runSlac(this.bench, this);
    if (run.outcome.parmAnswers.length === 0)
      throw new BenchFault('no EVSE answered CM_SLAC_PARM.REQ with our RunID: the sounding could not start');
    const [start] = sent(run, 'CM_START_ATTEN_CHAR.IND');
    if (!start) throw new BenchFault('the vehicle sent no CM_START_ATTEN_CHAR.IND');
    const [ind] = got(run, 'CM_ATTEN_CHAR.IND').filter(ours(run));
    const limit = bound('slac.TT_EV_atten_results');
    if (!ind) {
      check('CM_ATTEN_CHAR.IND within TT_EV_atten_results', false, {
        violation: 'protocol',
        clause: limit.clause,
        verified: limit.verified,
        expected: `within ${limit.hi} ms`,
        actual: 'none',
        stop: true,
      });
      return;
    }
    measure('CM_ATTEN_CHAR.IND within TT_EV_atten_results', ms(start.t, ind.t), limit, { violation: 'timing' });
    const chosen = run.outcome.chosen!;
    measure('average attenuation of the matched EVSE', chosen.averageAttenuationDb, slacLimits.get('slac.averageAttenuationDb'), {
      violation: 'protocol',
    });
  });

  it("confirms CM_SLAC_MATCH.REQ, and the vehicle's modem joins the charger's network with the key it gave", async function () {
    requirement(CCS2_TEST_IDS.slacMatch, { epic: EPIC, feature: 'Matching', clause: `${A1}.7`, severity: 'blocker' });
    const run = await runSlac(this.bench, this);
    const chosen = run.outcome.chosen;
    if (!chosen)
      throw new BenchFault(`the vehicle chose no EVSE (it stopped at '${run.outcome.stoppedAt}'): the match could not be requested`);
    const [request] = sent(run, 'CM_SLAC_MATCH.REQ');
    const answers = got(run, 'CM_SLAC_MATCH.CNF').filter((e) => e.data.src === chosen.mac && ours(run)(e));
    measureAnswer('CM_SLAC_MATCH.CNF answers within TT_match_response', request, answers, 'CM_SLAC_MATCH');
    const joinLimit = bound('slac.TT_match_join');
    const joined = this.bench.timeline
      .query({ kind: 'session', source: run.link.name, from: answers[0].t })
      .find((e) => e.data.event === 'slac-matched');
    if (!joined) {
      check("the vehicle's modem joins the charger's network within TT_match_join", false, {
        violation: 'protocol',
        clause: joinLimit.clause,
        verified: joinLimit.verified,
        expected: `joined within ${joinLimit.hi} ms`,
        actual: `not joined: the modem never reported the network ${run.outcome.match?.nid} of the NMK in CM_SLAC_MATCH.CNF`,
      });
      return;
    }
    measure("the vehicle's modem joins the charger's network within TT_match_join", ms(answers[0].t, joined.t), joinLimit, {
      violation: 'protocol',
    });
  });

  it('answers a repeated CM_SLAC_PARM.REQ (C_EV_match_retry) when the first answer was lost', async function () {
    requirement(CCS2_TEST_IDS.slacRetry, { epic: EPIC, feature: 'Retries', clause: `${A1}.3 (C_EV_match_retry)`, severity: 'normal' });
    const run = await runSlac(this.bench, this, { loseFirstParmAnswers: true });
    const requests = sent(run, 'CM_SLAC_PARM.REQ');
    const first = got(run, 'CM_SLAC_PARM.CNF')
      .filter(ours(run))
      .filter((e) => requests.length < 2 || e.t < requests[1].t);
    if (first.length === 0)
      throw new BenchFault('the first CM_SLAC_PARM.REQ got no answer with our RunID: there was no lost answer to repeat after');
    if (requests.length < 2) throw new BenchFault('the vehicle did not repeat CM_SLAC_PARM.REQ');
    const answers = got(run, 'CM_SLAC_PARM.CNF').filter((e) => ours(run)(e) && e.t >= requests[1].t);
    const limit = bound('slac.TT_match_response');
    check('a repeated CM_SLAC_PARM.REQ is answered', answers.length > 0 && ms(requests[1].t, answers[0].t) <= limit.hi!, {
      violation: 'protocol',
      clause: `${A1}.3 (C_EV_match_retry, TT_match_response)`,
      verified: false,
      expected: `an answer within ${limit.hi} ms`,
      actual: answers.length ? `${ms(requests[1].t, answers[0].t).toFixed(1)} ms` : 'no answer',
    });
  });

  it('where several EVSEs hear the vehicle, only the one it chose confirms the match', async function () {
    requirement(CCS2_TEST_IDS.slacMulti, {
      epic: EPIC,
      feature: 'Several EVSEs',
      clause: `${A1}.6 (lowest attenuation)`,
      severity: 'critical',
    });
    const run = await runSlac(this.bench, this);
    const heard = run.outcome.parmAnswers;
    if (heard.length === 0) throw new BenchFault('no EVSE answered CM_SLAC_PARM.REQ with our RunID');
    if (heard.length === 1) this.skip(); // one EVSE on this bench's line: nothing to tell apart
    const chosen = run.outcome.chosen;
    if (!chosen || sent(run, 'CM_SLAC_MATCH.REQ').length === 0)
      throw new BenchFault(`the vehicle requested no match (it stopped at '${run.outcome.stoppedAt}')`);
    const others = got(run, 'CM_SLAC_MATCH.CNF').filter((e) => e.data.src !== chosen.mac);
    check('only the chosen EVSE answers CM_SLAC_MATCH.REQ', others.length === 0, {
      violation: 'protocol',
      clause: `${A1}.7 (CM_SLAC_MATCH.REQ names its EVSE)`,
      verified: false,
      expected: `CNF from ${chosen.mac} only`,
      actual: others.length ? `also from ${[...new Set(others.map((e) => e.data.src))].join(', ')}` : `from ${chosen.mac} only`,
    });
  });
});
