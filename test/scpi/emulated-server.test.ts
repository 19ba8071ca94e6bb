import { expect } from 'chai';
import { createServer } from 'node:net';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { ScpiInstrumentError, ScpiReplyError, ScpiTimeout } from '../../drivers/scpi/errors.ts';
import { loadInstrumentProfile } from '../../drivers/scpi/profile.ts';
import { InstrumentTrip } from '../../drivers/scpi/protection-trip.ts';
import { Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { PowerStage } from '../../emulator/power/power-stage.ts';
import { startEmulatedScpiServer, type EmulatedScpiServerOptions } from '../../emulator/power/scpi-server.ts';

async function setup(extra: Partial<EmulatedScpiServerOptions> = {}, profile = 'rp7900') {
  const clock = new VirtualClock();
  const timeline = new Timeline({ clock });
  const server = await startEmulatedScpiServer({ clock, timeline, port: 0, ...extra });
  const transport = await TcpScpiTransport.connect({
    host: '127.0.0.1',
    port: server.port,
    clock,
    timeline,
    source: 'battery',
    timeoutMs: 2000,
  });
  const inst = new Rp7900BatteryEmulator({ name: 'battery', transport, clock, timeline, profile: loadInstrumentProfile(profile) });
  return { clock, timeline, server, transport, inst };
}

/** Let loopback replies arrive while the virtual clock stands still. */
const io = () => new Promise((r) => setTimeout(r, 5));

describe('SCPI driver against the emulated instrument over loopback TCP', function () {
  for (const [cls, profile, voltageV] of [
    ['rp7900', 'rp7900', 800],
    ['hp-battery-emulator', 'hp-battery-emulator', 1000],
  ] as const) {
    it(`${cls}: opens, configures the battery, and streams binary Elog stamped with the period read back`, async function () {
      const { clock, timeline, server, inst } = await setup({ instrumentClass: cls }, profile);
      try {
        await inst.open();
        expect(inst.identity().profile).to.equal(profile);
        await inst.setBatteryVoltage(voltageV);
        await inst.setSeriesResistance(0.04);
        await inst.setProtection({ ovpV: voltageV + 100, ocpA: 30, uvpV: voltageV - 200 });
        await inst.setWatchdog(5);
        await inst.setOutput(true);
        const stage = new PowerStage({
          clock,
          timeline,
          ratings: { maxVoltageV: 1250, maxCurrentA: 1500, maxPowerW: 1e6 },
          bus: server.instrument.bus,
          faults: new Set(),
          source: 'charger',
          params: { rampUpAps: 500 },
        });
        stage.startCharging();
        await inst.startStreaming();
        for (let k = 0; k < 30; k++) {
          stage.request({ currentA: 20, voltageV: voltageV + 50 });
          await clock.advance(100);
          await io();
        }
        await inst.flush();
        const i = timeline.samples('currentA', { source: 'battery' });
        expect(i.v.length).to.be.greaterThan(2500);
        const lastI = i.v.slice(-300).reduce((a, b) => a + b) / 300;
        expect(lastI).to.be.closeTo(20, 1); // positive: charging current
        const dt = i.t[1] - i.t[0];
        expect(dt).to.be.closeTo(1e9 / inst.sampleRateHz, 1e-3);
        expect(inst.trips).to.deep.equal([]);
        await inst.shutdown();
        expect(server.instrument.outputOn).to.equal(false);
        await inst.close();
      } finally {
        await server.close();
      }
    });
  }

  it('rp7900: the Elog period is the instrument-rounded one (1 ms → 1.00352 ms), and the stamps use it', async function () {
    const { clock, timeline, server, inst } = await setup();
    try {
      await inst.open();
      await inst.startStreaming();
      for (let k = 0; k < 20; k++) {
        await clock.advance(100);
        await io();
      }
      await inst.flush();
      expect(inst.sampleRateHz).to.be.closeTo(1 / 1.00352e-3, 1e-6);
      const i = timeline.samples('currentA', { source: 'battery' });
      expect(i.t[1] - i.t[0]).to.be.closeTo(1.00352e6, 1);
      await inst.close();
    } finally {
      await server.close();
    }
  });

  it('keeps an instrument error queue: an undefined header (the old SENS:ELOG:FUNC:MINM) is -113', async function () {
    const { server, transport, inst } = await setup();
    try {
      await transport.write('SENS:ELOG:FUNC:MINM OFF');
      await transport.write('VOLT 99999');
      const e = await inst.commands.checkErrors().catch((x) => x);
      expect(e).to.be.instanceOf(ScpiInstrumentError);
      expect(e.errors).to.deep.equal(['-113,"Undefined header"', '-222,"Data out of range"']);
      await inst.commands.checkErrors();
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a garbled reply over the socket is a ScpiReplyError naming the command', async function () {
    const { server, transport, inst } = await setup({ replyHook: (cmd) => (cmd === '*IDN?' ? 'garbage' : undefined) });
    try {
      const e = await inst.open().catch((x) => x);
      expect(e).to.be.instanceOf(ScpiReplyError);
      expect(e.message).to.include("'*IDN?'");
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

  for (const [fault, name] of [
    ['instrument-ov-trip', 'over-voltage protection (OV)'],
    ['instrument-sink-oc-trip', 'over-current protection (OC)'],
    ['instrument-watchdog-trip', 'I/O watchdog (PROT)'],
  ] as const) {
    it(`${fault}: the latched trip (OUTP? unchanged) is seen within one poll, named, and cleared output-off first`, async function () {
      const { clock, timeline, server, inst } = await setup({ faults: new Set([fault]) });
      try {
        await inst.open();
        await inst.setOutput(true);
        const seen: InstrumentTrip[] = [];
        inst.onTrip(async (t) => void seen.push(t));
        for (let k = 0; k < 12 && !seen.length; k++) {
          await clock.advance(100);
          await io();
        }
        expect(seen.map((t) => t.protections)).to.deep.equal([[name]]);
        expect(seen[0]).to.be.instanceOf(InstrumentTrip);
        const tripAt = timeline.query({ kind: 'instrument' }).find((e) => e.data.event === 'protection')!.t;
        const seenAt = timeline.query({ kind: 'instrument' }).find((e) => e.data.event === 'protection-trip')!.t;
        expect(seenAt - tripAt).to.be.at.most(100e6); // within one poll
        expect(await inst.commands.getBool('output')).to.equal(true); // the documented latch: OUTP? unchanged
        expect(server.instrument.outputOn).to.equal(false);
        expect(await inst.setOutput(true).catch((x) => x)).to.equal(seen[0]);
        const before = server.received.length;
        await inst.shutdown();
        const sent = server.received.slice(before);
        expect(sent.indexOf('OUTP OFF')).to.be.lessThan(sent.indexOf('OUTP:PROT:CLE'));
        expect(server.instrument.outputOn).to.equal(false);
        await inst.setOutput(true); // cleared: the bench can go on
      } finally {
        await inst.close();
        await server.close();
      }
    });
  }

  it('the watchdog turns the output off when no SCPI I/O arrives for its delay', async function () {
    const { clock, server, inst, transport } = await setup();
    try {
      await inst.open();
      await inst.setWatchdog(2);
      await inst.setOutput(true);
      await transport.close(); // the harness goes silent
      for (let k = 0; k < 19; k++) await clock.advance(100);
      expect(server.instrument.outputOn).to.equal(true);
      for (let k = 0; k < 3; k++) await clock.advance(100);
      expect(server.instrument.outputOn).to.equal(false);
    } finally {
      await server.close();
    }
  });
});
