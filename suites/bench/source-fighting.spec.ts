// Source fighting: during cable check and precharge the charger regulates the inlet voltage. A battery
// emulator in voltage priority is a low-impedance voltage source — the programming guide warns against
// operating it against another one — so the bench keeps its output off (the vehicle's contactors open)
// until precharge has ended, and the battery takes no current while the charger regulates voltage. The
// order is the harness's own (a wrong order is a broken bench); a stuck contactor shows as an inlet voltage
// pinned to the battery's while the charger regulates.

import { BenchFault } from '../../drivers/core/errors.ts';
import type { ChargingSession } from '../../drivers/iso15118/evcc/charging.ts';
import { measure } from '../../reports/evidence.ts';
import { contactorTimes, powerRig, s, startCharging } from '../mcs/power-support.ts';
import { benchLimits, benchRequirement } from './support.ts';

describe('Bench source fighting', function () {
  it('the battery stays disconnected while the charger regulates voltage (cable check, precharge)', async function () {
    benchRequirement('BENCH-SOURCE-FIGHT-001', 'Instrument safety', 'critical');
    const { bench } = this;
    const rig = powerRig(bench);
    const fromS = s(bench.clock.now());
    let charging: ChargingSession | undefined;
    let sessionError: unknown;
    try {
      charging = await startCharging(rig, 0, 200);
    } catch (e) {
      sessionError = e; // judged below from what the bench recorded up to here
    } finally {
      await charging?.stop().catch(() => undefined);
    }
    await rig.analyser.flush();
    const v2g = bench.timeline.query({ kind: 'v2g', source: rig.vehicle.name, from: fromS * 1e9 });
    const cable = v2g.find((e) => e.data.dir === 'tx' && e.data.message === 'DC_CableCheckReq');
    const preEnd = v2g.filter((e) => e.data.dir === 'rx' && e.data.message === 'DC_PreChargeRes').at(-1);
    const end = preEnd ?? (sessionError ? v2g.at(-1) : undefined);
    if (!cable || !end)
      throw new BenchFault(
        `the session never reached cable check and precharge: nothing to judge (${String(sessionError ?? 'no precharge')})`,
      );
    // The order is ours: the output may close only after the last precharge answer.
    const closeS = contactorTimes(bench, rig.battery, fromS, true)[0];
    if (preEnd && closeS !== undefined && closeS < s(preEnd.t))
      throw new BenchFault(
        `the bench closed '${rig.battery.name}' at ${closeS.toFixed(3)} s, before precharge ended at ${s(preEnd.t).toFixed(3)} s`,
      );
    // A battery behind closed contactors is a low-impedance source: the inlet could not leave its voltage.
    // With the contactors open, the charger's own regulation moves the inlet (cable check, discharge, precharge).
    const v = bench.timeline.samples('voltageV', { source: rig.analyser.source, from: cable.t, to: end.t }).v;
    if (v.length < 50)
      throw new BenchFault(`only ${v.length} voltage samples between cable check and the end of precharge: nothing to judge`);
    const batteryV = await rig.battery.batteryVoltageV();
    const departure = Math.max(...v.map((x) => Math.abs(x - batteryV)));
    measure(
      'inlet voltage departure from the battery voltage while the charger regulates voltage',
      departure,
      benchLimits.get('bench.sourceFight.departureV'),
      {
        violation: 'safety',
        note:
          `battery at ${batteryV.toFixed(1)} V; ${v.length} samples from the first DC_CableCheckReq to ` +
          (preEnd ? 'the last DC_PreChargeRes' : 'the session error'),
      },
    );
  });
});
