// The vehicle withdrawing its readiness during energy transfer on the truck's CCS2 port (IEC 61851-23 system C):
// while current flows on the CurrentDemand loop, the vehicle takes CP from C to B (S2 opened) without asking to
// stop on the wire. The charger must end the transfer: the current below the stop current within the time the
// profile gives (cpExit.currentOffS), judged on the battery emulator's trace from the moment the line left C; and,
// once the vehicle has opened its contactors, its output off: the connector below the safe voltage in time.
// Broken, never passed, when the current was not flowing at its level when CP left C.

import { expect } from 'chai';
import { BenchFault } from '../../drivers/core/errors.ts';
import { PROTOCOL_NAMES, type CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import { measure, requirement } from '../../reports/evidence.ts';
import { contactorTimes, withTrace } from '../mcs/power-support.ts';
import { precondition, requireCurrentAt } from '../support/power-assertions.ts';
import { fmt } from '../support/power-trace.ts';
import { timeToFallBelow } from '../support/trace-analysis.ts';
import { ccsRig, ccsTrace, chargeSteady, s, useCcsPowerTest, type CcsRig } from './current-support.ts';
import { ccsVehicleOf, EPIC, requireDeclared } from './handshake-support.ts';
import { CP_EXIT_IDS } from './session-ids.ts';

/** When (s) the line left C for B after the mark: the line's own record, as the bench's CP instrument saw it. */
function cpLeftC(rig: CcsRig, mark: number): number | undefined {
  const e = rig.bench.timeline.query({ kind: 'pilot', afterSeq: mark }).find((x) => x.data.signal === 'CP' && x.data.state === 'B');
  return e ? s(e.t) : undefined;
}

function cpExitTest(protocol: CcsProtocol): void {
  const test = useCcsPowerTest();
  it(`${PROTOCOL_NAMES[protocol]}: ends the energy transfer when the vehicle takes CP from C to B under load`, async function () {
    requirement(CP_EXIT_IDS[protocol], {
      epic: EPIC,
      feature: 'Control pilot',
      story: PROTOCOL_NAMES[protocol],
      clause: 'IEC 61851-23:2014 CC.3.5 (EV-initiated shutdown: CP C → B during energy transfer); IEC 61851-23:2023 CC.7.6.20',
      severity: 'blocker',
    });
    // The current flowing when CP leaves C: a test condition of the profile (cpExit.loadCurrentA).
    requireDeclared(this.bench, this, protocol);
    const flowingA = ccsVehicleOf(this.bench, this).profiles[protocol].num('cpExit.loadCurrentA');
    const rig = ccsRig(this, protocol, flowingA);
    const cp = rig.vehicle.pilot;
    if (!cp) this.skip(); // no control pilot on this bench's CCS2 port: the vehicle cannot leave C
    await withTrace(test, async () => {
      const { loop } = await chargeSteady(rig, test, flowingA);
      const mark = rig.bench.timeline.mark();
      await cp!.setVehicleState('B');
      const exitS = cpLeftC(rig, mark);
      if (exitS === undefined)
        throw new BenchFault(`the CP line did not go to B when the vehicle set it (line ${(await cp!.read()).state})`);
      const budget = rig.limits.get('cpExit.currentOffS');
      await rig.bench.clock.sleep((budget.hi! + 0.5) * 1000);
      // The vehicle ends its session (PowerDelivery(Stop) if the charger still answers), opens its contactors below 5 A.
      await loop.stop();
      await rig.bench.clock.sleep((rig.limits.get('stop.dischargeS').hi! + 0.5) * 1000);
      const tr = await ccsTrace(rig, test, exitS - 1, `CP C → B at ${flowingA} A`);
      const stopA = rig.limits.num('stop.currentA');
      const i0 = requireCurrentAt(tr, exitS, flowingA, flowingA, 'CP left C');
      const t = timeToFallBelow(tr.current(), exitS, stopA);
      tr.bands.push({ label: `< ${stopA} A`, channel: 'currentA', lo: 0, hi: stopA, fromS: exitS, toS: tr.endS });
      measure(`CP left C: time to < ${stopA} A from ${fmt(i0, 0)} A`, t ?? Number.POSITIVE_INFINITY, budget, {
        violation: 'safety',
        unit: 's',
        note: t === undefined ? 'the current never fell below the stop current' : `CP left C at ${fmt(exitS, 3)} s`,
      });
      const openS = contactorTimes(rig.bench, rig.battery, exitS, false)[0];
      precondition(
        'the vehicle opened its contactors after CP left C',
        openS !== undefined,
        openS === undefined ? 'never' : `at ${fmt(openS)} s`,
      );
      expect(tr).to.dischargeWithin({ openS });
    });
  });
}

describe('IEC 61851-23 control pilot leaving state C under load (CCS2 port)', function () {
  cpExitTest('din');
  cpExitTest('iso2');
});
