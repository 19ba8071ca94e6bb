// The live view's state from timeline events, without a browser: what an MCS session and a failing safe state
// show, and that an emulated charger's own record stays out of the bench's view.
import { expect } from 'chai';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { LiveViewState } from '../../runner/live-view-state.ts';

let seq = 0;
const ev = (tS: number, kind: string, source: string, data: Record<string, unknown>): TimelineEvent => ({
  seq: ++seq,
  t: tS * 1e9,
  kind,
  source,
  data,
});
const v2g = (tS: number, source: string, dir: string, message: string, body: Record<string, unknown> = {}) =>
  ev(tS, 'v2g', source, { dir, message, doc: { [message]: body } });

describe('live view state', function () {
  it('shows an MCS session as the vehicle saw it: flow, limits, requested current, a FAILED response', function () {
    const s = new LiveViewState();
    s.see(ev(0, 'run', 'runner', { event: 'start', bench: 'b.yaml', suite: 'mcs', tests: 3 }));
    s.see(ev(0, 'run', 'charger', { event: 'resource-open', kind: 'emulated-mcs-charger' }));
    s.see(ev(0, 'run', 'bench', { event: 'bench-ready' }));
    s.see(ev(1, 'test', 'runner', { event: 'start', title: 'ramps' }));
    const amps = (v: number, x: number) => ({ Value: v, Exponent: x });
    s.see(v2g(2, 'vehicle', 'tx', 'DC_ChargeParameterDiscoveryReq'));
    s.see(
      v2g(2, 'vehicle', 'rx', 'DC_ChargeParameterDiscoveryRes', {
        ResponseCode: 'OK',
        DC_CPDResEnergyTransferMode: { EVSEMaximumChargeCurrent: amps(30000, -1), EVSEMaximumVoltage: amps(12500, -1) },
      }),
    );
    for (let k = 0; k < 3; k++) {
      s.see(v2g(3 + k, 'vehicle', 'tx', 'DC_ChargeLoopReq', { EVTargetCurrent: amps(600, 0) }));
      s.see(v2g(3 + k, 'vehicle', 'rx', 'DC_ChargeLoopRes', { ResponseCode: 'OK' }));
    }
    // The emulated charger's own copy of the exchange is not what the bench observes.
    s.see(v2g(6, 'charger', 'rx', 'SessionStopReq'));
    s.see(ev(6, 'samples', 'battery', { t0: 6e9, dt: 1e6, channels: { currentA: Array(40).fill(598), voltageV: Array(40).fill(800) } }));
    s.see(v2g(7, 'vehicle', 'rx', 'PowerDeliveryRes', { ResponseCode: 'FAILED_PowerDeliveryNotApplied' }));

    const snap = s.snapshot();
    expect(snap.total).to.equal(3);
    expect(snap.test?.title).to.equal('ramps');
    expect(snap.protocol.flow).to.deep.equal(['DC_ChargeParameterDiscovery', 'DC_ChargeLoop ×3']);
    expect(snap.limits).to.include({ 'max current': '3000 A', 'max voltage': '1250 V' });
    expect(snap.messages.map((m) => m.source)).to.not.include('charger');
    expect(snap.banners.at(-1)).to.include({ level: 'fault' });
    expect(snap.banners.at(-1)?.text).to.contain('FAILED_PowerDeliveryNotApplied');
    const p = s.points()[0];
    expect(p).to.include({ iA: 598, vV: 800, reqA: 600 });
  });

  it('says when the safe state fails and the run aborts', function () {
    const s = new LiveViewState(2);
    s.see(ev(0, 'test', 'runner', { event: 'start', title: 't1' }));
    s.see(ev(1, 'safe-state', 'bench', { event: 'begin', reason: 'after test: t1' }));
    expect(s.snapshot().safeStateActive).to.equal(true);
    s.see(ev(2, 'safe-state', 'battery', { event: 'failed', step: 'current below 5 A', error: '40 A after 10 s' }));
    s.see(ev(2, 'safe-state', 'bench', { event: 'end', ok: false, reason: 'after test: t1' }));
    s.see(ev(2, 'test', 'runner', { event: 'end', title: 't1', state: 'failed', error: 'safe state not reached' }));
    s.see(ev(2, 'run', 'runner', { event: 'aborted', afterTest: 't1', resource: 'battery', step: 'current below 5 A', error: '40 A' }));
    const snap = s.snapshot();
    expect(snap.safeStateActive).to.equal(false);
    expect(snap.runState).to.equal('aborted');
    expect(snap.banners.map((b) => b.level)).to.include.members(['safe-state', 'abort', 'failed']);
    expect(snap.banners.at(-1)?.text).to.match(/^RUN ABORTED after t1: battery/);
  });
});
