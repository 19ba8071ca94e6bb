import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { InputError } from '../../drivers/core/errors.ts';
import { canFrame, sameFrame, type CanFrame } from '../../drivers/can/frame.ts';
import { openVirtualCan } from '../../drivers/can/virtual-bus.ts';
import { formatCandump, parseCandump, parseCandumpLine } from '../../drivers/can/trace-candump.ts';
import { formatPcap, parsePcap, socketcanPacket } from '../../drivers/can/trace-pcap.ts';
import { formatAsc } from '../../drivers/can/trace-asc.ts';
import { readTraceFile, traceFormatOf, writeTraceFile } from '../../drivers/can/trace-files.ts';
import { TraceFormatError, type TraceRecord } from '../../drivers/can/trace-record.ts';
import { SAMPLE_RECORDS } from './sample-records.ts';
import { playTrace } from '../../drivers/can/trace-player.ts';
import { candumpText, CandumpRecorder } from '../../drivers/can/candump-recorder.ts';

const FIXTURE = new URL('./fixtures/gbt-session-excerpt.log', import.meta.url).pathname;

function expectSameRecords(a: TraceRecord[], b: TraceRecord[]): void {
  expect(a.length).to.equal(b.length);
  a.forEach((r, i) => {
    expect(r.epochUs, `record ${i} time`).to.equal(b[i].epochUs);
    expect(sameFrame(r.frame, b[i].frame), `record ${i} frame`).to.equal(true);
    expect(!!r.frame.brs).to.equal(!!b[i].frame.brs);
    expect(!!r.frame.esi).to.equal(!!b[i].frame.esi);
  });
}

describe('CAN trace files', function () {
  it('writes candump lines byte-for-byte like candump -L and reads them back', function () {
    const text = formatCandump(SAMPLE_RECORDS);
    expect(text.split('\n').slice(0, 8)).to.deep.equal([
      '(1703560127.487397) can0 1826F456#010100',
      '(1703560127.500000) can0 123#',
      '(1703560127.500001) can0 7FF#0102030405060708',
      '(1703560127.600000) can0 321#R4',
      '(1703560127.700000) can0 456##1000102030405060708090A0B',
      `(1703560127.800000) can0 1ABCDEF0##2${Array.from({ length: 64 }, (_, i) => (255 - i).toString(16).toUpperCase()).join('')}`,
      '(1703560127.900000) can0 20000080#0000000000000000',
      '(1703560128.000000) gbt 00000005#AA',
    ]);
    expectSameRecords(parseCandump(text).records, SAMPLE_RECORDS);
  });

  it('reads a real GB/T candump excerpt, candump -x directions, ns timestamps and len8_dlc', function () {
    const recs = readTraceFile(FIXTURE);
    expect(recs).to.have.length(9);
    expect(recs[2].frame).to.deep.include({ id: 0x1cec56f4, extended: true });
    const r = parseCandumpLine('(1703560127.487397123) vcan0 123#1122334455667788_E R', 'x');
    expect(r).to.deep.include({ epochUs: 1703560127_487397, bus: 'vcan0', dir: 'rx' });
    expect(r.frame.data.length).to.equal(8);
    expect(parseCandumpLine('(0.5) can0 123#R', 'x').frame).to.include({ rtr: true });
  });

  it('reports a bad line as a TraceFormatError with file:line, or collects it when tolerant', function () {
    const text = '(1.000000) can0 123#11\n(2.000000) can0 12345#11\n(3.000000) can0 123#1\ngarbage\n(4.000000) can0 800#00\n';
    expect(() => parseCandump(text, 'run/can.log'))
      .to.throw(TraceFormatError, /^run\/can\.log:2: identifier '12345'/)
      .and.to.be.instanceOf(InputError);
    const { records, errors } = parseCandump(text, 'run/can.log', { tolerant: true });
    expect(records).to.have.length(1);
    expect(errors.map((e) => e.where)).to.deep.equal(['run/can.log:2', 'run/can.log:3', 'run/can.log:4', 'run/can.log:5']);
  });

  it('writes pcap LINKTYPE_CAN_SOCKETCAN with a big-endian id word and reads it back', function () {
    const pkt = socketcanPacket(canFrame(0x1826f456, [1, 1, 0]));
    expect(pkt.toString('hex')).to.equal('9826f456' + '03' + '00' + '0000' + '0101000000000000');
    const fd = socketcanPacket(SAMPLE_RECORDS[4].frame);
    expect(fd.length).to.equal(72);
    expect(fd.subarray(0, 8).toString('hex')).to.equal('000004560c050000'); // FDF|BRS
    expect(socketcanPacket(SAMPLE_RECORDS[3].frame).readUInt32BE(0)).to.equal(0x40000321);
    expect(socketcanPacket(SAMPLE_RECORDS[6].frame).readUInt32BE(0)).to.equal(0x20000080);
    const file = formatPcap(SAMPLE_RECORDS);
    expect(file.readUInt32LE(0)).to.equal(0xa1b2c3d4);
    expect(file.readUInt32LE(20)).to.equal(227);
    const back = parsePcap(file);
    expectSameRecords(
      back,
      SAMPLE_RECORDS.map((r) => ({ ...r, frame: r.frame.rtr ? { ...r.frame, data: new Uint8Array(4) } : r.frame })),
    );
    expect(() => parsePcap(file.subarray(0, file.length - 3), 'cut.pcap')).to.throw(TraceFormatError, /cut\.pcap packet 8: truncated/);
  });

  it('writes Vector ASC with relative timestamps, numbered channels, x for extended ids', function () {
    const asc = formatAsc(SAMPLE_RECORDS);
    const lines = asc.split('\n');
    expect(lines[0]).to.match(/^date \w{3} Dec 26 03:08:47\.487 2023$/);
    expect(lines).to.include('   0.000000 1  1826F456x       Rx   d 3 01 01 00');
    expect(lines).to.include('   0.012603 1  123             Rx   d 0');
    expect(lines).to.include('   0.112603 1  321             Rx   r 4');
    expect(lines).to.include('   0.412603 1  ErrorFrame');
    expect(lines).to.include('   0.512603 2  5x              Rx   d 1 AA');
    expect(lines.at(-2)).to.equal('End TriggerBlock');
  });

  it('chooses reader and writer by suffix, and refuses unknown ones clearly', function () {
    const dir = mkdtempSync(join(tmpdir(), 'can-traces-'));
    for (const name of ['t.log', 't.pcap']) {
      writeTraceFile(join(dir, name), SAMPLE_RECORDS);
      expectSameRecords(
        readTraceFile(join(dir, name)).map((r) => ({ ...r })),
        SAMPLE_RECORDS,
      );
    }
    writeTraceFile(join(dir, 't.asc'), SAMPLE_RECORDS);
    expect(readFileSync(join(dir, 't.asc'), 'utf8')).to.match(/^date /);
    expect(() => readTraceFile(join(dir, 't.asc'))).to.throw(TraceFormatError, /asc2log/);
    expect(() => traceFormatOf('x.blf')).to.throw(TraceFormatError, /\.log \(candump\), \.pcap or \.asc/);
  });

  it('replays a log onto a bus with the original spacing on the clock', async function () {
    const clock = new VirtualClock();
    const player = openVirtualCan('replay1', { clock });
    const listener = openVirtualCan('replay1', { clock });
    const got: { t: number; f: CanFrame }[] = [];
    listener.onFrame((f) => got.push({ t: clock.nowMs(), f }));
    const done = playTrace(readTraceFile(FIXTURE), player, { clock, speed: 2, filter: (r) => r.epochUs >= 1703560144_000000 });
    await clock.advance(10_000);
    expect(await done).to.deep.equal({ sent: 7, skipped: 0 });
    expect(got.map((g) => g.t)).to.deep.equal([0, 0.2135, 34.0765, 34.447, 35.219, 3043.5855, 3068.5855]);
    expect(got[0].f.id).to.equal(0x1cec56f4);
    await player.close();
    await listener.close();
  });

  it('records the run’s can.log from the timeline and renders any slice as candump text', async function () {
    const clock = new VirtualClock({ startWallMs: Date.UTC(2026, 10, 25, 12, 0, 0) });
    const timeline = new Timeline({ clock });
    const dir = mkdtempSync(join(tmpdir(), 'can-rec-'));
    const vehicle = openVirtualCan('rec1', { clock, timeline, source: 'gbt-can' });
    const charger = openVirtualCan('rec1', { clock, timeline, source: 'charger-can' });
    await vehicle.send(canFrame(0x182756f4, [0xa5, 0x10])); // before the recorder started: still written
    const rec = new CandumpRecorder({ timeline, file: join(dir, 'can.log'), sources: ['gbt-can'] }).start();
    await clock.advance(250);
    const mark = timeline.mark();
    await charger.send(canFrame(0x1826f456, [1, 1, 0]));
    await clock.advance(1);
    rec.stop();
    const log = readFileSync(join(dir, 'can.log'), 'utf8');
    const sec = Date.UTC(2026, 10, 25, 12, 0, 0) / 1000;
    expect(log).to.equal(`(${sec}.000000) gbt-can 182756F4#A510\n(${sec}.250000) gbt-can 1826F456#010100\n`);
    expect(rec.written).to.equal(2);
    const slice = timeline.query({ afterSeq: mark });
    expect(candumpText(slice, { clock, sources: ['gbt-can'], direction: true })).to.equal(`(${sec}.250000) gbt-can 1826F456#010100 R\n`);
    expect(candumpText(slice, { clock }).split('\n').filter(Boolean)).to.have.length(2); // tx at the charger + rx at the vehicle
    writeFileSync(join(dir, 'x.log'), log);
    expect(readTraceFile(join(dir, 'x.log'))).to.have.length(2);
    await vehicle.close();
    await charger.close();
  });
});
