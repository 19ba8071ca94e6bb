// ISO 15118-20 session timers of an MCS charger, judged from the vehicle side on the wire and on the battery
// emulator's trace: the 0.5 s sequence timeout after a DC_ChargeLoopRes ([V2G20-1500]/[V2G20-1502]: a
// vehicle silent mid-loop must see the session stopped and the output disabled), the 5 s the charger waits
// after SessionStopRes before it closes ([V2G20-1633]), and the CommunicationSetup timer from TCP/TLS
// (Table 221). Limits: fixtures/limits/iso15118-20.yaml and the MCS stop limits; faults: emulator/mcs/faults.ts.

import { measure } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { V2G_REQUIREMENTS as R } from './requirements.ts';
import { derivedLimit, fmt, precondition, requireCurrentAt } from '../support/power-trace.ts';
import {
  SEQ_CLAUSE,
  allowClockTime,
  closedAfterMs,
  sessionWork,
  timerWindow,
  v2gLimits as L,
  vehicleUncertainty,
} from './handshake-support.ts';
import { v2gFixture } from './session-fixture.ts';
import { currentOffTime, loopTrace, powerRig, s, startCharging, stepTo, usePowerTest, waitSteady, withTrace } from './power-support.ts';

describe('ISO 15118-20 session timing (MCS charger)', function () {
  const test = usePowerTest();
  const v2g = v2gFixture();

  it('stops the session and disables its output when the vehicle goes silent in the charge loop (0.5 s)', async function () {
    requirement(R.chargeLoopSequenceTimeout);
    const seqLimit = L.get('timer.V2G_SECC_Sequence_Timeout.DC_ChargeLoop');
    const rig = powerRig(this.bench);
    const clock = this.bench.clock;
    // The current the charge loop runs at when the vehicle goes silent (a test condition of the limit profile).
    const loadA = rig.limits.num('sequenceTimeout.loadCurrentA');
    await withTrace(test, async () => {
      const c = await startCharging(rig);
      try {
        await stepTo(rig, c, loadA);
        await waitSteady(rig, loadA, (4 * loadA) / rig.limits.num('ramp.minSlopeAps'));
        c.evcc.breaksOnPurpose('the vehicle goes silent mid-loop: the charger must time the session out');
        const lastResNs = await c.silence();
        precondition('a DC_ChargeLoopRes arrived before the vehicle went silent', lastResNs !== undefined, c.error?.message ?? 'none');
        const lastS = s(lastResNs!);
        // The charger's timer (the bench's value), then its stop: max(stop.minTimeS, I₀ / stop.minRateAps).
        const seqS = rig.vehicle.timers['V2G_SECC_Sequence_Timeout.DC_ChargeLoop'] / 1000;
        const minT = rig.limits.get('stop.minTimeS');
        const rate = rig.limits.get('stop.minRateAps');
        await clock.sleep((seqS + Math.max(minT.value!, loadA / rate.lo!) + 1) * 1000);
        const tr = await loopTrace(rig, test, c, lastS - 1, `${R.chargeLoopSequenceTimeout.id} vehicle silent at ${loadA} A`);
        const i0 = requireCurrentAt(tr, lastS, loadA, loadA, 'the vehicle going silent');
        const how = `timer ${seqS} s + max(${minT.value} s, I₀ / ${rate.lo} A/s), I₀ = ${fmt(i0, 1)} A`;
        const limit = derivedLimit({ hi: seqS + Math.max(minT.value!, i0 / rate.lo!) }, 's', [seqLimit, minT, rate], how);
        const offS = currentOffTime(rig, tr, lastS);
        const uncertainty = vehicleUncertainty(rig.vehicle, lastResNs! - 5e9, clock.now(), 's');
        const name = 'output disabled after the vehicle went silent in the charge loop';
        const note = offS === undefined ? 'the current never fell below the stop current in the window' : undefined;
        measure(name, offS === undefined ? Number.POSITIVE_INFINITY : offS - lastS, limit, {
          violation: 'timing',
          unit: 's',
          uncertainty,
          note,
        });
      } finally {
        // The vehicle ends it the standard way where the charger still listens; contactors open only below 5 A.
        await c.stop().catch(() => undefined);
      }
    });
  });

  it('waits at least 5 s after SessionStopRes before it closes the connection', async function () {
    requirement(R.closeWaitAfterStop);
    const limit = L.get('secc.closeAfterStopMinMs');
    const s = await v2g.setUp();
    const stop = await sessionWork('SessionStop(Terminate)', SEQ_CLAUSE, () => s.sessionStop('Terminate'));
    // The vehicle keeps the connection open past the 5 s; a charger that waits longer (or for the vehicle) passes.
    const watchMs = limit.lo! + L.num('secc.closeAfterStopWatchMarginMs');
    const afterMs = await closedAfterMs(s, stop.receivedAtNs!, watchMs);
    const open = !Number.isFinite(afterMs);
    const note = open ? `still open ${watchMs} ms after SessionStopRes, when the vehicle stopped watching` : undefined;
    measure('connection closed after SessionStopRes', open ? watchMs : afterMs, limit, { violation: 'timing', note });
  });

  it('closes a connection on which no session is set up within V2G_SECC_CommunicationSetup_Performance_Time', async function () {
    requirement(R.communicationSetup);
    const timer = L.get('timer.V2G_SECC_CommunicationSetup_Performance_Time');
    const vehicle = v2g.vehicle();
    const timerMs = vehicle.timers.V2G_SECC_CommunicationSetup_Performance_Time;
    // Upper bound only: the timer plus the close tolerance (which allows the 5 s wait of [V2G20-1633]).
    const window = { ...timerWindow(timerMs, timer, L.get('secc.sequenceTimeoutCloseToleranceMs')), lo: undefined };
    allowClockTime(this, window.hi!);
    const s = await v2g.open();
    s.breaksOnPurpose('the vehicle sets up no session: the charger must close the connection');
    precondition('the TCP/TLS connection was established', s.establishedAtNs !== undefined, s.link.description);
    const afterMs = await closedAfterMs(s, s.establishedAtNs!, window.hi!);
    measure('connection closed with no communication setup after TCP/TLS', afterMs, window, { violation: 'timing' });
  });
});
