// The driver against transcripts written from the RP7900 programming guide's command reference (spellings,
// reply formats, the latched-trip behaviour): every exchange must be consumed in order, so a driver that
// misspells a command, skips a read-back or clears a trip with the output still programmed on fails here.
import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault, InputError } from '../../drivers/core/errors.ts';
import { Timeline, type SampleBlock } from '../../drivers/core/timeline.ts';
import { floatBlock } from '../../drivers/scpi/binary-block.ts';
import { ScpiInstrumentError, ScpiReplyError, ScpiValueError } from '../../drivers/scpi/errors.ts';
import { loadInstrumentProfile } from '../../drivers/scpi/profile.ts';
import { InstrumentTrip } from '../../drivers/scpi/protection-trip.ts';
import { Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { TranscriptMismatch, TranscriptTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';
import { CONFIGURE, ELOG, NO_ERROR, OPEN, QUIET } from './rp7900-transcripts.ts';
import { transcriptRig } from './transcript-rig.ts';

function rig(entries: TranscriptEntry[], o: { pollMs?: number; maxVoltageV?: number } = {}) {
  return transcriptRig(
    entries,
    (r) => new Rp7900BatteryEmulator({ name: 'battery', ...r, pollMs: o.pollMs ?? 3_600_000, maxVoltageV: o.maxVoltageV }),
  );
}

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

async function configure(inst: Rp7900BatteryEmulator): Promise<void> {
  await inst.open();
  await inst.setBatteryVoltage(816.5);
  await inst.setSeriesResistance(0.04);
  await inst.setProtection({ ovpV: 900, ocpA: 35, uvpV: 600 });
  await inst.setWatchdog(5);
}

describe('RP7900 driver against transcripts from the programming guide', function () {
  it('opens into a known state, configures and protects the battery, streams binary Elog, goes to its safe state', async function () {
    const { clock, timeline, transport, inst } = rig([
      ...OPEN,
      ...CONFIGURE,
      ['OUTP ON', null],
      ['OUTP?', '1'],
      ...ELOG,
      // current first (sourcing positive: the charger's current flows IN, so it reads negative), then voltage
      ['FETC:ELOG? 1000', floatBlock([-10.5, 820.125, -11, 820.25, -11.5, 820.5])],
      ['FETC:ELOG? 1000', floatBlock([])],
      ['OUTP OFF', null],
      ['OUTP?', '0'],
      ...QUIET,
      ['ABOR:ELOG', null],
    ]);
    await configure(inst);
    expect(inst.identity()).to.include({ vendor: 'Keysight Technologies', model: 'RP7952A', profile: 'rp7900' });
    expect(inst.ratings).to.deep.equal({ maxVoltageV: 950, maxCurrentA: 40, maxResistanceOhm: 1, maxOvpV: 1045 });
    await inst.setOutput(true);
    const t0 = clock.now();
    await inst.startStreaming();
    await inst.flush();
    await inst.close();
    transport.assertConsumed();
    const blocks = timeline.query({ kind: 'samples', source: 'battery' }).map((e) => e.data as unknown as SampleBlock);
    expect(blocks).to.have.length(1);
    expect(blocks[0].channels.currentA).to.deep.equal([10.5, 11, 11.5]);
    expect(blocks[0].channels.voltageV).to.deep.equal([820.125, 820.25, 820.5]);
    expect(blocks[0].dt).to.be.closeTo(1.00352e6, 1e-3); // the period the instrument reported, not the one asked for
    expect(blocks[0].t0).to.be.closeTo(t0 + 1.00352e6, 1e-3);
  });

  it('a bench file allowing more than the unit is rated for is a bench fault at open', async function () {
    const { inst } = rig(OPEN.slice(0, 7), { maxVoltageV: 1250 });
    const e = await rejects(inst.open());
    expect(e).to.be.instanceOf(BenchFault);
    expect(e.message).to.include('maxVoltageV = 1250').and.include('rated 950');
  });

  it('reads the protection status each poll with the output on; a trip is named and cleared output-off first', async function () {
    const { clock, timeline, transport, inst } = rig(
      [
        ...OPEN,
        ['OUTP ON', null],
        ['OUTP?', '1'],
        ...QUIET,
        // OV tripped: the output is latched off, OUTP? would still say 1 — only the condition register shows it
        ['STAT:QUES:COND?', '+1'],
        ['STAT:QUES2:COND?', '+0'],
        // safe state: output off FIRST (the clear restores the state before the fault), then clear, then confirm
        ['OUTP OFF', null],
        ['OUTP?', '0'],
        ['STAT:QUES:COND?', '+1'],
        ['STAT:QUES2:COND?', '+0'],
        ['OUTP:PROT:CLE', null],
        ['STAT:QUES:COND?', '+0'],
        ['STAT:QUES2:COND?', '+0'],
      ],
      { pollMs: 100 },
    );
    await inst.open();
    const trips: InstrumentTrip[] = [];
    inst.onTrip(async (t) => void trips.push(t));
    await inst.setOutput(true);
    await clock.advance(100);
    expect(trips).to.deep.equal([]);
    await clock.advance(100);
    expect(trips.map((t) => t.protections)).to.deep.equal([['over-voltage protection (OV)']]);
    expect(trips[0]).to.be.instanceOf(BenchFault);
    expect(await rejects(inst.setOutput(true))).to.equal(trips[0]); // refused while latched, nothing sent
    await inst.shutdown();
    transport.assertConsumed();
    const events = timeline.query({ kind: 'instrument' }).map((e) => e.data.event);
    expect(events).to.include.members(['protection-trip', 'protection-cleared']);
  });

  it('an under-voltage trip shows in Questionable2 (bit 6) and is named', async function () {
    const { clock, inst, transport } = rig(
      [...OPEN, ['OUTP ON', null], ['OUTP?', '1'], ['STAT:QUES:COND?', '+0'], ['STAT:QUES2:COND?', '+64']],
      { pollMs: 100 },
    );
    await inst.open();
    await inst.setOutput(true);
    await clock.advance(100);
    transport.assertConsumed();
    expect(inst.trips.map((t) => t.protections)).to.deep.equal([['under-voltage protection (UV)']]);
  });

  it('a setting the unit does not take (read back differs) is a bench fault naming the command', async function () {
    const { inst } = rig([
      ['VOLT 800', null],
      ['VOLT?', '+0.00000E+00'],
    ]);
    const e = await rejects(inst.setBatteryVoltage(800));
    expect(e).to.be.instanceOf(BenchFault);
    expect(e.message).to.include("'VOLT?' reads back 0, 800 was set");
  });

  it('refuses a set point outside the ratings, and a watchdog delay in fractions of a second, before sending anything', async function () {
    const { inst, transport } = rig([]);
    const e = await rejects(inst.setBatteryVoltage(2000));
    expect(e).to.be.instanceOf(ScpiValueError).and.instanceOf(InputError);
    expect(e.message).to.include('outside 0..950');
    expect(await rejects(inst.setWatchdog(2.5))).to.be.instanceOf(ScpiValueError);
    expect(transport.sent).to.deep.equal([]);
  });

  it('turns unusable replies into ScpiReplyError naming the instrument and the command', async function () {
    const bad = rig([
      ['ABOR:ELOG', null],
      ['*IDN?', 'garbage'],
    ]);
    const e1 = await rejects(bad.inst.open());
    expect(e1).to.be.instanceOf(ScpiReplyError).and.instanceOf(InputError);
    expect(e1.message).to.include("battery SCPI '*IDN?'").and.include('garbage');
    const nan = rig([['MEAS:VOLT?', '9.91E37']]);
    expect(await rejects(nan.inst.read())).to.be.instanceOf(ScpiReplyError);
  });

  it('a torn binary Elog block stops streaming, keeps what was recorded, and every later flush reports it', async function () {
    const torn = floatBlock([-12, 801, -13]);
    const { inst, timeline, transport } = rig([
      ...ELOG,
      ['FETC:ELOG? 1000', floatBlock([-10, 800, -11, 800.5])],
      ['FETC:ELOG? 1000', torn],
    ]);
    await inst.startStreaming();
    await inst.flush();
    const e = await rejects(inst.flush());
    expect(e).to.be.instanceOf(ScpiReplyError);
    expect(e.message).to.include('pairs');
    expect(await rejects(inst.flush())).to.equal(e);
    transport.assertConsumed();
    expect(timeline.samples('currentA').v).to.deep.equal([10, 11]);
  });

  it('an error in the instrument queue is a bench fault (broken), not bad input', async function () {
    const { inst } = rig([['VOLT:PROT 900', null], ['VOLT:PROT?', '+9.00000E+02'], ['SYST:ERR?', '-222,"Data out of range"'], NO_ERROR]);
    const e = await rejects(inst.setProtection({ ovpV: 900 }));
    expect(e).to.be.instanceOf(ScpiInstrumentError).and.instanceOf(BenchFault);
    expect((e as ScpiInstrumentError).errors).to.deep.equal(['-222,"Data out of range"']);
  });

  it('the guide transcript catches a profile that spells a command the guide does not have (the old min/max switch)', async function () {
    const good = loadInstrumentProfile('rp7900');
    const old = { ...good, commands: { ...good.commands, elogVoltageMinMax: { set: 'SENS:ELOG:FUNC:MINM', verified: false } } };
    const clock = new VirtualClock();
    const transport = new TranscriptTransport(ELOG);
    const inst = new Rp7900BatteryEmulator({ name: 'battery', transport, clock, timeline: new Timeline({ clock }), profile: old });
    const e = await rejects(inst.startStreaming());
    expect(e).to.be.instanceOf(TranscriptMismatch);
    expect(e.message).to.include("expected 'SENS:ELOG:FUNC:VOLT:MINM OFF', got 'SENS:ELOG:FUNC:MINM OFF'");
  });

  it('while logging, a reading comes from the Elog records (no MEAS during Elog)', async function () {
    const { inst, transport } = rig([...ELOG, ['FETC:ELOG? 1000', floatBlock([-20, 810])], ['FETC:ELOG? 1000', floatBlock([])]]);
    await inst.startStreaming();
    expect(await inst.read()).to.deep.equal({ currentA: 20, voltageV: 810 });
    transport.assertConsumed();
    expect(transport.sent.some((c) => c.startsWith('MEAS'))).to.equal(false);
  });
});
