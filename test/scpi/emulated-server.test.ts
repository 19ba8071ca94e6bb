import { expect } from 'chai';
import { createServer } from 'node:net';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { ScpiInstrumentError, ScpiReplyError, ScpiTimeout } from '../../drivers/scpi/errors.ts';
import { Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { startEmulatedScpiServer, type EmulatedScpiServerOptions } from '../../emulator/power/scpi-server.ts';

async function setup(extra: Partial<EmulatedScpiServerOptions> = {}) {
  const clock = new VirtualClock();
  const timeline = new Timeline({ clock });
  const server = await startEmulatedScpiServer({ clock, timeline, port: 0, ...extra });
  const transport = await TcpScpiTransport.connect({ host: '127.0.0.1', port: server.port, clock, timeline, source: 'battery', timeoutMs: 2000 });
  const inst = new Rp7900BatteryEmulator({ name: 'battery', transport, clock, timeline });
  return { clock, timeline, server, transport, inst };
}

describe('SCPI driver against the emulated SCPI server over loopback TCP', function () {
  it('configures the emulated battery, and streams the current an emulated charger pushes into it', async function () {
    const { clock, timeline, server, inst } = await setup();
    try {
      await inst.open();
      expect(inst.identity().model).to.equal('Emulated RP7952A');
      await inst.setBatteryVoltage(800);
      await inst.setSeriesResistance(0.04);
      await inst.setProtection({ ovpV: 950, ocpA: 1500 });
      expect(await inst.batteryVoltageV()).to.equal(800);
      await inst.setOutput(true);
      expect(await inst.output.get()).to.equal(true);

      const stage = new PowerStage({ clock, timeline, ratings: { maxVoltageV: 1250, maxCurrentA: 1500, maxPowerW: 1e6 }, bus: server.instrument.bus, faults: new Set(), source: 'charger', params: { rampUpAps: 500 } });
      stage.startCharging();
      await inst.startStreaming();
      for (let k = 0; k < 50; k++) {
        stage.request({ currentA: 200, voltageV: 900 });
        await clock.advance(100);
      }
      await inst.flush();
      const i = timeline.samples('currentA', { source: 'battery' });
      const v = timeline.samples('voltageV', { source: 'battery' });
      expect(i.v.length).to.be.within(4990, 5010); // 5 s at 1 kS/s, no gaps
      const lastI = i.v.slice(-500).reduce((a, b) => a + b) / 500;
      const lastV = v.v.slice(-500).reduce((a, b) => a + b) / 500;
      expect(lastI).to.be.closeTo(199, 2); // positive: charging current
      expect(lastV).to.be.closeTo(800 + 199 * 0.04, 0.5);
      for (let k = 1; k < i.t.length; k++) expect(i.t[k] - i.t[k - 1]).to.equal(1e6);
      const r = await inst.read();
      expect(r.currentA).to.be.closeTo(199, 3);
      await inst.shutdown();
      expect(await inst.output.get()).to.equal(false);
      await inst.close();
    } finally {
      await server.close();
    }
  });

  it('keeps an instrument error queue: an undefined header becomes ScpiInstrumentError on the next check', async function () {
    const { server, transport, inst } = await setup();
    try {
      await transport.write('VOLT:BOGUS 1');
      await transport.write('VOLT 99999');
      const e = await inst.checkErrors().catch((x) => x);
      expect(e).to.be.instanceOf(ScpiInstrumentError);
      expect(e.errors).to.deep.equal(['-113,"Undefined header"', '-222,"Data out of range"']);
      await inst.checkErrors(); // the queue is empty now
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a garbled reply over the socket is a ScpiReplyError, the connection stays usable', async function () {
    const { server, transport, inst } = await setup({ replyHook: (cmd) => (cmd === 'MEAS:VOLT?' ? '8OO.0V' : undefined) });
    try {
      const e = await inst.read().catch((x) => x);
      expect(e).to.be.instanceOf(ScpiReplyError);
      expect(e.message).to.include("'MEAS:VOLT?'");
      expect(await inst.output.get()).to.equal(false);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a silent instrument times out on the clock as a ScpiTimeout (bench fault)', async function () {
    const clock = new VirtualClock();
    const accepted: import('node:net').Socket[] = [];
    const silent = createServer((s) => void accepted.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const transport = await TcpScpiTransport.connect({ host: '127.0.0.1', port, clock, timeoutMs: 500 });
    try {
      const pending = transport.query('*IDN?').catch((x) => x);
      await new Promise((r) => setTimeout(r, 20));
      await clock.advance(600);
      const e = await pending;
      expect(e).to.be.instanceOf(ScpiTimeout);
      expect(e.message).to.include("no reply to '*IDN?' within 500 ms");
    } finally {
      await transport.close();
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('the emulated instrument latches its output off on over-voltage', async function () {
    const { clock, timeline, server, inst } = await setup();
    try {
      await inst.setBatteryVoltage(800);
      await inst.setProtection({ ovpV: 850 });
      await inst.setOutput(true);
      await inst.setBatteryVoltage(900);
      await clock.advance(300);
      expect(await inst.output.get()).to.equal(false);
      expect(timeline.query({ kind: 'instrument' }).some((e) => e.data.reason === 'over-voltage protection')).to.equal(true);
    } finally {
      await inst.close();
      await server.close();
    }
  });
});
