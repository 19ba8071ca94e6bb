// The power-analyser driver against transcripts written from its class's guide (every exchange consumed in
// order), the emulated analyser against the same transcripts (it answers each settings query as the guide
// does), and bad replies: a typed error that loses none of the samples already recorded.
import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault, InputError } from '../../drivers/core/errors.ts';
import { Timeline, type SampleBlock } from '../../drivers/core/timeline.ts';
import { floatBlock } from '../../drivers/scpi/binary-block.ts';
import { ScpiInstrumentError, ScpiReplyError } from '../../drivers/scpi/errors.ts';
import { ScpiPowerAnalyser } from '../../drivers/scpi/power-analyser-scpi.ts';
import { TcpScpiTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';
import { EmulatedAnalyser } from '../../emulator/instruments/analyser.ts';
import { ANALYSER_DIALECT } from '../../emulator/instruments/analyser-dialect.ts';
import { startEmulatedAnalyser } from '../../emulator/instruments/analyser-server.ts';
import { DcBus } from '../../emulator/power/dc-bus.ts';
import { rejects } from '../support/rejection.ts';
import { NO_ERROR, OPEN, START, STOP, TWO_UPDATES } from './analyser-transcripts.ts';
import { transcriptRig } from './transcript-rig.ts';

function rig(entries: TranscriptEntry[]) {
  return transcriptRig(
    entries,
    (r) =>
      new ScpiPowerAnalyser({
        name: 'analyser',
        ...r,
        updatePeriodS: 0.008,
        voltageRangeV: 1250,
        currentRangeA: 3000,
        requiredVoltageV: 1250,
        pollMs: 3_600_000,
      }),
  );
}

const blocks = (timeline: Timeline) => timeline.query({ kind: 'samples', source: 'analyser' }).map((e) => e.data as unknown as SampleBlock);

/** A DC bus with 100 A flowing into an 800 V battery behind 10 mΩ: the inlet reads 801 V. */
function busAt100A(clock: VirtualClock): DcBus {
  const bus = new DcBus(clock);
  bus.attachLoad({ connected: true, internalV: () => 800, seriesOhm: () => 0.01, step: () => undefined });
  bus.attachSource({ tick: () => ({ mode: 'current', currentA: 100 }) });
  return bus;
}

describe('power-analyser driver against transcripts from its class guide', function () {
  it('opens into a known state and streams V, I, P stamped with the interval the unit reported', async function () {
    const { clock, timeline, transport, inst } = rig([...OPEN, ...START, ...TWO_UPDATES, ...STOP]);
    await inst.open();
    expect(inst.identity()).to.include({ model: 'Emulated DC power analyser 1500 V', profile: 'power-analyser', updatePeriodS: '0.01' });
    expect(inst.ranges).to.deep.equal({ voltageV: 1500, currentA: 5000 });
    await inst.startStreaming();
    await clock.advance(25);
    await inst.flush();
    await inst.close();
    transport.assertConsumed();
    const b = blocks(timeline);
    expect(b).to.have.length(1);
    expect(b[0].channels).to.deep.equal({ voltageV: [801, 801.5], currentA: [100, 120], powerW: [80100, 96180] });
    expect(b[0].dt).to.equal(10e6); // the interval the unit reported, not the 8 ms asked for
    expect(b[0].t0).to.equal(5e6); // each record is the mean over its interval: stamped at its middle
  });

  it('leaves over-range records out of the trace (a gap, said on the timeline), never as numbers', async function () {
    const { clock, timeline, transport, inst } = rig([
      ...OPEN,
      ...START,
      [':NUM:STR:DATA? 1000', floatBlock([801, 100, 80100, 9.91e37, 9.91e37, 9.91e37, 801.5, 120, 96180])],
      [':NUM:STR:STOP', null],
    ]);
    await inst.open();
    await inst.startStreaming();
    await clock.advance(35);
    await inst.close();
    transport.assertConsumed();
    expect(blocks(timeline).map((b) => [b.t0, b.channels.currentA])).to.deep.equal([
      [5e6, [100]],
      [25e6, [120]],
    ]);
    const said = timeline.query({ kind: 'instrument', source: 'analyser' }).filter((x) => x.data.event === 'over-range');
    expect(said).to.have.length(1);
  });

  it('a unit that lost updates (its buffer overflowed) makes the flush a bench fault, before anything judges the trace', async function () {
    const { clock, transport, inst } = rig([
      ...OPEN,
      ...START,
      [':NUM:STR:DATA? 1000', floatBlock([801, 100, 80100])],
      [':STAT:ERR?', '-350,"Queue overflow"'],
      NO_ERROR,
      ...STOP,
    ]);
    await inst.open();
    await inst.startStreaming();
    await clock.advance(15);
    const e = await rejects(inst.flush());
    expect(e).to.be.instanceOf(ScpiInstrumentError).and.instanceOf(BenchFault);
    expect(e.message).to.include('Queue overflow');
    await inst.close();
    transport.assertConsumed();
  });

  it('reads the present update when not streaming; a value over the input range is a bench fault', async function () {
    const { transport, inst } = rig([
      ...OPEN,
      [':NUM:NORM:VAL?', floatBlock([801, 100, 80100])],
      [':NUM:NORM:VAL?', floatBlock([801, 9.91e37, 9.91e37])],
    ]);
    await inst.open();
    expect(await inst.read()).to.deep.equal({ voltageV: 801, currentA: 100, powerW: 80100 });
    const e = await rejects(inst.read());
    expect(e).to.be.instanceOf(BenchFault);
    expect(e.message).to.include('input range');
    transport.assertConsumed();
  });

  it('refuses to open when a range is below what the bench must measure', async function () {
    const open = OPEN.map((e): TranscriptEntry => (e[0] === ':INP:VOLT:RANG:ELEM1?' ? [e[0], '1.0E+03'] : e));
    const { inst } = rig(open);
    const e = await rejects(inst.open());
    expect(e).to.be.instanceOf(BenchFault);
    expect(e.message).to.include(':INP:VOLT:RANG:ELEM1?');
  });

  it('keeps the samples recorded before a bad stream reply, and says why streaming stopped', async function () {
    const { clock, timeline, transport, inst } = rig([
      ...OPEN,
      ...START,
      ...TWO_UPDATES,
      [':NUM:STR:DATA? 1000', '-350,"Queue overflow"'],
      [':NUM:STR:STOP', null],
    ]);
    await inst.open();
    await inst.startStreaming();
    await clock.advance(25);
    await inst.flush();
    const e = await rejects(inst.flush());
    expect(e).to.be.instanceOf(ScpiReplyError).and.instanceOf(InputError);
    expect(e.message).to.include(':NUM:STR:DATA? 1000');
    expect((await rejects(inst.flush())).message, 'and on every later drain').to.equal(e.message);
    await inst.close();
    transport.assertConsumed();
    expect(blocks(timeline)[0].channels.currentA).to.deep.equal([100, 120]);
    const stopped = timeline.query({ kind: 'instrument', source: 'analyser' }).find((x) => x.data.event === 'stream-error');
    expect(String(stopped?.data.error)).to.include('definite-length block');
  });
});

describe('emulated power analyser, written from the class guide', function () {
  it("answers every settings exchange of the driver's transcript as the guide says, with nothing in its error queue", function () {
    const clock = new VirtualClock();
    const analyser = new EmulatedAnalyser({ clock, dialect: ANALYSER_DIALECT, tap: busAt100A(clock).tap() });
    for (const [command, reply] of [...OPEN, NO_ERROR]) {
      const got = analyser.execute(command);
      expect(got, command).to.deep.equal(reply === null ? [] : [reply]);
    }
  });

  it('replies with headers and auto range until told otherwise, and -113 for a header it does not know', function () {
    const clock = new VirtualClock();
    const analyser = new EmulatedAnalyser({ clock, dialect: ANALYSER_DIALECT, tap: busAt100A(clock).tap() });
    expect(analyser.execute(':RATE?')).to.deep.equal([':RATE 500.0E-03']);
    expect(analyser.execute(':INPUT:VOLTAGE:AUTO:ELEMENT1?')).to.deep.equal([':INPUT:VOLTAGE:AUTO:ELEMENT1 1']);
    analyser.execute(':COMM:HEAD OFF;:SENS:ELOG:PER 0.001');
    expect(analyser.execute(':STAT:ERR?;:STAT:ERR?')).to.deep.equal(['-113,"Undefined header"', '0,"No error"']);
  });

  it('streams the bus as the driver reads it: its own interval, means over it, until a fault breaks its reply', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    const timeline = new Timeline({ clock });
    const faults = new Set(['analyser-error-reply']);
    const server = await startEmulatedAnalyser({ clock, timeline, name: 'unit', bus: busAt100A(clock), port: 'memory', faults });
    const transport = TcpScpiTransport.inProcess(server.connectInProcess(), { clock, timeline, source: 'analyser' });
    const inst = new ScpiPowerAnalyser({ name: 'analyser', transport, clock, timeline, updatePeriodS: 0.01, pollMs: 100 });
    await inst.open();
    await inst.startStreaming();
    await clock.sleep(500);
    await inst.flush();
    const before = blocks(timeline).flatMap((b) => b.channels.currentA);
    expect(before.length).to.be.within(45, 50);
    expect(blocks(timeline)[0].dt).to.equal(10e6);
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(mean(before)).to.be.closeTo(100, 0.01);
    expect(mean(blocks(timeline).flatMap((b) => b.channels.voltageV))).to.be.closeTo(801, 0.02);
    await clock.sleep(1000);
    const e = await rejects(inst.flush());
    expect(e).to.be.instanceOf(ScpiReplyError);
    expect(
      blocks(timeline)
        .flatMap((b) => b.channels.currentA)
        .slice(0, before.length),
    ).to.deep.equal(before);
    await inst.close();
    await server.close();
    clock.stopAutoAdvance();
  });
});
