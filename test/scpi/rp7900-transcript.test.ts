import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault, InputError } from '../../drivers/core/errors.ts';
import { Timeline, type SampleBlock } from '../../drivers/core/timeline.ts';
import { ScpiInstrumentError, ScpiReplyError, ScpiValueError } from '../../drivers/scpi/errors.ts';
import { Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { TranscriptMismatch, TranscriptTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';

// A recorded session with an RP7900-class unit (the exchange our driver performs on a bench, replies as
// the instrument formats them): open, configure the battery, protect, stream, stop, safe state.
const OPEN: TranscriptEntry[] = [
  ['*IDN?', 'Keysight Technologies,RP7952A,MY00001234,B.03.02.1232'],
  ['*CLS', null],
  ['OUTP?', '0'],
  ['SYST:ERR?', '+0,"No error"'],
];

function rig(entries: TranscriptEntry[], pollMs?: number) {
  const clock = new VirtualClock();
  const timeline = new Timeline({ clock });
  const transport = new TranscriptTransport(entries);
  const inst = new Rp7900BatteryEmulator({ name: 'battery', transport, clock, timeline, maxVoltageV: 1500, maxCurrentA: 1000, pollMs });
  return { clock, timeline, transport, inst };
}

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('RP7900 battery-emulator driver against a recorded transcript', function () {
  it('opens, configures the battery, streams Elog records onto the timeline and goes to its safe state', async function () {
    const { clock, timeline, transport, inst } = rig([
      ...OPEN,
      ['VOLT 816.5', null],
      ['VOLT:RES 0.04', null],
      ['VOLT:RES:STAT ON', null],
      ['VOLT:PROT:LEV 950', null],
      ['CURR:LIM:NEG -1000', null],
      ['SYST:ERR?', '+0,"No error"'],
      ['OUTP:PROT:WDOG:DEL 5', null],
      ['OUTP:PROT:WDOG ON', null],
      ['OUTP ON', null],
      ['SENS:ELOG:FUNC:VOLT ON', null],
      ['SENS:ELOG:FUNC:CURR ON', null],
      ['SENS:ELOG:FUNC:MINM OFF', null],
      ['SENS:ELOG:PER 0.001', null],
      ['INIT:ELOG', null],
      ['TRIG:ELOG', null],
      // current first (sourcing positive: the charger's current flows IN, so it reads negative), then voltage
      ['FETC:ELOG? 1000', '-100.5,820.1,-101,820.2,-101.5,820.25'],
      ['VOLT?', '816.5'],
      ['FETC:ELOG? 1000', ''],
      ['OUTP OFF', null],
      ['ABOR:ELOG', null],
    ]);
    await inst.open();
    expect(inst.identity()).to.include({ vendor: 'Keysight Technologies', model: 'RP7952A', firmware: 'B.03.02.1232' });
    await inst.setBatteryVoltage(816.5);
    await inst.setSeriesResistance(0.04);
    await inst.setProtection({ ovpV: 950, ocpA: 1000 });
    await inst.setWatchdog(5);
    await inst.setOutput(true);
    expect(inst.outputOn).to.equal(true);
    const t0 = clock.now();
    await inst.startStreaming();
    await inst.flush();
    expect(await inst.batteryVoltageV()).to.equal(816.5);
    await inst.close();
    transport.assertConsumed();
    const blocks = timeline.query({ kind: 'samples', source: 'battery' }).map((e) => e.data as unknown as SampleBlock);
    expect(blocks).to.have.length(1);
    expect(blocks[0].channels.currentA).to.deep.equal([100.5, 101, 101.5]);
    expect(blocks[0].channels.voltageV).to.deep.equal([820.1, 820.2, 820.25]);
    expect(blocks[0].dt).to.equal(1e6);
    expect(blocks[0].t0).to.equal(t0 + 1e6); // stamped from the trigger, at the end of each period
    expect(timeline.query({ kind: 'safe-state' })).to.have.length(1);
  });

  it('refuses a set point outside the declared range before sending anything', async function () {
    const { inst, transport } = rig([]);
    const e = await rejects(inst.setBatteryVoltage(2000));
    expect(e).to.be.instanceOf(ScpiValueError).and.instanceOf(InputError);
    expect(e.message).to.include("SCPI 'VOLT'").and.include('outside 0..1500');
    expect(transport.sent).to.deep.equal([]);
  });

  it('turns unusable replies into ScpiReplyError naming the instrument and the command', async function () {
    const bad = rig([['*IDN?', 'garbage']]);
    const e1 = await rejects(bad.inst.open());
    expect(e1).to.be.instanceOf(ScpiReplyError).and.instanceOf(InputError);
    expect(e1.message).to.include("battery SCPI '*IDN?'").and.include('garbage');

    const nan = rig([['MEAS:VOLT?', '9.91E37']]);
    expect(await rejects(nan.inst.read())).to.be.instanceOf(ScpiReplyError);

    const word = rig([['OUTP?', 'maybe']]);
    expect(await rejects(word.inst.output.get())).to.be.instanceOf(ScpiReplyError);
  });

  it('a torn Elog reply stops streaming, keeps what was recorded, and every later flush reports it', async function () {
    const { inst, timeline, transport } = rig([
      ['SENS:ELOG:FUNC:VOLT ON', null],
      ['SENS:ELOG:FUNC:CURR ON', null],
      ['SENS:ELOG:FUNC:MINM OFF', null],
      ['SENS:ELOG:PER 0.001', null],
      ['INIT:ELOG', null],
      ['TRIG:ELOG', null],
      ['FETC:ELOG? 1000', '-10,800,-11,800.5'],
      ['FETC:ELOG? 1000', '-12,801,-13'],
    ]);
    await inst.startStreaming();
    await inst.flush();
    const e = await rejects(inst.flush());
    expect(e).to.be.instanceOf(ScpiReplyError);
    expect(e.message).to.include('pairs');
    expect(await rejects(inst.flush())).to.equal(e);
    transport.assertConsumed();
    expect(timeline.samples('currentA').v).to.deep.equal([10, 11]);
    expect(timeline.query({ kind: 'instrument' }).some((x) => x.data.event === 'stream-error')).to.equal(true);
  });

  it('an error in the instrument queue is a bench fault (broken), not bad input', async function () {
    const { inst } = rig([
      ['VOLT:PROT:LEV 900', null],
      ['SYST:ERR?', '-222,"Data out of range"'],
      ['SYST:ERR?', '+0,"No error"'],
    ]);
    const e = await rejects(inst.setProtection({ ovpV: 900 }));
    expect(e).to.be.instanceOf(ScpiInstrumentError).and.instanceOf(BenchFault);
    expect((e as ScpiInstrumentError).errors).to.deep.equal(['-222,"Data out of range"']);
  });

  it('the transcript itself catches a driver that sends the wrong command', async function () {
    const { inst } = rig([['VOLT 800', null]]);
    expect(await rejects(inst.setOutput(true))).to.be.instanceOf(TranscriptMismatch);
  });

  it('keeps trigger-based stamps, and warns (elog-lag) when the newest record lags five replies in a row', async function () {
    const elog: TranscriptEntry[] = [
      ['SENS:ELOG:FUNC:VOLT ON', null],
      ['SENS:ELOG:FUNC:CURR ON', null],
      ['SENS:ELOG:FUNC:MINM OFF', null],
      ['SENS:ELOG:PER 0.001', null],
      ['INIT:ELOG', null],
      ['TRIG:ELOG', null],
    ];
    const fetches: TranscriptEntry[] = Array.from({ length: 6 }, () => ['FETC:ELOG? 1000', '-1,800'] as const);
    const { clock, timeline, inst } = rig([...elog, ...fetches], 3_600_000); // no background polling: the test fetches
    await inst.startStreaming();
    // one slow reply: 5 s pass but only one record arrives — no warning yet
    await clock.advance(5000);
    await inst.flush();
    expect(timeline.query({ kind: 'instrument' }).some((e) => e.data.event === 'elog-lag')).to.equal(false);
    // the lag persists over five fetches in a row: records were lost
    for (let k = 0; k < 5; k++) {
      await clock.advance(5000);
      await inst.flush();
    }
    const lag = timeline.query({ kind: 'instrument' }).find((e) => e.data.event === 'elog-lag');
    expect(lag, 'elog-lag recorded').to.not.equal(undefined);
    expect(lag!.data.lagMs as number).to.be.greaterThan(4900);
    // the stamps stay one period apart from the trigger
    const blocks = timeline.query({ kind: 'samples' }).map((e) => (e.data as unknown as SampleBlock).t0);
    expect(blocks.map((t, k) => t - blocks[0] - k * 1e6)).to.deep.equal([0, 0, 0, 0, 0, 0]);
  });
});
