// The CCS control pilot: the emulated line with the emulated charger's generator (5 % at 1 kHz once the
// vehicle shows B, DC again at A, its two faults), and the physical `scpi-cp` driver against the emulated
// SCPI I/O box on loopback (every relay write read back; duty and frequency from the PWM counter queries).

import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { EmulatedCpLine, EmulatedCpPilot } from '../../drivers/pilot/cp.ts';
import { PilotReadbackFault } from '../../drivers/pilot/scpi-ce-id.ts';
import { ScpiCpPilot } from '../../drivers/pilot/scpi-cp.ts';
import { TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { CP_FAULT } from '../../emulator/pilot/cp-faults.ts';
import { EmulatedCpEvse } from '../../emulator/pilot/cp-evse.ts';
import { startEmulatedDioServer } from '../../emulator/pilot/scpi-dio-server.ts';
import { RealClock } from '../../drivers/core/clock.ts';

describe('CCS control pilot', function () {
  function emulated(faults: string[] = []) {
    const clock = new VirtualClock();
    const timeline = new Timeline({ clock });
    const line = new EmulatedCpLine('cp', timeline);
    const evse = new EmulatedCpEvse(line, clock, new Set(faults));
    return { clock, timeline, line, evse, pilot: new EmulatedCpPilot('cp', line) };
  }

  it('emulated: DC at A, 5 % at 1 kHz after B, DC again at A; every change on the timeline', async function () {
    const { clock, timeline, pilot, evse } = emulated();
    expect(await pilot.read()).to.deep.equal({ state: 'A', pwm: false });
    await pilot.setVehicleState('B');
    expect((await pilot.read()).pwm).to.equal(false);
    await clock.advance(150);
    expect(await pilot.read()).to.deep.equal({ state: 'B', pwm: true, dutyPct: 5, frequencyHz: 1000 });
    await pilot.setVehicleState('C');
    expect((await pilot.read()).state).to.equal('C');
    await pilot.setVehicleState('A');
    expect(await pilot.read()).to.deep.equal({ state: 'A', pwm: false });
    expect(timeline.query({ kind: 'pilot' }).map((e) => `${e.data.by}:${e.data.state}:${e.data.pwm}`)).to.deep.equal([
      'vehicle:B:false',
      'charger:B:true',
      'vehicle:C:true',
      'vehicle:A:true', // A2 for the moment until the charger stops its oscillator
      'charger:A:false',
    ]);
    evse.close();
  });

  it(`emulated faults: ${CP_FAULT.dutyNominal} gives 10 %, ${CP_FAULT.frequencyOff} 1100 Hz`, async function () {
    for (const [fault, expected] of [
      [CP_FAULT.dutyNominal, { dutyPct: 10, frequencyHz: 1000 }],
      [CP_FAULT.frequencyOff, { dutyPct: 5, frequencyHz: 1100 }],
    ] as const) {
      const { clock, pilot, evse } = emulated([fault]);
      await pilot.setVehicleState('B');
      await clock.advance(150);
      expect(await pilot.read()).to.deep.include(expected);
      evse.close();
    }
  });

  it('scpi-cp: switches the resistors with read-back and reads duty and frequency from the counter', async function () {
    const box = await startEmulatedDioServer();
    const clock = new RealClock();
    const timeline = new Timeline({ clock });
    const transport = await TcpScpiTransport.connect({ host: box.host, port: box.port, clock, timeline, source: 'cp', timeoutMs: 2000 });
    box.replyHook = (command) =>
      command.startsWith('MEAS:PWM:DUTY?') ? '5.02' : command.startsWith('MEAS:PWM:FREQ?') ? '999.8' : undefined;
    try {
      const cp = new ScpiCpPilot('cp', transport, timeline);
      await cp.setVehicleState('B');
      expect(box.settings.get('DIG:OUT:PORT 1')).to.equal('1');
      expect(await cp.read()).to.deep.equal({ state: 'B', pwm: true, dutyPct: 5.02, frequencyHz: 999.8 });
      box.stuckOutputs = true;
      let error: unknown;
      await cp.setVehicleState('C').catch((e) => (error = e));
      expect(error).to.be.instanceOf(PilotReadbackFault);
      expect((error as Error).message).to.contain("CP C: 'DIG:OUT:PORT 1,2' read back as '1', expected '2'");
    } finally {
      await transport.close();
      await box.close();
    }
  });
});
