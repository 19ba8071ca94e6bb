// Done-when of issue 16: the harness process killed mid-ramp leaves the emulated instrument's output off
// after its I/O watchdog delay. The instrument runs here on a virtual clock; the "harness" is a real child
// process talking SCPI over loopback, killed with SIGKILL (no safe state, no goodbye).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { startEmulatedScpiServer } from '../../emulator/power/scpi-server.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'harness-child.ts');
const WATCHDOG_S = 1;

describe('a harness killed mid-ramp', function () {
  it('leaves the emulated battery emulator output off after its watchdog delay', async function () {
    const clock = new VirtualClock();
    const timeline = new Timeline({ clock });
    const server = await startEmulatedScpiServer({ clock, timeline, port: 0 });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(server.port), String(WATCHDOG_S)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      while (!out.includes('ready')) {
        if (child.exitCode !== null) throw new Error(`the harness child exited with ${child.exitCode} before it was ready`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const battery = server.instrument;
      expect(battery.outputOn, 'output on once the harness is ready').to.equal(true);
      const stage = new PowerStage({
        clock,
        timeline,
        ratings: { maxVoltageV: 1250, maxCurrentA: 1500, maxPowerW: 1e6 },
        bus: battery.bus,
        faults: new Set(),
        source: 'charger',
        params: { rampUpAps: 50 },
      });
      stage.startCharging();
      for (let k = 0; k < 3; k++) {
        stage.request({ currentA: 30, voltageV: 880 });
        await clock.advance(100);
        await new Promise((r) => setTimeout(r, 30)); // the child's SCPI I/O keeps the watchdog fed
      }
      expect(battery.bus.state().currentA, 'mid-ramp').to.be.within(1, 29);
      child.kill('SIGKILL');
      await once(child, 'exit');
      await clock.advance(500);
      expect(battery.outputOn, 'still on before the watchdog delay').to.equal(true);
      await clock.advance(WATCHDOG_S * 1000);
      expect(battery.outputOn, 'off after the watchdog delay').to.equal(false);
      expect(timeline.query({ kind: 'instrument' }).some((e) => e.data.reason === 'I/O watchdog')).to.equal(true);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
  });
});
