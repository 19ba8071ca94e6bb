// IEC 61851-1 control pilot of the CCS2 port: once the vehicle shows B, the charger's PWM says "digital
// communication required" (5 % duty) at 1 kHz, measured on the vehicle's side of the line.

import type { Bench } from '../../benches/bench.ts';
import { CP_PILOT_KINDS, type CpPilotResource } from '../../benches/kinds/emulated-cp.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import type { CpReading } from '../../drivers/pilot/cp.ts';
import { measure, requirement } from '../../reports/evidence.ts';
import { slacLimits } from './slac-support.ts';
import { CCS2_TEST_IDS } from './test-ids.ts';

const EPIC = 'IEC 61851-1 control pilot (CCS2 port)';

function cpOf(bench: Bench, ctx: Mocha.Context): CpPilotResource {
  const cp = bench.find<CpPilotResource>(...CP_PILOT_KINDS);
  if (!cp) ctx.skip(); // no CCS2 control pilot on this bench (both emulator benches have one)
  return cp!;
}

/** Poll the line (bounded) until the charger's oscillator runs. */
async function awaitPwm(bench: Bench, cp: CpPilotResource, boundMs: number): Promise<CpReading | undefined> {
  const end = bench.clock.nowMs() + boundMs;
  for (;;) {
    const r = await cp.read();
    if (r.pwm) return r;
    if (bench.clock.nowMs() >= end) return undefined;
    await bench.clock.sleep(20);
  }
}

describe('IEC 61851-1 control pilot (CCS2 port)', function () {
  it('signals digital communication (5 % duty at 1 kHz) once the vehicle is connected (state B)', async function () {
    requirement(CCS2_TEST_IDS.cpDigital, {
      epic: EPIC,
      feature: 'PWM duty',
      clause: 'IEC 61851-1:2017 Annex A; ISO 15118-3 (5 %)',
      severity: 'blocker',
    });
    const { bench } = this;
    const cp = cpOf(bench, this);
    await cp.setVehicleState('A');
    await cp.setVehicleState('B');
    const start = slacLimits.get('cp.pwmStartMs');
    const r = await awaitPwm(bench, cp, start.hi!);
    if (!r)
      throw new BenchFault(`no PWM on CP within ${start.hi} ms of state B (line ${(await cp.read()).state}): the duty cannot be judged`);
    measure('CP duty cycle in state B', r.dutyPct!, slacLimits.get('cp.digitalCommunicationDutyPct'), { violation: 'protocol' });
    measure('CP frequency in state B', r.frequencyHz!, slacLimits.get('cp.frequencyHz'), { violation: 'protocol' });
    await cp.setVehicleState('A');
  });
});
