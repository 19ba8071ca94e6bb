import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { frameText, type CanFrame } from '../../drivers/can/frame.ts';
import { openVirtualCan } from '../../drivers/can/virtual-bus.ts';
import { j1939Id, J1939Tp, J1939TpAbort, loadJ1939Timeouts, parseJ1939Id, type J1939Message } from '../../drivers/can/j1939-tp.ts';

const BMS = 0xf4;
const CHARGER = 0x56;
const PGN_BRM = 0x000200;

// A 49-byte BRM (the length real vehicles send); contents are ours, only the length and layout matter here.
const BRM = Uint8Array.from(
  Buffer.from('01010003F0054002' + '00'.repeat(8) + 'FF'.repeat(8) + '31'.repeat(17) + '0104E707FFFF'.padEnd(16, 'F'), 'hex'),
).slice(0, 49);

function setup(
  bus: string,
  opts: { vehicle?: Partial<ConstructorParameters<typeof J1939Tp>[0]>; charger?: Partial<ConstructorParameters<typeof J1939Tp>[0]> } = {},
) {
  const clock = new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const vt = openVirtualCan(bus, { clock, timeline, source: 'vehicle' });
  const ct = openVirtualCan(bus, { clock, source: 'charger' });
  const vehicle = new J1939Tp({ transport: vt, clock, sa: BMS, timeline, ...opts.vehicle });
  const charger = new J1939Tp({ transport: ct, clock, sa: CHARGER, ...opts.charger });
  const wire: { t: number; text: string; from: string }[] = [];
  ct.onFrame((f) => wire.push({ t: clock.nowMs(), text: frameText(f), from: 'vehicle' }));
  vt.onFrame((f) => wire.push({ t: clock.nowMs(), text: frameText(f), from: 'charger' }));
  const close = async () => {
    vehicle.close();
    charger.close();
    await vt.close();
    await ct.close();
    clock.stopAutoAdvance();
  };
  return { clock, timeline, vt, ct, vehicle, charger, wire, close };
}

describe('J1939-21 transport protocol', function () {
  it('builds and parses GB/T ids (priority, PGN, PDU1 destination, source)', function () {
    expect(j1939Id(6, 0x2700, CHARGER, BMS)).to.equal(0x182756f4);
    expect(j1939Id(7, 0xec00, CHARGER, BMS)).to.equal(0x1cec56f4);
    expect(parseJ1939Id(0x1cebf456)).to.deep.equal({ priority: 7, pgn: 0xeb00, da: BMS, sa: CHARGER });
    expect(parseJ1939Id(0x18fef100 | 0x17)).to.deep.equal({ priority: 6, pgn: 0xfef1, da: 0xff, sa: 0x17 }); // PDU2
  });

  it('reads its timeouts from fixtures/limits/j1939.yaml', function () {
    expect(loadJ1939Timeouts()).to.deep.equal({ TrMs: 200, ThMs: 500, T1Ms: 750, T2Ms: 1250, T3Ms: 1250, T4Ms: 1050 });
  });

  it('sends a 49-byte BRM by RTS/CTS with exactly the frames of a real session, and delivers it whole', async function () {
    const s = setup('tp1');
    const got: J1939Message[] = [];
    s.charger.onMessage((m) => got.push(m));
    await s.vehicle.send(PGN_BRM, CHARGER, BRM);
    await s.clock.advance(1);
    const texts = s.wire.map((w) => w.text);
    expect(texts[0]).to.equal('1CEC56F4#10310007FF000200'); // RTS: 49 bytes, 7 packets, no per-CTS limit
    expect(texts[1]).to.equal('1CECF456#110701FFFF000200'); // CTS: 7 packets from 1
    expect(texts.slice(2, 9).map((t) => t.slice(0, 11))).to.deep.equal([1, 2, 3, 4, 5, 6, 7].map((i) => `1CEB56F4#0${i}`));
    expect(texts[8]).to.equal(`1CEB56F4#07${Buffer.from(BRM.subarray(42)).toString('hex').toUpperCase()}`); // 49 = 7·7: no padding
    expect(texts[9]).to.equal('1CECF456#13310007FF000200'); // EndOfMsgAck
    expect(texts).to.have.length(10);
    // DT spacing: 10 ms by default, as real BMSs do
    const dtTimes = s.wire.filter((w) => w.text.startsWith('1CEB')).map((w) => w.t);
    expect(dtTimes[6] - dtTimes[0]).to.equal(60);
    expect(got).to.have.length(1);
    expect(got[0]).to.include({ pgn: PGN_BRM, sa: BMS, da: CHARGER, via: 'rts-cts' });
    expect(Array.from(got[0].data)).to.deep.equal(Array.from(BRM));
    expect(s.timeline.query({ kind: 'j1939' }).map((e) => e.data.event)).to.include('sent');
    await s.close();
  });

  it('pads the last TP.DT with 0xFF and honours a receiver that allows 2 packets per CTS', async function () {
    const s = setup('tp2', { charger: { maxPacketsPerCts: 2 } });
    const got: J1939Message[] = [];
    s.charger.onMessage((m) => got.push(m));
    const bcs = Uint8Array.from([0xc5, 0x0e, 0xa0, 0x0f, 0x4c, 0x61, 0x4d, 0x00, 0x00]);
    await s.vehicle.send(0x1100, CHARGER, bcs);
    const texts = s.wire.map((w) => w.text);
    expect(texts).to.deep.equal([
      '1CEC56F4#10090002FF001100',
      '1CECF456#110201FFFF001100',
      '1CEB56F4#01C50EA00F4C614D',
      '1CEB56F4#020000FFFFFFFFFF',
      '1CECF456#13090002FF001100',
    ]);
    expect(Array.from(got[0].data)).to.deep.equal(Array.from(bcs));
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    got.length = 0;
    s.wire.length = 0;
    await s.vehicle.send(0x1500, CHARGER, big);
    const cts = s.wire.filter((w) => w.text.startsWith('1CECF456#11')).map((w) => w.text.slice(9, 15));
    expect(cts).to.deep.equal(['110201', '110203', '110205', '110207', '110209', '11020B', '11020D', '11010F']);
    expect(Array.from(got[0].data)).to.deep.equal(Array.from(big));
    await s.close();
  });

  it('delivers single-frame messages addressed to it or broadcast, and ignores other destinations', async function () {
    const s = setup('tp3');
    const got: J1939Message[] = [];
    s.charger.onMessage((m) => got.push(m));
    await s.vehicle.send(0x1000, CHARGER, [0xa5, 0x10, 0xd8, 0x0e, 0x02]); // BCL
    await s.vt.send({ id: j1939Id(6, 0x1000, 0x33, BMS), extended: true, data: Uint8Array.of(1) }); // to someone else
    await s.vt.send({ id: 0x123, extended: false, data: Uint8Array.of(1) }); // not J1939
    await s.clock.advance(1);
    expect(got.map((m) => [m.pgn, m.sa, m.da, m.priority, m.via])).to.deep.equal([[0x1000, BMS, CHARGER, 6, 'single']]);
    expect(s.wire[0].text).to.equal('181056F4#A510D80E02');
    await s.close();
  });

  it('sender: no CTS within T3 → abort reason 3 on the wire and a J1939TpAbort', async function () {
    const s = setup('tp4', { charger: { mutate: (f, role) => (role === 'cts' ? null : f) } });
    const t0 = s.clock.nowMs();
    const err = await s.vehicle.send(PGN_BRM, CHARGER, BRM).then(
      () => undefined,
      (e) => e,
    );
    expect(err).to.be.instanceOf(J1939TpAbort).and.include({ reason: 3, by: 'us', pgn: PGN_BRM });
    expect(s.clock.nowMs() - t0).to.equal(1250);
    expect(s.wire.map((w) => w.text)).to.deep.equal(['1CEC56F4#10310007FF000200', '1CEC56F4#FF03FFFFFF000200']);
    await s.close();
  });

  it('receiver: the sender stops after 3 packets → abort after T1 and no message', async function () {
    const s = setup('tp5', { vehicle: { mutate: (f, role) => (role === 'dt' && f.data[0] > 3 ? null : f) } });
    const got: J1939Message[] = [];
    s.charger.onMessage((m) => got.push(m));
    const err = await s.vehicle.send(PGN_BRM, CHARGER, BRM).then(
      () => undefined,
      (e) => e,
    );
    // The charger gave up T1 after DT 3 (750 ms) and told the vehicle, which fails with the peer's reason.
    expect(err).to.be.instanceOf(J1939TpAbort).and.include({ reason: 3, by: 'peer' });
    const abort = s.wire.find((w) => w.text.startsWith('1CECF456#FF'))!;
    const dt3 = s.wire.find((w) => w.text.startsWith('1CEB56F4#03'))!;
    expect(abort.t - dt3.t).to.equal(750);
    expect(got).to.deep.equal([]);
    await s.close();
  });

  it('receiver: a skipped sequence number aborts with reason 7', async function () {
    const s = setup('tp6', { vehicle: { mutate: (f, role) => (role === 'dt' && f.data[0] === 2 ? null : f) } });
    const err = await s.vehicle.send(PGN_BRM, CHARGER, BRM).then(
      () => undefined,
      (e) => e,
    );
    expect(err).to.be.instanceOf(J1939TpAbort).and.include({ reason: 7, by: 'peer' });
    await s.close();
  });

  it('sender: CTS 0 holds the connection; the next CTS must come within T4', async function () {
    const s = setup('tp7');
    // Hand-played receiver: answer the RTS with a hold, then nothing.
    s.charger.close();
    s.ct.onFrame((f) => {
      if (f.id === 0x1cec56f4 && f.data[0] === 0x10)
        void s.ct.send({ id: 0x1cecf456, extended: true, data: Uint8Array.from([0x11, 0, 1, 0xff, 0xff, 0, 2, 0]) });
    });
    const t0 = s.clock.nowMs();
    const err = await s.vehicle.send(PGN_BRM, CHARGER, BRM).then(
      () => undefined,
      (e) => e,
    );
    expect(err).to.be.instanceOf(J1939TpAbort).and.include({ reason: 3, by: 'us' });
    expect(err.message).to.match(/hold/);
    expect(s.clock.nowMs() - t0).to.equal(1050);
    await s.close();
  });

  it('receives a BAM broadcast and restarts on a repeated RTS for the same PGN', async function () {
    const s = setup('tp8');
    const got: J1939Message[] = [];
    s.charger.onMessage((m) => got.push(m));
    const payload = Uint8Array.from({ length: 20 }, (_, i) => 0x30 + i);
    await s.vehicle.send(0xfeca, 0xff, payload);
    expect(got).to.have.length(1);
    expect(got[0]).to.include({ via: 'bam', da: 0xff });
    expect(Array.from(got[0].data)).to.deep.equal(Array.from(payload));
    const bamDt = s.wire.filter((w) => w.text.startsWith('1CEBFFF4'));
    expect(bamDt[1].t - bamDt[0].t).to.equal(50);

    // a vehicle that re-sends its RTS (e.g. after its own timeout) gets a fresh session
    got.length = 0;
    const rts = { id: 0x1cec56f4, extended: true, data: Uint8Array.from([0x10, 9, 0, 2, 0xff, 0, 0x11, 0]) } as CanFrame;
    await s.vt.send(rts);
    await s.vt.send({ id: 0x1ceb56f4, extended: true, data: Uint8Array.from([1, 1, 2, 3, 4, 5, 6, 7]) });
    await s.vt.send(rts);
    await s.vt.send({ id: 0x1ceb56f4, extended: true, data: Uint8Array.from([1, 9, 9, 9, 9, 9, 9, 9]) });
    await s.vt.send({ id: 0x1ceb56f4, extended: true, data: Uint8Array.from([2, 8, 8, 0xff, 0xff, 0xff, 0xff, 0xff]) });
    await s.clock.advance(1);
    expect(got.map((m) => Array.from(m.data))).to.deep.equal([[9, 9, 9, 9, 9, 9, 9, 8, 8]]);
    await s.close();
  });

  it('serialises two long sends to the same peer, and refuses messages over 1785 bytes', async function () {
    const s = setup('tp9');
    const got: number[] = [];
    s.charger.onMessage((m) => got.push(m.pgn));
    await Promise.all([s.vehicle.send(0x0200, CHARGER, BRM), s.vehicle.send(0x0600, CHARGER, new Uint8Array(13))]);
    expect(got).to.deep.equal([0x0200, 0x0600]);
    let err: unknown;
    await s.vehicle.send(0x1500, CHARGER, new Uint8Array(1786)).catch((e) => (err = e));
    expect(err).to.match(/1785/);
    await s.close();
  });
});
