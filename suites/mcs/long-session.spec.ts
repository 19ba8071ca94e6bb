// A whole MCS charging session, 20 → 80 % SOC with the bench's truck profile, in Dynamic control mode at the
// power the pack takes (CC, then the CV taper), with a site power cap set and lifted during it. Judged from
// what a real bench observes: the limits the charger advertises on the wire (each DC_ChargeLoopRes) and the
// battery emulator's trace. The charger must tell the vehicle the cap, bring the delivered power under it
// in time, and never stay above what it advertises, whatever lowered it (site cap or its own derating).
// Thirty minutes of charging: it runs on a virtual-time bench; in real time only when the bench asks for it.
// Limits: fixtures/limits/iec61851-23(-3).yaml (session.*, downStep.*, regulation.*).

import { expect } from 'chai';
import { POWER_REQUIREMENTS as R } from './requirements.ts';
import { attachText } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import type { PowerTrace } from '../support/power-assertions.ts';
import { loopRequests, powerRig, requireControl, s, type PowerRig } from './power-support.ts';
import { advertisedSince, decimatedTrace, judgeAdvertisedCap, judgeUnderAdvertised, type Advertised } from './long-session-support.ts';
import { PowerTrace as Trace } from '../support/power-trace.ts';

/** Thirty minutes of charging is not applicable in real time unless the bench file asks for it (clock.longSessions). */
function requireAffordable(ctx: Mocha.Context): void {
  const clock = ctx.bench.config.clock;
  if (clock.kind === 'virtual' || clock.longSessions) return;
  attachText(
    'skipped',
    'not applicable: a 30-minute charging session is too long for a real-time bench; it runs on a virtual-time bench ' +
      `(benches/emulator-virtual.yaml), or here with clock.longSessions: true in ${ctx.bench.config.file}.`,
  );
  ctx.skip();
}

/** Full-rate samples around an event, attached as their own plot and CSV. */
async function attachWindow(rig: PowerRig, title: string, fromS: number, toS: number, charging: ChargingSession): Promise<void> {
  const tr = Trace.fromTimeline(rig.bench.timeline, {
    source: rig.analyser.source,
    fromNs: fromS * 1e9,
    toNs: toS * 1e9,
    title,
    requests: loopRequests(charging, fromS).filter((r) => r.tS <= toS),
    limits: rig.limits,
    tolerance: rig.tolerance,
  });
  await tr.attachEvidence();
}

/** Advertised decreases other than the commanded cap (e.g. thermal derating): each gets its full-rate window. */
function otherDrops(ads: Advertised[], capS: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < ads.length && out.length < 5; k++)
    if (ads[k].maxPowerW < ads[k - 1].maxPowerW * 0.99 && Math.abs(ads[k].tS - capS) > 5) out.push(ads[k].tS);
  return out;
}

describe('MCS long charging session (IEC 61851-23-3)', function () {
  let charging: ChargingSession | undefined;

  afterEach(async function () {
    if (charging?.running) await charging.stop().catch(() => undefined);
    charging = undefined;
  });

  it('charges 20 → 80 % SOC and follows the site cap and the limits it advertises @long', async function () {
    requirement(R.session);
    requireAffordable(this);
    const rig = powerRig(this.bench);
    const control = requireControl(this, rig, 'Changing the site power cap');
    const L = rig.limits;
    const clock = rig.bench.clock;
    const capW = L.num('session.siteCapW');
    this.timeout(0); // virtual time: the run's own clock bounds it (session.maxDurationS)
    let t0: number | undefined;
    let whole: PowerTrace | undefined;
    const wholeTrace = (): PowerTrace =>
      decimatedTrace(rig.bench, {
        source: rig.analyser.source,
        fromS: t0!,
        binS: L.num('session.plotBinS'),
        title: `${R.session.id} whole session (${L.num('session.plotBinS')} s means)`,
        requests: charging ? loopRequests(charging, t0!) : [],
        limits: L,
        tolerance: rig.tolerance,
      });
    try {
      charging = await rig.vehicle.startCharging({ controlMode: 'Dynamic' });
      charging.useProfileRequests();
      t0 = s(clock.now());
      const socStart = rig.vehicle.model.soc?.();
      await clock.sleep(L.num('session.siteCapAtS') * 1000);
      // The level the cap is judged from is what the vehicle asked for (its last request), never what flowed:
      // a charger that delivers nothing must not pass for 'already under the cap'.
      const requestedA = charging.loops.at(-1)?.targetA ?? 0;
      const capS = s(clock.now());
      await control.setSitePowerCapW(capW);
      try {
        await clock.sleep(L.num('session.siteCapForS') * 1000);
      } finally {
        await control.setSitePowerCapW(undefined);
      }
      const liftS = s(clock.now());
      // The cap is judged at once: a charger that cannot be judged here ends the test without charging on for 20 minutes.
      await rig.analyser.flush();
      judgeAdvertisedCap(advertisedSince(rig.bench, rig.vehicle.name, capS - 1), capS, capW, liftS, L);
      const capWindow = Trace.fromTimeline(rig.bench.timeline, {
        source: rig.analyser.source,
        fromNs: (capS - 2) * 1e9,
        toNs: liftS * 1e9,
        title: `${R.session.id} site cap ${capW / 1000} kW`,
        requests: loopRequests(charging, capS - 2).filter((r) => r.tS <= liftS),
        limits: L,
        tolerance: rig.tolerance,
      });
      try {
        expect(capWindow).to.respectSiteCap({ capS, capW, fromA: requestedA });
      } finally {
        await capWindow.attachEvidence();
      }
      const endS = t0 + L.num('session.maxDurationS');
      // The vehicle's own end of charge (target SOC, or the taper below its cutoff): it asks for 0 A.
      const done = (): boolean => charging!.loops.slice(-3).every((l) => l.targetA === 0);
      while (charging.running && s(clock.now()) < endS && !done()) await clock.sleep(5000);
      await rig.analyser.flush();
      const ads = advertisedSince(rig.bench, rig.vehicle.name, t0);
      const session = { startS: t0, endS: s(clock.now()), socStartPct: socStart, socEndPct: rig.vehicle.model.soc?.(), capS, liftS, capW };
      attachText('session', JSON.stringify(session, null, 2));
      judgeUnderAdvertised((whole = wholeTrace()), ads, L.num('session.plotBinS'));
      const windowS = L.num('session.eventWindowS');
      for (const t of otherDrops(ads, capS))
        await attachWindow(rig, `${R.session.id} advertised limit lowered at ${t.toFixed(0)} s`, t - windowS, t + windowS, charging);
      await attachWindow(rig, `${R.session.id} site cap lifted`, liftS - windowS, liftS + windowS, charging);
    } finally {
      if (t0 !== undefined) await (whole ?? wholeTrace()).attachEvidence();
    }
  });
});
