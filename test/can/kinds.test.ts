import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, waitFor } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { resourceKind, type BenchConfig, type OpenContext, type Resource } from '../../benches/registry.ts';
import '../../benches/kinds/can.ts';
import type { CanBusResource, CanHubResource } from '../../benches/kinds/can.ts';
import { canFrame, CanFrameError, type CanFrame } from '../../drivers/can/frame.ts';
import { afCanPresent, SocketcanNative } from '../../drivers/can/socketcan-native.ts';
import { canDumpCommand, canHubCommand, traceConvertCommand } from '../../drivers/can/cli.ts';
import { readTraceFile, writeTraceFile } from '../../drivers/can/trace-files.ts';
import { readFileSync } from 'node:fs';
import { SocketcandCan } from '../../drivers/can/socketcand-client.ts';
import { SocketcandHub } from '../../drivers/can/socketcand-hub.ts';

function ctx(resources: Map<string, Resource>): OpenContext {
  const clock = new RealClock();
  return {
    clock,
    timeline: new Timeline({ clock }),
    resources,
    bench: {} as BenchConfig,
    faults: new Set(),
    runDir: mkdtempSync(join(tmpdir(), 'can-kinds-')),
  };
}

describe('CAN resource kinds', function () {
  it('registers virtual-can, socketcand, socketcan and socketcand-hub with schemas', function () {
    for (const k of ['virtual-can', 'socketcand', 'socketcan', 'socketcand-hub']) {
      const kind = resourceKind(k);
      expect(kind, k).to.not.equal(undefined);
      expect(kind!.schema).to.have.property('type', 'object');
    }
    expect(resourceKind('socketcand-hub')!.openOrder).to.be.greaterThan(resourceKind('socketcand')!.openOrder!);
  });

  it('opens a hub and two socketcand nodes that find it by name, over real TCP', async function () {
    const resources = new Map<string, Resource>();
    const c = ctx(resources);
    const hub = (await resourceKind('socketcand-hub')!.open('can-hub', { port: 0 }, c)) as CanHubResource;
    resources.set('can-hub', hub);
    const vehicle = (await resourceKind('socketcand')!.open('gbt-can', { hub: 'can-hub', bus: 'gbt' }, c)) as CanBusResource;
    const charger = (await resourceKind('socketcand')!.open('charger-can', { hub: 'can-hub', bus: 'gbt' }, c)) as CanBusResource;
    const got: CanFrame[] = [];
    charger.onFrame((f) => got.push(f));
    await c.clock.sleep(40);
    await vehicle.send(canFrame(0x182756f4, [0xa5, 0x10]));
    expect(await waitFor(c.clock, () => got.length === 1, 2000)).to.equal(true);
    expect(vehicle.identity!()).to.deep.include({ transport: 'socketcand', bus: 'gbt' });
    expect(c.timeline.query({ kind: 'can', source: 'gbt-can' })[0].data).to.deep.include({ dir: 'tx', id: 0x182756f4 });
    const busy = await resourceKind('socketcand-hub')!.checkReachable!('h', { port: hub.address().port }, {} as BenchConfig);
    expect(busy).to.deep.include({ ok: false, fix: 'stop whatever holds the port, or set port: 0' });
    await vehicle.close();
    await charger.close();
    await hub.close();
    let err: unknown;
    await resourceKind('socketcand')!
      .open('x', { hub: 'missing', bus: 'gbt' }, c)
      .catch((e) => (err = e));
    expect(err)
      .to.be.instanceOf(BenchFault)
      .with.property('message')
      .that.matches(/declare it, kind: socketcand-hub/);
  });

  it('opens virtual-can nodes on a shared channel', async function () {
    const c = ctx(new Map());
    const a = (await resourceKind('virtual-can')!.open('a', { channel: 'kind-bus' }, c)) as CanBusResource;
    const b = (await resourceKind('virtual-can')!.open('b', { channel: 'kind-bus' }, c)) as CanBusResource;
    const got: CanFrame[] = [];
    b.onFrame((f) => got.push(f));
    await a.send(canFrame(0x1, [1]));
    await c.clock.sleep(1);
    expect(got).to.have.length(1);
    await a.close();
    await b.close();
  });

  it('socketcan: without AF_CAN, open fails with a BenchFault naming socketcand and virtual-can', async function () {
    const c = ctx(new Map());
    let err: unknown;
    await resourceKind('socketcan')!
      .open('can0', { interface: 'can0' }, c)
      .catch((e) => (err = e));
    expect(err).to.be.instanceOf(BenchFault);
    if (afCanPresent()) {
      // a Linux box with the can module but (usually) no can0: the message says which interface to bring up
      expect((err as Error).message).to.match(/can0/);
      return;
    }
    expect((err as Error).message).to.match(/kernel CAN \(AF_CAN\/SocketCAN\) is unavailable.*'socketcand'.*'virtual-can'/);
    const reach = await resourceKind('socketcan')!.checkReachable!('can0', { interface: 'can0' }, {} as BenchConfig);
    expect(reach.ok).to.equal(false);
  });

  it('socketcan: bounds the payload before it reaches the 4.0.7 addon, and maps frames both ways', async function () {
    const sent: unknown[] = [];
    type Message = { id: number; ext?: boolean; data: Buffer; ts_sec?: number; ts_usec?: number };
    let onMessage: ((m: Message) => void) | undefined;
    const fake = {
      createRawChannel: () => ({
        addListener: (ev: string, cb: (m: Message) => void) => {
          if (ev === 'onMessage') onMessage = cb;
        },
        start() {},
        stop() {},
        send: (m: unknown) => sent.push(m),
        sendFD: (m: unknown) => sent.push(m),
      }),
    };
    const clock = new RealClock();
    const t = SocketcanNative.open({ interface: 'vcan0', clock, loadModule: () => fake });
    let err: unknown;
    await t.send({ id: 0x123, extended: false, data: new Uint8Array(9) }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(CanFrameError);
    await t.send({ id: 0x123, extended: false, data: new Uint8Array(65), fd: true }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(CanFrameError);
    expect(sent).to.have.length(0);
    await t.send(canFrame(0x1826f456, [1, 1, 0]));
    expect(sent).to.have.length(1);
    const got: CanFrame[] = [];
    t.onFrame((f) => got.push(f));
    onMessage!({ id: 0x1812f456, ext: true, data: Buffer.from([1, 2]) });
    expect(got[0]).to.deep.include({ id: 0x1812f456, extended: true });
    expect(got[0].busT).to.equal(undefined);
    // The kernel's receive stamp becomes busT: a frame stamped 5 ms ago shows at least 5 ms receive-to-stamp.
    const kernelUs = Math.round(clock.wallMs() * 1000) - 5000;
    onMessage!({ id: 0x1, data: Buffer.from([3]), ts_sec: Math.floor(kernelUs / 1e6), ts_usec: kernelUs % 1e6 });
    expect(got[1].t! - got[1].busT!).to.be.at.least(5e6 - 1e3);
    await t.close();
  });

  it('socketcan: a stopped channel is one BenchFault (timeline, onLost, next send); a refused send records nothing', async function () {
    let stopped: (() => void) | undefined;
    let refuse = false;
    const fake = {
      createRawChannel: () => ({
        addListener: (ev: string, cb: (m: { id: number; data: Buffer }) => void) => {
          if (ev === 'onStopped') stopped = () => cb({ id: 0, data: Buffer.alloc(0) });
        },
        start() {},
        stop() {},
        send() {
          if (refuse) throw new Error('No buffer space available');
        },
        sendFD() {},
      }),
    };
    const clock = new RealClock();
    const timeline = new Timeline({ clock });
    const t = SocketcanNative.open({ interface: 'vcan0', clock, timeline, source: 'gbt-can', loadModule: () => fake });
    refuse = true;
    let err: unknown;
    await t.send(canFrame(0x1, [1])).catch((e) => (err = e));
    expect(err)
      .to.be.instanceOf(BenchFault)
      .with.property('message')
      .that.matches(/send failed \(No buffer space available\)/);
    expect(timeline.query({ kind: 'can' })).to.have.length(0);
    const lost: BenchFault[] = [];
    t.onLost((f) => lost.push(f));
    stopped!();
    expect(lost).to.have.length(1);
    expect(lost[0]).to.have.property('resource', 'gbt-can');
    await t.send(canFrame(0x1, [1])).catch((e) => (err = e));
    expect(err).to.equal(lost[0]);
    await t.close();
    expect(timeline.query({ kind: 'link' }).map((e) => e.data.event)).to.deep.equal(['can-open', 'can-lost']);
  });

  it('canHubCommand prints "listening on HOST:PORT", serves clients, stops on abort', async function () {
    const lines: string[] = [];
    const ac = new AbortController();
    const run = canHubCommand({
      port: 0,
      buses: 'gbt,can0',
      out: (l) => lines.push(l),
      err: (l) => lines.push('ERR ' + l),
      signal: ac.signal,
    });
    const clock = new RealClock();
    await waitFor(clock, () => lines.length > 0, 2000);
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(lines[0]);
    expect(m, lines[0]).to.not.equal(null);
    const t = await SocketcandCan.open({ host: '127.0.0.1', port: Number(m![1]), bus: 'gbt', clock });
    await t.close();
    ac.abort();
    await run;
    expect(lines.at(-1)).to.match(/^hub stopped/);
    let err: unknown;
    await canHubCommand({ port: 70000 }).catch((e) => (err = e));
    expect((err as Error).name).to.equal('UsageError');
  });

  it('canDumpCommand prints candump lines of a socketcand bus and writes them to a trace file', async function () {
    const clock = new RealClock();
    const hub = new SocketcandHub({ port: 0 });
    const { port } = await hub.listen();
    const dir = mkdtempSync(join(tmpdir(), 'can-dump-'));
    const lines: string[] = [];
    const dump = canDumpCommand({ port, bus: 'gbt', count: 2, output: join(dir, 'dump.log'), out: (l) => lines.push(l) });
    await waitFor(clock, () => hub.stats().buses.gbt?.clients === 1, 2000);
    const sender = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'gbt', clock });
    await clock.sleep(40);
    await sender.send(canFrame(0x1826f456, [1, 1, 0]));
    await sender.send(canFrame(0x123, [], { extended: false }));
    expect(await dump).to.equal(2);
    expect(lines.map((l) => l.replace(/^\(\d{10}\.\d{6}\) /, ''))).to.deep.equal(['gbt 1826F456#010100', 'gbt 123#']);
    expect(readFileSync(join(dir, 'dump.log'), 'utf8').trim().split('\n')).to.deep.equal(lines);
    await sender.close();
    await hub.close();
  });

  it('traceConvertCommand converts by suffix (log → pcap → log → asc)', function () {
    const dir = mkdtempSync(join(tmpdir(), 'can-conv-'));
    writeTraceFile(join(dir, 'a.log'), [{ epochUs: 1_000_000, bus: 'can0', frame: canFrame(0x1826f456, [1, 1, 0]) }]);
    expect(traceConvertCommand({ input: join(dir, 'a.log'), output: join(dir, 'b.pcap') })).to.equal(1);
    expect(traceConvertCommand({ input: join(dir, 'b.pcap'), output: join(dir, 'c.log') })).to.equal(1);
    expect(readFileSync(join(dir, 'c.log'), 'utf8')).to.equal('(0000000001.000000) can0 1826F456#010100\n');
    traceConvertCommand({ input: join(dir, 'c.log'), output: join(dir, 'd.asc') });
    expect(readTraceFile(join(dir, 'c.log'))).to.have.length(1);
    expect(() => traceConvertCommand({ input: join(dir, 'c.log'), output: join(dir, 'e.blf') })).to.throw(/unknown trace suffix/);
  });
});
