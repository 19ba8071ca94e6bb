// The emulated CCS charger's reaction to its control pilot (emulator/ccs/cp-reaction.ts), in-process: the
// vehicle leaving C (or D) while the output is on switches it off and frees the connector; leaving C with the
// output already off, or any charger-side change, does nothing; fault ccs-ignores-cp-state-b keeps delivering.

import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { EmulatedCpLine } from '../../drivers/pilot/cp.ts';
import { reactToCpExit } from '../../emulator/ccs/cp-reaction.ts';
import { CCS_RESPONSE_FAULT } from '../../emulator/ccs/response-faults.ts';
import { IdealPowerStage } from '../../emulator/mcs/power-port.ts';

function charging(faults: string[] = []) {
  const timeline = new Timeline({ clock: new VirtualClock() });
  const line = new EmulatedCpLine('cp', timeline);
  const power = new IdealPowerStage(() => 400);
  const output: { owner?: unknown } = { owner: 'session' };
  const off = reactToCpExit(line, { power, output, faults: new Set(faults), timeline, source: 'ccs-charger' });
  line.setVehicle('B');
  line.setVehicle('C');
  power.startCharging();
  power.request({ currentA: 60, voltageV: 400 });
  const notes = () => timeline.query({ kind: 'session', source: 'ccs-charger' }).map((e) => e.data.event);
  return { line, power, output, off, notes };
}

describe('emulated CCS charger: CP leaving C', function () {
  it('C → B under load: output off, connector freed, recorded', function () {
    const r = charging();
    r.line.setVehicle('B');
    expect(r.power.outputEnabled).to.equal(false);
    expect(r.output.owner).to.equal(undefined);
    expect(r.notes()).to.deep.equal(['CP left C under load: output switched off']);
  });

  it('D → A under load too; C → B with the output already off does nothing', function () {
    const d = charging();
    d.line.setVehicle('D');
    d.line.setVehicle('A');
    expect(d.power.outputEnabled).to.equal(false);
    const idle = charging();
    idle.power.stop();
    idle.line.setVehicle('B');
    expect(idle.notes()).to.deep.equal([]);
  });

  it(`${CCS_RESPONSE_FAULT.ignoresCpStateB}: keeps delivering, the reaction it skipped recorded`, function () {
    const r = charging([CCS_RESPONSE_FAULT.ignoresCpStateB]);
    r.line.setVehicle('B');
    expect(r.power.outputEnabled).to.equal(true);
    expect(r.power.present().currentA).to.equal(60);
    expect(r.notes()).to.deep.equal(['CP left C under load: ignored']);
  });

  it('stops watching once unsubscribed', function () {
    const r = charging();
    r.off();
    r.line.setVehicle('B');
    expect(r.power.outputEnabled).to.equal(true);
  });
});
