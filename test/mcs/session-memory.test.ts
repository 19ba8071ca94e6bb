// The EVCC and the emulated SECC against each other in one process (in-memory link, virtual clock):
// the whole DC/MCS sequence, the charge loop API the ramp suites use, step-by-step misbehaviour and the
// charger's answers to it.

import { expect } from 'chai';
import { encodeRawV2gtp, PayloadType } from '../../drivers/iso15118/v2gtp.ts';
import { NAMESPACE_DIN, ServiceId, SEQUENCE } from '../../drivers/iso15118/evcc/messages.ts';
import { V2gSessionError } from '../../drivers/iso15118/evcc/session.ts';
import { Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { memoryRig, messageFlow, sessionSetUp, prematureStart } from './helpers.ts';
import { openPerTest } from '../support/per-test.ts';

describe('MCS session in-process (EVCC ↔ emulated SECC)', function () {
  const open = openPerTest(memoryRig);

  it('runs the whole Scheduled sequence and stops the standard way', async function () {
    const rig = await open();
    const mark = rig.timeline.mark();
    const session = await rig.vehicle.startCharging();
    await rig.clock.sleep(1000);
    const step = session.requestCurrent(120);
    await rig.clock.sleep(1000);
    expect(step.atNs).to.be.a('number');
    expect(session.loops.length).to.be.greaterThan(10);
    const last = session.loops[session.loops.length - 1];
    expect(last.targetA).to.equal(120);
    expect(last.presentA).to.equal(120);
    expect(last.responseMs).to.be.at.least(0);
    session.useProfileRequests();
    await rig.clock.sleep(300);
    expect(session.loops[session.loops.length - 1].targetA).to.equal(500);
    await session.stop();
    expect(session.running).to.equal(false);
    await rig.charger.settled(); // after SessionStopRes the charger waits for the vehicle's close ([V2G20-1633])
    const flow = messageFlow(rig.timeline.query({ afterSeq: mark }));
    const requests = [...new Set(flow.filter((f) => f.startsWith('→')).map((f) => f.slice(1, -3)))];
    expect(requests).to.deep.equal(
      SEQUENCE.filter((m) => m !== 'ServiceDetail').reduce<string[]>(
        (acc, m) => (m === 'ServiceSelection' ? [...acc, 'ServiceDetail', m] : [...acc, m]),
        [],
      ),
    );
    // every request answered by its response
    for (let i = 0; i < flow.length; i += 2)
      expect(flow[i + 1], `answer to ${flow[i]}`).to.equal(flow[i].replace('→', '←').replace(/Req$/, 'Res'));
    const res = rig.charger.results;
    expect(res.map((r) => r.reason)).to.deep.equal(['session-stopped']);
    expect(res[0].session.selectedService).to.equal(ServiceId.MCS);
    expect(rig.charger.power.outputEnabled).to.equal(false);
  });

  it('holds CE = C from cable check through PowerDelivery(Stop) and leaves C only once the output is off', async function () {
    const rig = await open({ pilot: true });
    const session = await rig.vehicle.startCharging();
    await rig.clock.sleep(300);
    await session.stop();
    const events = rig.timeline.query({});
    // Order by sequence number: on virtual time several events share one timestamp.
    const t = (pred: (e: (typeof events)[number]) => boolean) => events.find(pred)?.seq ?? NaN;
    const ceC = t((e) => e.kind === 'pilot' && e.data.signal === 'CE' && e.data.state === 'C');
    const ceLeft = t((e) => e.kind === 'pilot' && e.data.signal === 'CE' && e.data.previous === 'C');
    const cableCheck = t((e) => e.kind === 'v2g' && e.source === 'ev' && e.data.message === 'DC_CableCheckReq');
    const stopRes = t(
      (e) =>
        e.kind === 'v2g' &&
        e.source === 'ev' &&
        e.data.message === 'PowerDeliveryRes' &&
        events.some(
          (q) => q.seq < e.seq && q.data.message === 'PowerDeliveryReq' && (q.data.doc as any)?.PowerDeliveryReq?.ChargeProgress === 'Stop',
        ),
    );
    expect(ceC).to.be.below(cableCheck);
    expect(ceLeft).to.be.above(stopRes);
    const release = events.find((e) => e.kind === 'pilot' && e.data.signal === 'CE-release');
    expect(release?.data.reason).to.equal('output-disabled');
    expect(rig.charger.power.outputEnabled).to.equal(false);
  });

  it('runs a Dynamic control mode session', async function () {
    const rig = await open({ vehicle: { controlMode: 'Dynamic' } });
    const session = await rig.vehicle.startCharging();
    session.requestCurrent(300);
    await rig.clock.sleep(500);
    expect(session.loops[session.loops.length - 1].presentA).to.equal(300);
    await session.stop();
    await rig.charger.settled();
    expect(rig.charger.results[0].session.controlMode).to.equal('Dynamic');
    const loopReq = rig.timeline.query({ kind: 'v2g', source: 'ev' }).find((e) => e.data.message === 'DC_ChargeLoopReq');
    expect(JSON.stringify(loopReq?.data.doc)).to.contain('Dynamic_DC_CLReqControlMode');
  });

  it('answers PowerDeliveryReq right after SessionSetup with FAILED_SequenceError and closes', async function () {
    const rig = await open();
    const s = await sessionSetUp(rig);
    const ex = await prematureStart(s);
    expect(ex.responseRoot).to.equal('PowerDeliveryRes');
    expect(ex.responseCode).to.equal('FAILED_SequenceError');
    expect((await s.waitForClose(1000)).closed).to.equal(true);
  });

  it('answers PowerDeliveryReq after DC_PreChargeReq(Ongoing) with FAILED_SequenceError', async function () {
    const rig = await open();
    const s = await rig.vehicle.openSession();
    await s.runUntil('DC_CableCheck');
    const v = rig.vehicle.model.presentVoltageV();
    const pre = await s.exchange('DC_PreCharge', {
      EVProcessing: 'Ongoing',
      EVPresentVoltage: { Exponent: 0, Value: v },
      EVTargetVoltage: { Exponent: 0, Value: v },
    });
    expect(pre.responseCode).to.equal('OK');
    const pd = await prematureStart(s);
    expect(pd.responseCode).to.equal('FAILED_SequenceError');
    expect(rig.charger.power.outputEnabled).to.equal(false);
  });

  it('answers a foreign SessionID with FAILED_UnknownSession', async function () {
    const rig = await open();
    const s = await sessionSetUp(rig);
    const ex = await s.exchange('AuthorizationSetup', {}, { sessionId: 'DEADBEEF00000001' });
    expect(ex.responseCode).to.equal('FAILED_UnknownSession');
  });

  it('closes the connection when V2G_SECC_Sequence_Timeout runs out (virtual time)', async function () {
    const rig = await open();
    const s = await sessionSetUp(rig);
    const limit = rig.charger.timers.V2G_SECC_Sequence_Timeout;
    const t0 = rig.clock.nowMs();
    const r = await s.waitForClose(limit + 5000);
    expect(r.closed).to.equal(true);
    expect(rig.clock.nowMs() - t0).to.be.within(limit, limit + 1);
    expect(rig.charger.results[0].reason).to.equal('sequence-timeout');
  });

  it('refuses a supportedAppProtocolReq without -20 DC (Failed_NoNegotiation)', async function () {
    const rig = await open();
    const s = await rig.vehicle.openSession({
      appProtocols: [{ ProtocolNamespace: NAMESPACE_DIN, VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }],
    });
    const err = await s.supportedAppProtocol().catch((e) => e);
    expect(err).to.be.instanceOf(V2gSessionError);
    expect(err.exchange.responseCode).to.equal('Failed_NoNegotiation');
    expect((await s.waitForClose(1000)).closed).to.equal(true);
  });

  it('closes without an answer when a CommonMessages request comes framed as DC (0x8004)', async function () {
    const rig = await open();
    const s = await sessionSetUp(rig);
    const ex = await s.exchange('AuthorizationSetup', {}, { payloadType: PayloadType.Dc });
    expect(ex.outcome).to.equal('closed');
    expect(rig.charger.results[0].reason).to.equal('undecodable');
  });

  it('closes on a V2GTP header with a wrong inverse version', async function () {
    const rig = await open();
    const s = await rig.vehicle.openSession();
    await s.supportedAppProtocol();
    await s.sendRaw(
      encodeRawV2gtp({ inverse: 0xff, payloadType: PayloadType.CommonMessages }, new Uint8Array([0x80, 0x00])),
      'wrong inverse version',
    );
    expect((await s.waitForClose(2000)).closed).to.equal(true);
    expect(rig.charger.results[0].reason).to.equal('malformed-v2gtp');
  });

  it('pauses a session and joins it again with the old SessionID (OK_OldSessionJoined)', async function () {
    const rig = await open();
    const first = await sessionSetUp(rig);
    await first.sessionStop('Pause');
    const again = await rig.vehicle.openSession({ resumeSessionId: first.sessionId });
    await again.supportedAppProtocol();
    const ex = await again.sessionSetup();
    expect(ex.responseCode).to.equal('OK_OldSessionJoined');
    expect(again.sessionId).to.equal(first.sessionId);
    await again.sessionStop();
  });

  it('serves several vehicles at once, each in its own session', async function () {
    const rig = await open();
    const a = await rig.vehicle.openSession();
    const b = await rig.vehicle.openSession();
    await Promise.all([a.supportedAppProtocol(), b.supportedAppProtocol()]);
    await Promise.all([a.sessionSetup(), b.sessionSetup()]);
    expect(a.sessionId).to.not.equal(b.sessionId);
    await Promise.all([a.sessionStop(), b.sessionStop()]);
  });

  it('an older connection that ends late does not switch off the output of the session now on the connector', async function () {
    const rig = await open();
    const old = await sessionSetUp(rig);
    const now = await rig.vehicle.openSession();
    await now.runUntil('DC_CableCheck');
    expect(rig.charger.power.outputEnabled, 'output on after the cable check').to.equal(true);
    // The old vehicle goes away (and its session ends on FAILED / close): not its output, so it stays on.
    const foreign = await prematureStart(old);
    expect(foreign.responseCode).to.equal('FAILED_SequenceError');
    await old.link.close();
    await rig.clock.sleep(50);
    expect(rig.charger.power.outputEnabled, 'output still on for the running session').to.equal(true);
    const pre = await now.preCharge();
    expect(pre.at(-1)?.responseCode).to.equal('OK');
    await now.link.close();
    await rig.clock.sleep(50);
    expect(rig.charger.power.outputEnabled, 'the owner closing switches it off').to.equal(false);
  });

  it('answers FAILED when the output of a running cable check is switched off behind its back', async function () {
    const rig = await open();
    const s = await rig.vehicle.openSession();
    await s.runUntil('ScheduleExchange');
    const first = await s.exchange('DC_CableCheck', {});
    expect(first.body?.EVSEProcessing).to.equal('Ongoing');
    await rig.charger.safeState(); // the output goes off (bench safe state, a trip …)
    const next = await s.exchange('DC_CableCheck', {});
    expect(describeCode(next)).to.equal('DC_CableCheckRes FAILED');
  });
});

describe('MCS charging stop (vehicle power path)', function () {
  it('opens the contactors even when the stop sequence is cut short (link already closed)', async function () {
    const rig = await memoryRig();
    const contactors: boolean[] = [];
    const power = {
      batteryVoltageV: async () => 800,
      inlet: async () => ({ voltageV: rig.charger.power.present().voltageV, currentA: rig.charger.power.present().currentA }),
      setContactors: async (closed: boolean) => void contactors.push(closed),
    };
    const name = rig.charger.name;
    const vehicle = await Iso15118Vehicle.create(
      'ev-power',
      { memory: name, codec: 'auto', request: { packVoltageV: 800, requestCurrentA: 100 } },
      { clock: rig.clock, timeline: rig.timeline, limits: rig.limits, power },
    );
    try {
      const charging = await vehicle.startCharging();
      expect(contactors.at(-1), 'closed after precharge').to.equal(true);
      await rig.clock.sleep(30);
      charging.evcc.link.abort(); // the link is gone before the vehicle stops: no PowerDelivery(Stop) possible
      await charging.stop();
      expect(contactors.at(-1), 'open at the end of stop()').to.equal(false);
    } finally {
      await rig.close();
    }
  });
});

function describeCode(ex: { responseRoot?: string; responseCode?: string; outcome: string }): string {
  return ex.outcome === 'response' ? `${ex.responseRoot} ${ex.responseCode}` : ex.outcome;
}
