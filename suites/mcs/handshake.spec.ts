// ISO 15118-20 handshake of an MCS charger, judged from the vehicle side: the good-case DC/MCS sequence,
// the charger's response times (Table 217, with the vehicle's own latency as their uncertainty), the MCS
// service and its parameter sets, Dynamic control, and ratings that need RationalNumber exponents. Error
// handling is in handshake-errors.spec.ts, TLS and SDP in handshake-transport.spec.ts, the session timers
// in session-timing.spec.ts. Every verdict is a measure()/check() against fixtures/limits/iso15118-20.yaml;
// every test has an emulator fault switch that makes it fail (emulator/mcs/faults.ts).

import { check, measure } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { V2G_REQUIREMENTS as R } from './requirements.ts';
import {
  McsParameter,
  SEQUENCE,
  ServiceId,
  fromRational,
  mcsParameterSetProblems,
  parameterMap,
  type ParameterSet,
} from '../../drivers/iso15118/evcc/messages.ts';
import type { EvccSession } from '../../drivers/iso15118/evcc/session.ts';
import { performanceLimitName } from '../../drivers/iso15118/evcc/timers.ts';
import { precondition } from '../support/power-trace.ts';
import {
  SEQ_CLAUSE,
  chargeThrough,
  sessionWork,
  v2gLimits as L,
  v2gMessages,
  vehicleUncertainty,
  type V2gEvent,
} from './handshake-support.ts';
import { v2gFixture } from './session-fixture.ts';

const OK_CODES: Record<string, string[]> = {
  // The vehicle offers -20 DC 1.0 exactly: WithMinorDeviation is only for an offer whose minor version differs.
  supportedAppProtocolRes: ['OK_SuccessfulNegotiation'],
  SessionSetupRes: ['OK_NewSessionEstablished'],
};

describe('ISO 15118-20 handshake (MCS charger)', function () {
  const v2g = v2gFixture();

  it('runs the whole DC/MCS sequence with OK answers, each request answered by its response', async function () {
    requirement(R.goodCase);
    const { bench } = this;
    const { vehicle, mark } = await chargeThrough(bench, 5);
    const msgs = v2gMessages(bench, vehicle, mark);
    // The vehicle only goes on when each request got its own response type (else the session step above
    // is the verdict), so a complete, paired sequence is the precondition of judging the response codes.
    const pairs = new Map<string, V2gEvent | undefined>();
    msgs.forEach((m, i) => m.data.dir === 'tx' && !pairs.has(m.data.message!) && pairs.set(m.data.message!, msgs[i + 1]));
    const unpaired = [...pairs].filter(([req, res]) => res?.data.dir !== 'rx' || res.data.message !== req.replace(/Req$/, 'Res'));
    const expectedOrder = SEQUENCE.map((m) => `${m}Req`);
    const seen = [...pairs.keys()];
    const whole = JSON.stringify(seen) === JSON.stringify(expectedOrder) && unpaired.length === 0;
    precondition('every request of the DC sequence exchanged in order, each answered by its response', whole, seen.join(' → '));
    for (const [req, res] of pairs) {
      const expected = req.replace(/Req$/, 'Res');
      const code = res?.data.doc?.[expected]?.ResponseCode;
      const ok = OK_CODES[expected] ?? ['OK'];
      const clause = 'ISO 15118-20:2022 responseCodeType (Table of response codes per message)';
      const detail = { violation: 'protocol' as const, clause, verified: false, expected: ok.join(' | '), actual: code };
      check(`${expected} ResponseCode`, ok.includes(code), detail);
    }
  });

  it('answers every request within the SECC performance time', async function () {
    requirement(R.performanceTime);
    const { bench } = this;
    const { vehicle, mark, markNs } = await chargeThrough(bench, 10);
    const worst = new Map<string, number>();
    for (const e of v2gMessages(bench, vehicle, mark)) {
      if (e.data.dir !== 'rx' || e.data.responseMs === undefined) continue;
      const msg = e.data.message!.replace(/Res$/, '');
      worst.set(msg, Math.max(worst.get(msg) ?? 0, e.data.responseMs));
    }
    // Every message type answered and timed is what the session above guarantees; without it nothing can be judged.
    const timed = `${worst.size} of ${SEQUENCE.length}`;
    precondition('every message type of the DC sequence answered and timed', worst.size >= SEQUENCE.length, timed);
    // The vehicle's own latency in this window is the uncertainty of each response time (never a wider limit).
    const uncertainty = vehicleUncertainty(vehicle, markNs, bench.clock.now());
    for (const m of SEQUENCE) {
      const limit = L.get(performanceLimitName(L, m));
      measure(`${m}Res response time (worst)`, worst.get(m) ?? Number.POSITIVE_INFINITY, limit, { violation: 'timing', uncertainty });
    }
  });

  it('offers the MCS energy service (8) and accepts its selection', async function () {
    requirement(R.mcsService);
    const s = await v2g.open({ services: [ServiceId.MCS] });
    await sessionWork('session up to service discovery', SEQ_CLAUSE, () => s.runUntil('ServiceDiscovery'));
    check('ServiceDiscoveryRes offers MCS (8)', s.offeredServices.includes(ServiceId.MCS), {
      violation: 'protocol',
      clause: 'MCS service ID 8',
      verified: false,
      expected: 'EnergyTransferServiceList contains 8',
      actual: s.offeredServices.join(', '),
    });
    await sessionWork('MCS service detail and selection', SEQ_CLAUSE, async () => {
      await s.serviceDetail(ServiceId.MCS);
      await s.serviceSelection();
    });
    // The vehicle offered only MCS and ServiceSelectionRes was OK (else the step above is the verdict).
    precondition('MCS (8) selected', s.selected?.serviceId === ServiceId.MCS, `service ${s.selected?.serviceId}`);
  });

  it('describes MCS with complete, valid parameter sets (Connector, ControlMode, MobilityNeedsMode, Pricing)', async function () {
    requirement(R.mcsParameterSets);
    const s = await v2g.open({ services: [ServiceId.MCS, ServiceId.MCS_BPT] });
    await sessionWork('session up to service discovery', SEQ_CLAUSE, () => s.runUntil('ServiceDiscovery'));
    // Whether MCS is offered at all is the previous test's verdict; here only its description is judged, and a
    // charger that offers none leaves nothing to judge (broken, not skipped: the check would go unseen).
    const ids = [ServiceId.MCS, ServiceId.MCS_BPT].filter((id) => s.offeredServices.includes(id));
    precondition('ServiceDiscoveryRes offers MCS (8 or 9) to describe', ids.length > 0, `offered: ${s.offeredServices.join(', ')}`);
    for (const id of ids) {
      const [ex] = await sessionWork(`ServiceDetail(${id})`, SEQ_CLAUSE, () => s.serviceDetail(id));
      const sets: ParameterSet[] = ex.body?.ServiceParameterList?.ParameterSet ?? [];
      const problems = sets.flatMap((set) => mcsParameterSetProblems(set, id));
      check(`service ${id} parameter sets well-formed`, sets.length > 0 && problems.length === 0, {
        violation: 'protocol',
        clause: 'MCS parameter sets (reference §1.4)',
        verified: false,
        expected: 'every set has Connector, ControlMode, MobilityNeedsMode, Pricing with allowed values',
        actual: problems.length ? problems.join('; ') : `${sets.length} sets`,
      });
      const modes = new Set(sets.map((x) => parameterMap(x).ControlMode));
      check(`service ${id} offers a Scheduled parameter set`, modes.has(McsParameter.ControlMode.Scheduled), {
        violation: 'protocol',
        clause: 'ControlMode 1 = Scheduled',
        verified: false,
        expected: 'ControlMode 1 present',
        actual: [...modes].join(', '),
      });
    }
  });

  it('charges in Dynamic control mode (MCS ControlMode 2)', async function () {
    requirement(R.dynamicMode);
    const { bench } = this;
    const clause = 'ISO 15118-20:2022 Dynamic control mode';
    const { vehicle, mark } = await chargeThrough(bench, 5, { what: 'Dynamic charging session', clause, controlMode: 'Dynamic' });
    const loopRes = v2gMessages(bench, vehicle, mark).filter((e) => e.data.message === 'DC_ChargeLoopRes');
    const dyn = loopRes.filter((e) => e.data.doc?.DC_ChargeLoopRes?.Dynamic_DC_CLResControlMode);
    check('DC_ChargeLoopRes in Dynamic control mode', loopRes.length > 0 && dyn.length === loopRes.length, {
      violation: 'protocol',
      clause: 'Dynamic_DC_CLResControlMode',
      verified: false,
      expected: 'every DC_ChargeLoopRes carries Dynamic_DC_CLResControlMode',
      actual: `${dyn.length} of ${loopRes.length}`,
    });
  });

  it('advertises its ratings (up to 1250 V, 3000 A, 3.75 MW) as RationalNumbers with the exponents they need', async function () {
    requirement(R.rationalLimits);
    const { bench } = this;
    const s = await v2g.open();
    await sessionWork('session up to charge parameter discovery', SEQ_CLAUSE, () => s.runUntil('DC_ChargeParameterDiscovery'));
    const r = bench.config.charger.ratings;
    const tol = L.get('secc.ratingRationalRelTol');
    for (const [name, rated] of [
      ['EVSEMaximumChargePower', r.maxPowerW],
      ['EVSEMaximumChargeCurrent', r.maxCurrentA],
      ['EVSEMaximumVoltage', r.maxVoltageV],
    ] as const) {
      const advertised = s.evseLimits[name];
      measure(`${name} vs rating ${rated}`, Math.abs(advertised - rated) / rated, tol, {
        violation: 'protocol',
        note: `advertised ${advertised} (${fromRationalText(s, name)})`,
      });
    }
  });
});

function fromRationalText(s: EvccSession, name: string): string {
  const ex = s.exchanges.find((e) => e.message === 'DC_ChargeParameterDiscovery');
  const r = ex?.body?.DC_CPDResEnergyTransferMode?.[name] ?? ex?.body?.BPT_DC_CPDResEnergyTransferMode?.[name];
  return r ? `Value ${r.Value}, Exponent ${r.Exponent} = ${fromRational(r)}` : 'absent';
}
