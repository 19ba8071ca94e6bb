import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { canFrame, CanFrameError, type CanFrame } from '../../drivers/can/frame.ts';
import { openVirtualCan, VirtualCan } from '../../drivers/can/virtual-bus.ts';

describe('virtual-can (in-process bus)', function () {
  it('delivers every frame to every other node in order, never back to the sender', async function () {
    const clock = new VirtualClock();
    const a = openVirtualCan('vb1', { clock });
    const b = openVirtualCan('vb1', { clock });
    const c = openVirtualCan('vb1', { clock });
    const other = openVirtualCan('vb-other', { clock });
    const got: Record<string, number[]> = { a: [], b: [], c: [], other: [] };
    a.onFrame((f) => got.a.push(f.data[0]));
    b.onFrame((f) => got.b.push(f.data[0]));
    c.onFrame((f) => got.c.push(f.data[0]));
    other.onFrame((f) => got.other.push(f.data[0]));
    for (let i = 0; i < 100; i++) await a.send(canFrame(0x100, [i]));
    await b.send(canFrame(0x200, [200]));
    await clock.advance(1);
    expect(got.a).to.deep.equal([200]);
    expect(got.b).to.deep.equal([...Array(100).keys()]);
    expect(got.c).to.deep.equal([...Array(100).keys(), 200]);
    expect(got.other).to.deep.equal([]);
    for (const n of [a, b, c, other]) await n.close();
    expect(VirtualCan.nodes('vb1')).to.equal(0);
  });

  it('does not re-enter the sender when a listener answers, and copies data per receiver', async function () {
    const clock = new VirtualClock();
    const a = openVirtualCan('vb2', { clock });
    const b = openVirtualCan('vb2', { clock });
    const order: string[] = [];
    b.onFrame((f) => {
      f.data[0] = 99; // must not leak to anyone else
      void b.send(canFrame(0x201, [1]));
    });
    a.onFrame(() => order.push('a got answer'));
    const sent = canFrame(0x200, [5]);
    await a.send(sent);
    order.push('send returned');
    await clock.advance(1);
    expect(order).to.deep.equal(['send returned', 'a got answer']);
    expect(sent.data[0]).to.equal(5);
    await a.close();
    await b.close();
  });

  it('records tx and rx on the timeline with clock time, and rejects bad frames and closed nodes', async function () {
    const clock = new VirtualClock();
    const timeline = new Timeline({ clock });
    const a = openVirtualCan('vb3', { clock, timeline, source: 'vehicle' });
    const b = openVirtualCan('vb3', { clock, timeline, source: 'charger' });
    await clock.advance(5);
    await a.send(canFrame(0x182756f4, [0xa5, 0x10]));
    await clock.advance(1);
    const ev = timeline.query({ kind: 'can' });
    expect(ev.map((e) => [e.source, e.data.dir, e.data.id, e.data.ext, e.data.data])).to.deep.equal([
      ['vehicle', 'tx', 0x182756f4, true, 'A510'],
      ['charger', 'rx', 0x182756f4, true, 'A510'],
    ]);
    expect(ev[0].t).to.equal(5e6);
    let rejected: unknown;
    await a.send(canFrame(0x123, new Array(9).fill(0))).catch((e) => (rejected = e));
    expect(rejected).to.be.instanceOf(CanFrameError);
    await a.close();
    await a.send(canFrame(0x1, [])).catch((e) => (rejected = e));
    expect(rejected).to.be.instanceOf(BenchFault);
    await b.close();
  });

  it('keeps delivering to others when one listener throws (and notes it)', async function () {
    const clock = new VirtualClock();
    const timeline = new Timeline({ clock });
    const a = openVirtualCan('vb4', { clock });
    const b = openVirtualCan('vb4', { clock, timeline });
    const got: CanFrame[] = [];
    b.onFrame(() => {
      throw new Error('listener bug');
    });
    b.onFrame((f) => got.push(f));
    await a.send(canFrame(0x1, [1]));
    await clock.advance(1);
    expect(got).to.have.length(1);
    expect(timeline.query({ kind: 'note' })[0].data.message).to.match(/listener bug/);
    await a.close();
    await b.close();
  });
});
