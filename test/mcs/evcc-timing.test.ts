// The vehicle keeps the EVCC side of ISO 15118-20 Table 217 (so a charger is never failed because our vehicle
// was late), and the emulated charger keeps the SECC timers the suites judge. In-process, virtual clock.

import { expect } from 'chai';
import { msgTimeoutMs } from '../../drivers/iso15118/evcc/timers.ts';
import { SECC_CLOSE_WAIT_MS } from '../../emulator/mcs/secc-server.ts';
import { memoryRig, type Rig } from './helpers.ts';

describe('ISO 15118-20 timers: EVCC side (our vehicle) and SECC side (emulated charger)', function () {
  let rig: Rig | undefined;
  afterEach(async function () {
    await rig?.close();
    rig = undefined;
  });

  it('the vehicle runs on the profile timers: 0.5 s DC_ChargeLoop timeout, 2 s elsewhere, 5 s ServiceDetail', async function () {
    rig = await memoryRig();
    const t = rig.vehicle.timers;
    expect(msgTimeoutMs(t, 'DC_ChargeLoop')).to.equal(rig.limits.num('timer.V2G_EVCC_Msg_Timeout.DC_ChargeLoop')).and.equal(500);
    expect(msgTimeoutMs(t, 'PowerDelivery')).to.equal(2000);
    expect(msgTimeoutMs(t, 'ServiceDetail')).to.equal(5000);
    expect(t.V2G_EVCC_CommunicationSetup_Timeout).to.equal(20000);
    // The loop period leaves the sequence performance time room even after a late response.
    expect(t.EVCC_ChargeLoop_Period).to.be.below(rig.limits.num('evcc.sequencePerformanceTime.DC_ChargeLoop'));
  });

  it('sends each DC_ChargeLoopReq within 0.25 s of the previous DC_ChargeLoopRes [V2G20-1501]', async function () {
    rig = await memoryRig({ faults: ['slow-response'] }); // the charger answers late: the vehicle must not add to it
    const charging = await rig.vehicle.startCharging();
    charging.requestCurrent(200);
    await rig.clock.sleep(3000);
    await charging.stop();
    const gaps = charging.loops.map((l) => l.sinceResponseMs).filter((x) => Number.isFinite(x));
    expect(gaps.length).to.be.greaterThan(5);
    expect(Math.max(...gaps)).to.be.at.most(rig.limits.num('evcc.sequencePerformanceTime.DC_ChargeLoop'));
    const late = rig.timeline.query({ kind: 'session', source: 'ev' }).filter((e) => String(e.data.event).startsWith('EVCC late'));
    expect(late).to.deep.equal([]);
  });

  it('the charger stops the session and its output 0.5 s after a DC_ChargeLoopRes with no next request', async function () {
    rig = await memoryRig();
    const charging = await rig.vehicle.startCharging();
    charging.requestCurrent(200);
    await rig.clock.sleep(500);
    const lastNs = await charging.silence();
    await rig.charger.settled();
    const r = rig.charger.results.at(-1)!;
    expect(r.reason).to.equal('sequence-timeout');
    expect(rig.charger.power.outputEnabled).to.equal(false);
    const closed = rig.timeline
      .query({ kind: 'session', source: rig.charger.name })
      .find((e) => String(e.data.event).startsWith('session end'));
    expect((closed!.t - lastNs!) / 1e6).to.be.within(500, 501);
    await charging.stop().catch(() => undefined); // the charger has closed: the stop sequence is cut short
  });

  it('fault charge-loop-timeout-missing: the session and the output outlive the 0.5 s', async function () {
    rig = await memoryRig({ faults: ['charge-loop-timeout-missing'] });
    const charging = await rig.vehicle.startCharging();
    charging.requestCurrent(200);
    await rig.clock.sleep(500);
    await charging.silence();
    await rig.clock.sleep(2000);
    expect(rig.charger.results).to.deep.equal([]);
    expect(rig.charger.power.outputEnabled).to.equal(true);
    await charging.stop();
  });

  it('after SessionStopRes the charger waits > 5 s for the close; fault closes-early-after-stop does not', async function () {
    for (const faults of [[], ['closes-early-after-stop']]) {
      rig = await memoryRig({ faults });
      const s = await rig.vehicle.openSession();
      await s.runUntil('SessionSetup');
      const stop = await s.sessionStop('Terminate');
      const r = await s.waitForClose(2 * SECC_CLOSE_WAIT_MS);
      expect(r.closed).to.equal(true);
      const afterMs = (s.link.closedAtNs! - stop.receivedAtNs!) / 1e6;
      if (faults.length) expect(afterMs, 'fault').to.be.below(10);
      else expect(afterMs).to.be.above(rig.limits.get('secc.closeAfterStopMinMs').lo!);
      await rig.close();
    }
    rig = undefined;
  });

  it('closes a connection with no SessionSetup after its CommunicationSetup time (fault: only after 60 s)', async function () {
    for (const [faults, expectMs] of [
      [[], 18000],
      [['communication-setup-unbounded'], 60000],
    ] as const) {
      rig = await memoryRig({ faults: [...faults] });
      const s = await rig.vehicle.openSession();
      const r = await s.waitForClose(70000);
      expect(r.closed).to.equal(true);
      expect((s.link.closedAtNs! - s.establishedAtNs!) / 1e6).to.be.within(expectMs, expectMs + 1);
      await rig.close();
    }
    rig = undefined;
  });

  it('fault answers-after-sequence-timeout: a request after V2G_SECC_Sequence_Timeout is still answered', async function () {
    rig = await memoryRig({ faults: ['answers-after-sequence-timeout'] });
    const s = await rig.vehicle.openSession();
    await s.runUntil('SessionSetup');
    const timerMs = rig.charger.timers.V2G_SECC_Sequence_Timeout;
    expect((await s.waitForClose(timerMs + 1000)).closed).to.equal(false);
    expect((await s.exchange('AuthorizationSetup', {})).outcome).to.equal('response');
    expect((await s.waitForClose(1000)).closed).to.equal(true);
  });
});
