// DIN SPEC 70121 and ISO 15118-2 DC on the truck's CCS2 port, judged from the wire and the battery emulator:
// the charger answers every request of the flow with the right ResponseCode, refuses a request out of order,
// answers CurrentDemand within its performance time, has measured the isolation before precharge, precharges
// gently to the vehicle's target, reports the current that flows, and stops the current when asked. Each test
// runs its own session; a step that did not happen makes the test broken (BenchFault), never passed.

import { BenchFault } from '../../drivers/core/errors.ts';
import { powerDeliveryBody } from '../../drivers/iso15118/ccs/requests.ts';
import { attachJson, check, measure, requirement } from '../../reports/evidence.ts';
import { fmt, precondition, requireSamples } from '../support/power-trace.ts';
import { extremes, meanOver, stopTimeBudgetS, timeToFallBelow } from '../support/trace-analysis.ts';
import type { CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import * as h from './handshake-support.ts';
import { HANDSHAKE_IDS as ID } from './handshake-ids.ts';
import { attachTlsKeylogsAfterEach, CHAIN_CLAUSE, judgeIso2TlsChain, judgeIso2TlsSuite, TLS_CLAUSE } from './tls-check.ts';

/** Long enough for the current to ramp and settle on the emulator, short for the self-validation's runs. */
const CHARGE_MS = 3000;
/** The steady request of the tests that judge a flowing current (a step the charger settles on well within CHARGE_MS). */
const STEADY_A = 30;
const IEC = 'IEC 61851-23:2023';

const EXPECTED_CODE: Record<string, string> = {
  supportedAppProtocolRes: 'OK_SuccessfulNegotiation',
  SessionSetupRes: 'OK_NewSessionEstablished',
};

async function judgeHandshake(ctx: Mocha.Context, protocol: CcsProtocol): Promise<void> {
  const { bench } = ctx;
  h.requireDeclared(bench, ctx, protocol);
  const run = await h.chargeRun(bench, h.ccsVehicleOf(bench, ctx), protocol, 1000);
  const responses = run.messages.filter((m) => m.dir === 'rx');
  precondition('the charger answered supportedAppProtocolReq', responses.length > 0, `${responses.length} responses`);
  let allOk = true;
  for (const root of [...new Set(responses.map((m) => m.message))]) {
    const want = EXPECTED_CODE[root] ?? 'OK';
    const of = responses.filter((m) => m.message === root);
    const odd = of.find((m) => m.body.ResponseCode !== want) ?? of[0];
    allOk &&= odd.body.ResponseCode === want;
    check(`${root} ResponseCode`, odd.body.ResponseCode === want, {
      violation: 'protocol',
      clause: h.CLAUSE[protocol].responseCode,
      verified: false,
      expected: want,
      actual: odd.body.ResponseCode,
    });
  }
  // The codes judged so far are all right: then the session must also have run through (else nothing to judge).
  if (allOk) {
    h.requireReached(run, 'CurrentDemandRes');
    h.requireReached(run, 'SessionStopRes');
  }
}

describe('DIN SPEC 70121 / ISO 15118-2 DC handshake (CCS2 port)', function () {
  attachTlsKeylogsAfterEach();

  it('DIN 70121: answers each request of the DC flow with OK, a new session with OK_NewSessionEstablished', async function () {
    requirement(ID.dinHandshake, { epic: h.EPIC, feature: 'DIN 70121 message flow', clause: h.CLAUSE.din.flow, severity: 'blocker' });
    await judgeHandshake(this, 'din');
  });

  it('ISO 15118-2: answers each request of the DC flow with OK, a new session with OK_NewSessionEstablished', async function () {
    requirement(ID.iso2Handshake, { epic: h.EPIC, feature: 'ISO 15118-2 message flow', clause: h.CLAUSE.iso2.flow, severity: 'blocker' });
    await judgeHandshake(this, 'iso2');
  });

  it('ISO 15118-2: negotiates TLS 1.2 with a -2 cipher suite when it answers SDP with TLS', async function () {
    requirement(ID.iso2Tls, { epic: h.EPIC, feature: 'ISO 15118-2 TLS', clause: TLS_CLAUSE, severity: 'critical' });
    await judgeIso2TlsSuite(this);
  });

  it('ISO 15118-2: presents a TLS certificate chain that leads to the V2G root', async function () {
    requirement(ID.iso2TlsChain, { epic: h.EPIC, feature: 'ISO 15118-2 TLS', clause: CHAIN_CLAUSE, severity: 'critical' });
    await judgeIso2TlsChain(this);
  });

  it('answers a request out of sequence (PowerDelivery right after SessionSetup) with FAILED_SequenceError', async function () {
    const { bench } = this;
    const protocol = h.anyDeclared(bench, this);
    requirement(ID.sequenceError, { epic: h.EPIC, feature: 'Sequence errors', clause: h.CLAUSE[protocol].sequence, severity: 'critical' });
    const session = await h.ccsVehicleOf(bench, this).openSession({ protocols: [protocol] });
    try {
      await session.runUntil('SessionSetup');
    } catch (e) {
      await session.end('set-up failed');
      throw new BenchFault(`the session could not be set up to send a request out of order: ${(e as Error).message}`);
    }
    session.breaksOnPurpose('PowerDeliveryReq out of order');
    const ex = await session.exchange('PowerDelivery', powerDeliveryBody(protocol, true, { ready: true, soc: 50 }));
    await session.end('sequence error test');
    check('PowerDeliveryReq out of order', ex.responseCode === 'FAILED_SequenceError', {
      violation: 'protocol',
      clause: h.CLAUSE[protocol].sequence,
      verified: false,
      expected: 'PowerDeliveryRes FAILED_SequenceError',
      actual: ex.outcome === 'response' ? `${ex.responseRoot} ${ex.responseCode}` : `${ex.outcome} (${ex.detail})`,
    });
  });

  it('answers CurrentDemandReq within the SECC performance time (and records every response time)', async function () {
    const clause = 'ISO 15118-2:2014 Table 109; DIN SPEC 70121:2014 Table 75';
    const { bench, limits, run } = await h.judgedSession(this, ID.performance, { feature: 'Performance times', clause }, CHARGE_MS);
    const loops = h.requireReached(run, 'CurrentDemandRes', 5);
    const byMessage: Record<string, number[]> = {};
    for (const m of run.messages) if (m.dir === 'rx' && m.responseMs !== undefined) (byMessage[m.message] ??= []).push(m.responseMs);
    attachJson('response times (ms) per message', byMessage);
    const limit = limits.get('secc.performanceTime.CurrentDemand');
    const worst = Math.max(...loops.map((m) => m.responseMs ?? Number.POSITIVE_INFINITY));
    // The vehicle's own latency in this window is the uncertainty of the response time (never a wider limit).
    measure('CurrentDemandRes response time (worst)', worst, limit, {
      violation: 'timing',
      uncertainty: h.vehicleUncertainty(run, bench.clock.now()),
    });
  });

  it('reports a valid isolation (EVSEIsolationStatus) when its cable check ends, before precharge', async function () {
    const meta = { feature: 'Cable check', clause: `${IEC} CC.4.1; ISO 15118-2:2014 [V2G2-699]`, severity: 'critical' } as const;
    const { run } = await h.judgedSession(this, ID.cableCheck, meta, 500);
    const [preCharge] = h.requireReached(run, 'PreChargeReq');
    const last = h.lastBefore(run, 'CableCheckRes', preCharge.t);
    precondition(
      'a CableCheckRes answered Finished before the first PreChargeReq',
      last?.body.EVSEProcessing === 'Finished',
      String(last?.body.EVSEProcessing),
    );
    const status = last!.body.DC_EVSEStatus?.EVSEIsolationStatus;
    check('EVSEIsolationStatus before precharge', status === 'Valid' || status === 'Warning', {
      violation: 'safety',
      clause: `${IEC} CC.4.1 (isolation measured before precharge)`,
      verified: false,
      expected: 'Valid (or Warning)',
      actual: String(status),
    });
  });

  it("precharges with at most the precharge current and brings its output to the vehicle's target voltage", async function () {
    const meta = { feature: 'Precharge', clause: `${IEC} CC.5.1 / CC.6.1`, severity: 'critical' } as const;
    const { bench, limits, run } = await h.judgedSession(this, ID.precharge, meta, 500);
    const [first] = h.requireReached(run, 'PreChargeReq');
    const start = h.firstAfter(run, 'PowerDeliveryReq', first.t);
    precondition('the vehicle ended precharge with PowerDeliveryReq(Start)', !!start, start ? 'sent' : 'not sent');
    const lastReq = h.lastBefore(run, 'PreChargeReq', start!.t)!;
    const lastRes = h.firstAfter(run, 'PreChargeRes', lastReq.t);
    precondition('the charger answered the last PreChargeReq', !!lastRes, lastRes ? 'answered' : 'no answer');
    const tr = h.traceOf(bench, run, limits, 'precharge');
    const fromS = first.t / 1e9;
    const resS = lastRes!.t / 1e9;
    requireSamples(tr, fromS, resS, 'the precharge');
    const e = extremes(tr.current(), fromS, start!.t / 1e9);
    measure('precharge current (max)', Math.max(Math.abs(e.max), Math.abs(e.min)), limits.get('precharge.maxCurrentA'), {
      violation: 'safety',
      unit: 'A',
    });
    const targetV = h.physical(lastReq.body.EVTargetVoltage);
    const measuredV = meanOver(tr.voltage(), resS - 0.05, resS);
    const band = limits.get('evcc.preChargeMatchV');
    measure('precharge voltage reached', Math.abs(measuredV - targetV), band, {
      violation: 'protocol',
      unit: 'V',
      note: `measured ${fmt(measuredV, 1)} V at the last PreChargeRes, target ${fmt(targetV, 1)} V (|difference|)`,
    });
    await tr.attachEvidence();
  });

  it('reports in CurrentDemandRes the current the battery emulator measures', async function () {
    const meta = { feature: 'CurrentDemand loop', clause: `${IEC} 101.2.1.2.1; ISO 15118-2 EVSEPresentCurrent` };
    const { bench, limits, run } = await h.judgedSession(this, ID.currentDemand, meta, CHARGE_MS, STEADY_A);
    const loops = h.requireReached(run, 'CurrentDemandRes', 5);
    const tr = h.traceOf(bench, run, limits, 'CurrentDemand');
    const stopA = limits.num('stop.currentA');
    // Judge the responses while a steady current flows: the measured current held still over the time before each (a
    // ringing current can read alike at two moments, and a reading in it differs from a 50 ms mean by the ringing).
    const judged = loops
      .map((m) => {
        const tS = m.t / 1e9;
        const measuredA = meanOver(tr.current(), tS - 0.05, tS);
        const tolA = Math.max(limits.num('present.toleranceA'), (limits.num('present.tolerancePct') / 100) * Math.abs(measuredA));
        return { tS, reportedA: h.physical(m.body.EVSEPresentCurrent), measuredA, tolA, steady: h.heldSteady(tr.current(), tS, tolA / 2) };
      })
      .filter((j) => j.steady && j.measuredA > stopA);
    precondition(
      `a steady current above ${stopA} A flowed during at least 3 CurrentDemandRes`,
      judged.length >= 3,
      `${judged.length} of ${loops.length}`,
    );
    const worst = judged.reduce((a, b) =>
      Math.abs(b.reportedA - b.measuredA) - b.tolA > Math.abs(a.reportedA - a.measuredA) - a.tolA ? b : a,
    );
    const l = limits.get('present.toleranceA');
    measure(
      'EVSEPresentCurrent vs battery emulator',
      Math.abs(worst.reportedA - worst.measuredA),
      h.bounded(l, worst.tolA, 'present.toleranceA or present.tolerancePct of the measured current'),
      {
        violation: 'current-control',
        unit: 'A',
        note:
          `reported ${fmt(worst.reportedA, 1)} A, measured ${fmt(worst.measuredA, 1)} A at ${fmt(worst.tS, 3)} s` +
          ` (worst of ${judged.length})`,
      },
    );
    await tr.attachEvidence();
  });

  it('brings the current below the stop current in time after PowerDeliveryReq (stop)', async function () {
    const meta = { feature: 'Stop', clause: `${IEC} 101.2.1.4`, severity: 'critical' } as const;
    const { bench, limits, run } = await h.judgedSession(this, ID.stop, meta, CHARGE_MS, STEADY_A);
    precondition('the vehicle sent PowerDeliveryReq (stop)', run.stopNs !== undefined, run.flowError?.message ?? 'not sent');
    const stopS = run.stopNs! / 1e9;
    let tr = h.traceOf(bench, run, limits, 'stop');
    const i0 = meanOver(tr.current(), stopS - 0.3, stopS - 0.05);
    const stopA = limits.get('stop.currentA');
    precondition('current was flowing when the vehicle asked to stop', i0 > (stopA.value as number), `${fmt(i0, 1)} A`);
    const budgetS = stopTimeBudgetS(i0, { minS: limits.num('stop.minTimeS'), rateAps: limits.get('stop.minRateAps').lo as number });
    await h.sampleUntil(bench, run.stopNs! + (budgetS + 0.2) * 1e9);
    tr = h.traceOf(bench, run, limits, 'stop');
    requireSamples(tr, stopS, stopS + budgetS, "the stop's time budget");
    const t = timeToFallBelow(tr.current(), stopS, stopA.value as number);
    measure(
      'current after PowerDelivery stop',
      t ?? Number.POSITIVE_INFINITY,
      h.bounded(stopA, budgetS, `max(stop.minTimeS, I₀ / stop.minRateAps), I₀ = ${fmt(i0, 1)} A`),
      {
        violation: 'safety',
        unit: 's',
        note: t === undefined ? 'the current never fell below the stop current' : `time to < ${stopA.value} A from ${fmt(i0, 0)} A`,
      },
    );
    await tr.attachEvidence();
  });
});
