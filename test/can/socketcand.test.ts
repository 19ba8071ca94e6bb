import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { RealClock, VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { canFrame, frameText, type CanFrame } from '../../drivers/can/frame.ts';
import { SocketcandHub, type HubProblem } from '../../drivers/can/socketcand-hub.ts';
import { SocketcandCan } from '../../drivers/can/socketcand-client.ts';
import {
  formatFrame,
  formatSend,
  MessageSplitter,
  parseSend,
  parseServerFrame,
  SocketcandSyntaxError,
  tokens,
} from '../../drivers/can/socketcand-protocol.ts';
import { waitFor } from '../../drivers/core/clock.ts';

const clock = new RealClock();

/** A raw TCP peer that records everything the hub says, for byte-level checks. */
async function rawPeer(port: number): Promise<{ s: Socket; text: () => string; chunks: string[] }> {
  const s = connect({ host: '127.0.0.1', port });
  const chunks: string[] = [];
  s.setEncoding('latin1');
  s.on('data', (d: string) => chunks.push(d));
  await new Promise<void>((r) => s.once('connect', () => r()));
  return { s, chunks, text: () => chunks.join('') };
}

describe('socketcand protocol text', function () {
  it('formats frames exactly like socketcand (empty data leaves two spaces) and parses them back', function () {
    expect(formatFrame(canFrame(0x123, [], { extended: false }), 1_500000)).to.equal('< frame 123 1.500000  >');
    expect(formatFrame(canFrame(0x1826f456, [1, 0xab]), 1703560127_487397)).to.equal('< frame 1826F456 1703560127.487397 01AB >');
    expect(formatFrame({ id: 0x80, extended: true, error: true, data: new Uint8Array(8) }, 2e6)).to.equal('< error 080 2.000000 >');
    expect(formatSend(canFrame(0x5, [0xf1], { extended: false }))).to.equal('< send 005 1 F1 >');
    expect(formatSend(canFrame(0x5, [], { extended: true }))).to.equal('< send 00000005 0 >');
    const back = parseServerFrame(tokens('frame 1826F456 1703560127.487397 01AB'), 'x');
    expect(back.epochUs).to.equal(1703560127_487397);
    expect(frameText(back.frame)).to.equal('1826F456#01AB');
  });

  it('parses sends the way socketcand does, tolerating python-can’s unpadded ids and hex DLC', function () {
    expect(parseSend(tokens('send 1AAAAAAA 2 1 f1'), 'x')).to.deep.include({ id: 0x1aaaaaaa, extended: true });
    expect(parseSend(tokens('send 00000123 0'), 'x')).to.deep.include({ id: 0x123, extended: true });
    expect(parseSend(tokens('send 12 0'), 'x')).to.deep.include({ id: 0x12, extended: false });
    expect(parseSend(tokens('send 1826F456 3 1 1 0'), 'x')).to.deep.include({ extended: true }); // python-can: {id:X}
    for (const bad of ['send 123 9 1 2 3 4 5 6 7 8 9', 'send 123 2 01', 'send xyz 0', 'send 123 1 100', 'send 3FFFFFFF 0'])
      expect(() => parseSend(tokens(bad), 'client#1'), bad).to.throw(SocketcandSyntaxError, /^client#1: /);
  });

  it('splits a stream into messages across arbitrary chunk boundaries and reports junk', function () {
    const sp = new MessageSplitter();
    const text = '< hi >< ok >junk< frame 123 1.000000 AA >\n< frame 124 1.000001  >';
    const got: string[] = [];
    const junk: string[] = [];
    for (let i = 0; i < text.length; i += 3) {
      const r = sp.push(text.slice(i, i + 3));
      got.push(...r.messages);
      junk.push(...r.junk);
    }
    expect(got).to.deep.equal(['hi', 'ok', 'frame 123 1.000000 AA', 'frame 124 1.000001']);
    expect(junk.join('')).to.equal('junk');
    expect(new MessageSplitter().push('< open < send 1 0 >').messages).to.deep.equal(['send 1 0']);
  });
});

describe('socketcand hub and client', function () {
  let hub: SocketcandHub;
  let port: number;
  const problems: HubProblem[] = [];
  const open: SocketcandCan[] = [];

  before(async function () {
    hub = new SocketcandHub({ port: 0, buses: ['gbt', 'chademo', 'can0'], onProblem: (p) => problems.push(p) });
    port = (await hub.listen()).port;
  });
  after(async function () {
    for (const t of open) await t.close();
    await hub.close();
  });

  async function client(bus: string, timeline?: Timeline): Promise<SocketcandCan> {
    const t = await SocketcandCan.open({ host: '127.0.0.1', port, bus, clock, timeline });
    open.push(t);
    return t;
  }

  it('greets, opens and enters rawmode with each reply in its own TCP write (python-can reads them one recv() each)', async function () {
    const p = await rawPeer(port);
    await waitFor(clock, () => p.chunks.length === 1, 2000);
    expect(p.chunks).to.deep.equal(['< hi >']);
    p.s.write('< open gbt >');
    await waitFor(clock, () => p.chunks.length === 2, 2000);
    p.s.write('< rawmode >');
    await waitFor(clock, () => p.chunks.length === 3, 2000);
    expect(p.chunks).to.deep.equal(['< hi >', '< ok >', '< ok >']);
    p.s.write('< echo >');
    await waitFor(clock, () => p.chunks.length === 4, 2000);
    expect(p.chunks[3]).to.equal('< echo >');
    p.s.destroy();
  });

  it('fans every frame out to all other clients on the bus, in order, and isolates buses', async function () {
    const timeline = new Timeline({ clock });
    const a = await client('gbt', timeline);
    const b = await client('gbt');
    const c = await client('gbt');
    const other = await client('chademo');
    const got = new Map<SocketcandCan, CanFrame[]>([a, b, c, other].map((t) => [t, []]));
    for (const t of [a, b, c, other]) t.onFrame((f) => got.get(t)!.push(f));
    await clock.sleep(40); // past the hub's rawmode grace
    const N = 500;
    for (let i = 0; i < N; i++) await a.send(canFrame(0x18000000 + i, [i & 0xff, i >> 8]));
    await b.send(canFrame(0x100, [], { extended: false }));
    await other.send(canFrame(0x108, [1], { extended: false }));
    const ok = await waitFor(clock, () => got.get(c)!.length === N + 1 && got.get(a)!.length === 1 && got.get(other)!.length === 0, 10_000);
    expect(ok, 'all frames arrived').to.equal(true);
    expect(got.get(b)!.map((f) => f.id)).to.deep.equal([...Array(N).keys()].map((i) => 0x18000000 + i));
    // a's and b's frames reach the hub on different sockets, so only each sender's own order is defined
    const fromA = got.get(c)!.filter((f) => f.id >= 0x18000000);
    expect(fromA).to.have.length(N);
    expect(fromA.every((f, i) => f.extended && f.id === 0x18000000 + i && f.data[0] === (i & 0xff) && f.data[1] === i >> 8)).to.equal(true);
    expect(frameText(got.get(a)![0])).to.equal('100#');
    expect(got.get(other)).to.deep.equal([]);
    const ev = timeline.query({ kind: 'can' });
    expect(ev.filter((e) => e.data.dir === 'tx')).to.have.length(N);
    expect(ev.filter((e) => e.data.dir === 'rx')).to.have.length(1);
    expect(hub.stats().buses.gbt).to.deep.equal({ clients: 3, frames: N + 1 });
  });

  it('serves ten clients at once: each hears the other nine, every sender’s frames in order', async function () {
    const nodes: SocketcandCan[] = [];
    for (let k = 0; k < 10; k++) nodes.push(await client('chademo'));
    const heard = nodes.map(() => [] as CanFrame[]);
    nodes.forEach((n, k) => n.onFrame((f) => heard[k].push(f)));
    await clock.sleep(40);
    await Promise.all(
      nodes.map(async (n, k) => {
        for (let i = 0; i < 50; i++) await n.send(canFrame(0x100 + k, [i], { extended: false }));
      }),
    );
    expect(await waitFor(clock, () => heard.every((h) => h.length === 9 * 50), 10_000)).to.equal(true);
    heard.forEach((h, k) => {
      for (let j = 0; j < 10; j++) {
        const fromJ = h.filter((f) => f.id === 0x100 + j).map((f) => f.data[0]);
        expect(fromJ, `node ${k} from node ${j}`).to.deep.equal(j === k ? [] : [...Array(50).keys()]);
      }
    });
    for (const n of nodes) await n.close();
  });

  it('disconnects a client whose queue passes the limit instead of queueing without bound', async function () {
    // Kernel socket buffers hide a stalled reader for megabytes; a tiny limit shows the mechanism directly:
    // twenty frames fanned out in one tick exceed 100 queued bytes.
    const probs: HubProblem[] = [];
    const small = new SocketcandHub({ port: 0, maxBufferedBytes: 100, rawGraceMs: 0, onProblem: (p) => probs.push(p) });
    const smallPort = (await small.listen()).port;
    const slow = await rawPeer(smallPort);
    const fast = await rawPeer(smallPort);
    try {
      for (const p of [slow, fast]) {
        p.s.write('< open gbt >');
        await waitFor(clock, () => p.chunks.length >= 2, 2000);
        p.s.write('< rawmode >');
        await waitFor(clock, () => p.chunks.length >= 3, 2000);
      }
      fast.s.write('< send 123 8 1 2 3 4 5 6 7 8 >'.repeat(20));
      await waitFor(clock, () => probs.length > 0, 2000);
      expect(probs.map((p) => p.message).join()).to.match(/not reading \(over 100 bytes queued\); disconnected/);
      await waitFor(clock, () => slow.s.destroyed || slow.s.readableEnded, 2000);
      expect(small.stats().buses.gbt.clients).to.equal(1);
    } finally {
      slow.s.destroy();
      fast.s.destroy();
      await small.close();
    }
  });

  it('answers malformed input with < error … >, reports it, and keeps serving everyone', async function () {
    const listener = await client('can0');
    const heard: CanFrame[] = [];
    listener.onFrame((f) => heard.push(f));
    const p = await rawPeer(port);
    p.s.write('< open can0 >< rawmode >');
    await waitFor(clock, () => p.text().includes('< ok >< ok >') || p.chunks.length >= 3, 2000);
    const before = problems.length;
    p.s.write('< send 123 9 1 2 3 4 5 6 7 8 9 >free text< send 800 1 00 >< bogus >< send 7FF 1 ZZ >< send 00000123 1 AA >');
    p.s.write('<' + 'x'.repeat(5000));
    p.s.write('>< send 1 1 42 >');
    const ok = await waitFor(clock, () => heard.length === 3, 3000);
    expect(ok).to.equal(true);
    // 0x800 with 3 digits is taken as extended (tolerant), the FD-free valid frames pass
    expect(heard.map(frameText)).to.deep.equal(['00000800#00', '00000123#AA', '001#42']);
    const errs = p.text().match(/< error [^>]*>/g) ?? [];
    expect(errs.length).to.be.at.least(4);
    expect(problems.length - before).to.be.at.least(5);
    expect(problems.at(-1)!.client).to.match(/^client#\d+ /);
    // the hub is still there for a newcomer
    const late = await client('can0');
    expect(late.channel).to.equal('can0');
    p.s.destroy();
  });

  it('refuses a bus outside its list with a BenchFault that says what to fix', async function () {
    let err: unknown;
    await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'nope', clock }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(BenchFault);
    expect((err as Error).message).to.match(/server refused: '< error could not open bus >'.*check that bus 'nope' exists/);
    expect((err as Error).message).to.not.match(/assert/i);
  });

  it('fails to open with a BenchFault when nothing listens, or the server never greets', async function () {
    let err: unknown;
    await SocketcandCan.open({ host: '127.0.0.1', port: 1, bus: 'gbt', clock }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(BenchFault);
    expect((err as Error).message).to.match(/cannot connect .*start the server \(e\.g\. 'mcs-hil can hub --port 1'/);
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as { port: number }).port;
    err = undefined;
    await SocketcandCan.open({ host: '127.0.0.1', port: silentPort, bus: 'gbt', clock, connectTimeoutMs: 100 }).catch((e) => (err = e));
    expect((err as Error).message).to.match(/no '< hi >' greeting within 100 ms/);
    silent.close();
  });

  it('refuses a virtual clock (its timeouts would fire while TCP is in flight) and says what to use', async function () {
    let err: unknown;
    await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'gbt', clock: new VirtualClock() }).catch((e) => (err = e));
    expect(err)
      .to.be.instanceOf(BenchFault)
      .with.property('message')
      .that.matches(/needs real time .*'virtual-can'/);
  });

  it('turns a lost server into a BenchFault on the timeline and on the next send (no silent reconnect)', async function () {
    const own = new SocketcandHub({ port: 0 });
    const ownPort = (await own.listen()).port;
    const timeline = new Timeline({ clock });
    const t = await SocketcandCan.open({ host: '127.0.0.1', port: ownPort, bus: 'x', clock, timeline, source: 'gbt-can' });
    const lost: BenchFault[] = [];
    t.onLost((f) => lost.push(f));
    await own.close();
    await waitFor(clock, () => lost.length === 1, 2000);
    expect(lost[0].message).to.match(/connection lost .*does not reconnect/);
    let err: unknown;
    await t.send(canFrame(0x1, [])).catch((e) => (err = e));
    expect(err).to.equal(lost[0]);
    expect(timeline.query({ kind: 'link' }).map((e) => e.data.event)).to.deep.equal(['can-open', 'can-lost']);
    await t.close();
  });

  it('carries CAN FD frames between our own clients (socketcand fdsend/fdframe)', async function () {
    const a = await client('gbt');
    const b = await client('gbt');
    const got: CanFrame[] = [];
    b.onFrame((f) => got.push(f));
    await clock.sleep(40);
    await a.send(
      canFrame(
        0x123,
        Array.from({ length: 48 }, (_, i) => i),
        { extended: false, fd: true, brs: true },
      ),
    );
    await waitFor(clock, () => got.length === 1, 2000);
    expect(got[0]).to.deep.include({ id: 0x123, fd: true, brs: true, esi: false });
    expect(got[0].data.length).to.equal(48);
  });
});
