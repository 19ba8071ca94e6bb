// Each MCS fault switch really makes the emulated SECC misbehave (in-process, virtual clock). The TLS and
// SDP faults need sockets: they are in session-veth.test.ts. Which suite test catches which fault is
// the self-validation run's business (test/mcs/run-suite.ts, the lead's runner).

import { expect } from 'chai';
import { MCS_FAULTS } from '../../emulator/mcs/faults.ts';
import { FULL_POWER_TEST_IDS } from '../../suites/mcs/full-power-ids.ts';
import { HANDSHAKE_TEST_IDS } from '../../suites/mcs/handshake-ids.ts';
import { LONG_SESSION_TEST_IDS } from '../../suites/mcs/long-session-ids.ts';
import { ONGOING_LIMIT_TEST_IDS } from '../../suites/mcs/ongoing-limits-ids.ts';
import { NAMESPACE_DIN, ServiceId, mcsParameterSetProblems, fromRational } from '../../drivers/iso15118/evcc/messages.ts';
import { PayloadType } from '../../drivers/iso15118/v2gtp.ts';
import { memoryRig, sessionSetUp, prematureStart } from './helpers.ts';
import { openPerTest } from '../support/per-test.ts';

describe('MCS charger fault switches (in-process)', function () {
  const open = openPerTest(memoryRig);

  it('the catalogue is well-formed: kebab-case unique names, catches are MCS protocol or Dynamic-mode test ids', function () {
    const handshake = new Set<string>(Object.values(HANDSHAKE_TEST_IDS));
    // A protocol fault may also break the tests that judge what its messages carry: the Dynamic-mode full-power and
    // long-session tests read the charger's Dynamic maxima (dynamic-mode-missing, dynamic-loop-answered-scheduled).
    const ids = new Set<string>([
      ...handshake,
      ...Object.values(ONGOING_LIMIT_TEST_IDS),
      ...Object.values(LONG_SESSION_TEST_IDS),
      ...Object.values(FULL_POWER_TEST_IDS),
    ]);
    const names = new Set<string>();
    for (const f of MCS_FAULTS) {
      expect(f.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(names.has(f.name), f.name).to.equal(false);
      names.add(f.name);
      expect(f.catches.length, f.name).to.be.greaterThan(0);
      for (const c of f.catches) expect(ids.has(c), `${f.name} → ${c}`).to.equal(true);
      expect(f.suite).to.equal('mcs');
    }
    // every handshake and Ongoing-limit test is caught by some fault
    const caught = new Set(MCS_FAULTS.flatMap((f) => f.catches));
    for (const id of [...handshake, ...Object.values(ONGOING_LIMIT_TEST_IDS)]) expect(caught.has(id), id).to.equal(true);
  });

  it('wrong-response-code: SessionSetupRes says OK for a new session', async function () {
    const rig = await open({ faults: ['wrong-response-code'] });
    const s = await rig.vehicle.openSession();
    await s.supportedAppProtocol();
    const ex = await s.sessionSetup();
    expect(ex.responseCode).to.equal('OK');
  });

  it('dynamic-mode-missing: no Dynamic parameter set, a Dynamic vehicle finds no service', async function () {
    const rig = await open({ faults: ['dynamic-mode-missing'], vehicle: { controlMode: 'Dynamic' } });
    const err = await rig.vehicle.startCharging().catch((e) => e);
    expect(err.kind).to.equal('no-service');
  });

  it('slow-response: ServiceDiscoveryRes comes after the performance time but before the EVCC timeout', async function () {
    const rig = await open({ faults: ['slow-response'] });
    const s = await rig.vehicle.openSession();
    await s.runUntil('Authorization');
    const ex = await s.serviceDiscovery();
    expect(ex.responseMs).to.be.above(rig.limits.get('secc.performanceTime').hi!);
    expect(ex.responseMs).to.be.below(rig.vehicle.timers.V2G_EVCC_Msg_Timeout);
  });

  it('sequence-error-missing: PowerDeliveryReq right after SessionSetup is answered OK', async function () {
    const rig = await open({ faults: ['sequence-error-missing'] });
    const s = await sessionSetUp(rig);
    const ex = await prematureStart(s);
    expect(ex.responseCode).to.equal('OK');
  });

  it('unknown-session-accepted: a foreign SessionID is answered OK', async function () {
    const rig = await open({ faults: ['unknown-session-accepted'] });
    const s = await sessionSetUp(rig);
    const ex = await s.exchange('AuthorizationSetup', {}, { sessionId: 'FFFFFFFFFFFFFFFF' });
    expect(ex.responseCode).to.equal('OK');
  });

  it('ignores-sequence-timeout: the connection stays open past V2G_SECC_Sequence_Timeout', async function () {
    const rig = await open({ faults: ['ignores-sequence-timeout'] });
    const s = await sessionSetUp(rig);
    const r = await s.waitForClose(rig.charger.timers.V2G_SECC_Sequence_Timeout * 2);
    expect(r.closed).to.equal(false);
    await s.link.close();
  });

  it('v2gtp-payload-type-unchecked: a CommonMessages request framed as DC is answered', async function () {
    const rig = await open({ faults: ['v2gtp-payload-type-unchecked'] });
    const s = await sessionSetUp(rig);
    const ex = await s.exchange('AuthorizationSetup', {}, { payloadType: PayloadType.Dc });
    expect(ex.outcome).to.equal('response');
    expect(ex.responseRoot).to.equal('AuthorizationSetupRes');
  });

  it('accepts-unsupported-app-protocol: a DIN-only offer is accepted', async function () {
    const rig = await open({ faults: ['accepts-unsupported-app-protocol'] });
    const offer = [{ ProtocolNamespace: NAMESPACE_DIN, VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 7, Priority: 1 }];
    const s = await rig.vehicle.openSession({ appProtocols: offer });
    const ex = await s.exchange('supportedAppProtocol', { AppProtocol: offer });
    expect(ex.responseCode).to.equal('OK_SuccessfulNegotiation');
  });

  it('no-mcs-service: only DC is offered; the vehicle falls back to DC', async function () {
    const rig = await open({ faults: ['no-mcs-service'] });
    const s = await rig.vehicle.startCharging();
    expect(s.evcc.offeredServices).to.deep.equal([ServiceId.DC]);
    expect(s.evcc.selected?.serviceId).to.equal(ServiceId.DC);
    await s.stop();
  });

  it('bad-parameter-set: the MCS parameter set lacks Connector and pairs Scheduled with MobilityNeedsMode 2', async function () {
    const rig = await open({ faults: ['bad-parameter-set'] });
    const s = await rig.vehicle.openSession();
    await s.runUntil('ServiceDiscovery');
    await s.serviceDetail(ServiceId.MCS);
    const problems = s.serviceDetails.get(ServiceId.MCS)!.flatMap((set) => mcsParameterSetProblems(set, ServiceId.MCS));
    expect(problems.join('; '))
      .to.match(/'Connector' missing/)
      .and.to.match(/MobilityNeedsMode=1, got 2/);
  });

  it('rational-without-exponent: 3.75 MW advertised as {32767, 0}', async function () {
    const rig = await open({ faults: ['rational-without-exponent'] });
    const s = await rig.vehicle.openSession();
    await s.runUntil('ServiceSelection');
    const ex = await s.chargeParameterDiscovery();
    expect(ex.body?.DC_CPDResEnergyTransferMode.EVSEMaximumChargePower).to.deep.equal({ Value: 32767, Exponent: 0 });
    expect(s.evseLimits.EVSEMaximumChargePower).to.equal(32767);
  });

  it('ratings-understated: maximum current and voltage advertised 10 % below the ratings', async function () {
    const rig = await open({ faults: ['ratings-understated'] });
    const s = await rig.vehicle.openSession();
    await s.runUntil('DC_ChargeParameterDiscovery');
    expect(s.evseLimits.EVSEMaximumChargeCurrent).to.equal(2700);
    expect(s.evseLimits.EVSEMaximumVoltage).to.equal(1125);
  });

  it('dynamic-loop-answered-scheduled: a Dynamic session gets Scheduled charge-loop answers', async function () {
    const rig = await open({ faults: ['dynamic-loop-answered-scheduled'], vehicle: { controlMode: 'Dynamic' } });
    const session = await rig.vehicle.startCharging();
    await rig.clock.sleep(300);
    await session.stop();
    const res = rig.timeline.query({ kind: 'v2g', source: 'ev' }).filter((e) => e.data.message === 'DC_ChargeLoopRes');
    expect(res.length).to.be.greaterThan(0);
    for (const e of res) expect(JSON.stringify(e.data.doc)).to.contain('Scheduled_DC_CLResControlMode');
  });

  it('without faults the ratings carry the exponents they need', async function () {
    const rig = await open();
    const s = await rig.vehicle.openSession();
    await s.runUntil('ServiceSelection');
    const ex = await s.chargeParameterDiscovery();
    const m = ex.body?.DC_CPDResEnergyTransferMode;
    expect(m.EVSEMaximumChargePower).to.deep.equal({ Value: 3750, Exponent: 3 });
    expect(fromRational(m.EVSEMaximumChargeCurrent)).to.equal(3000);
    expect(fromRational(m.EVSEMaximumVoltage)).to.equal(1250);
  });

  it('a vehicle that drops the link mid-charge makes the charger disable its output', async function () {
    const rig = await open();
    const s = await rig.vehicle.startCharging();
    await rig.clock.sleep(300);
    expect(rig.charger.power.outputEnabled).to.equal(true);
    s.evcc.dropLink();
    await s.ended;
    await rig.charger.settled();
    expect(rig.charger.power.outputEnabled).to.equal(false);
    expect(rig.charger.results.at(-1)?.reason).to.equal('peer-closed');
    expect(s.error).to.be.instanceOf(Error);
  });
});
