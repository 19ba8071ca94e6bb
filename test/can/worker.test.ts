import { expect } from 'chai';
import { RealClock, VirtualClock, waitFor } from '../../drivers/core/clock.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { canFrame, frameText, type CanFrame } from '../../drivers/can/frame.ts';
import { PeriodicScheduler } from '../../drivers/can/scheduler.ts';
import { SocketcandCan } from '../../drivers/can/socketcand-client.ts';
import { SocketcandHub } from '../../drivers/can/socketcand-hub.ts';
import { WorkerSocketcandCan } from '../../drivers/can/worker-can.ts';
import { relayBothWays } from './relay-both-ways.ts';

// The worker-thread wire is judged on what it carries, never on how fast: no test here times anything.
const clock = new RealClock();
const WAIT_MS = 20_000; // how long to wait for frames that must come, on a loaded machine (not a limit judged)

describe('socketcand transport on a worker thread', function () {
  let hub: SocketcandHub;
  let port: number;
  before(async function () {
    hub = new SocketcandHub({ port: 0, buses: ['both', 'periodic', 'gbt'] });
    port = (await hub.listen()).port;
  });
  after(async function () {
    await hub.close();
  });

  it('carries frames both ways with a main-thread client, stamped in the worker and recorded on the timeline', async function () {
    const timeline = new Timeline({ clock });
    const w = await WorkerSocketcandCan.open({ host: '127.0.0.1', port, bus: 'both', clock, timeline, source: 'gbt-can' });
    const m = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'both', clock });
    const toWorker = Array.from({ length: 20 }, (_, i) => canFrame(0x18ff0000 + i, [i, 0xaa]));
    const toMain = [canFrame(0x123, [1, 2, 3], { extended: false })];
    expect(toMain.map(frameText)).to.deep.equal(['123#010203']);
    await relayBothWays(clock, timeline, WAIT_MS, { wire: w, main: m }, toWorker, toMain);
    const can = timeline.query({ kind: 'can' });
    expect(can.filter((e) => e.data.dir === 'rx').every((e) => typeof e.data.stampDelayUs === 'number')).to.equal(true);
    expect(can.filter((e) => e.data.dir === 'tx')).to.have.length(1);
  });

  it('runs a periodic frame in the worker: every slot sent once, in order, the producer asked for each next payload', async function () {
    const timeline = new Timeline({ clock });
    const w = await WorkerSocketcandCan.open({ host: '127.0.0.1', port, bus: 'periodic', clock, timeline, source: 'bms' });
    const m = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'periodic', clock });
    const got: CanFrame[] = [];
    m.onFrame((f) => got.push(f));
    const task = new PeriodicScheduler({ transport: w, clock, timeline }).start({
      name: 'BCL',
      periodMs: 10,
      frame: (k) => canFrame(0x181056f4, [k]),
      count: 6,
    });
    expect(await waitFor(clock, () => !task.running, WAIT_MS)).to.equal(true);
    expect(await waitFor(clock, () => got.length === task.sent, WAIT_MS)).to.equal(true);
    expect(task.error).to.equal(undefined);
    expect(task.sent).to.be.within(1, 6);
    // A stalled machine may skip slots (never burst): payloads rise, each is the producer's value for a slot sent.
    const payloads = got.map((f) => f.data[0]);
    expect(payloads[0]).to.equal(0);
    expect([...payloads].sort((a, b) => a - b)).to.deep.equal(payloads);
    expect(task.sendTimes).to.have.length(task.sent);
    expect(task.sendTimes.every((t, i) => t >= task.dueTimes[i])).to.equal(true);
    const tx = timeline.query({ kind: 'can' }).filter((e) => e.data.dir === 'tx');
    expect(tx.map((e) => e.t)).to.deep.equal(task.sendTimes);
    await w.close();
    await m.close();
  });

  it('fails to open with a BenchFault that says what to fix (no such bus, nothing listening, virtual clock)', async function () {
    const fail = async (o: Parameters<typeof WorkerSocketcandCan.open>[0]) => {
      let err: unknown;
      await WorkerSocketcandCan.open(o).catch((e) => (err = e));
      expect(err).to.be.instanceOf(BenchFault);
      return (err as Error).message;
    };
    expect(await fail({ host: '127.0.0.1', port, bus: 'nope', clock })).to.match(/server refused: .*check that bus 'nope' exists/);
    expect(await fail({ host: '127.0.0.1', port: 1, bus: 'gbt', clock })).to.match(/cannot connect .*start the server/);
    expect(await fail({ host: '127.0.0.1', port, bus: 'gbt', clock: new VirtualClock() })).to.match(/needs real time .*'virtual-can'/);
  });

  it('says why it could not connect every time, not that the wire engine exited (its reason is read before its exit)', async function () {
    // Under load the engine's exit could overtake its last report; 1 in 10 opens said only 'native helper exited'.
    const reasons = new Set<string>();
    for (let i = 0; i < 50; i++) {
      await WorkerSocketcandCan.open({ host: '127.0.0.1', port: 1, bus: 'gbt', clock }).catch((e: Error) =>
        reasons.add(e.message.replace(/^.*?\): /, '')),
      );
    }
    expect([...reasons].map((r) => r.slice(0, 'cannot connect'.length))).to.deep.equal(['cannot connect']);
  });

  it('turns a lost server into one BenchFault: on the timeline, to onLost, on the next send and on a running periodic', async function () {
    const own = new SocketcandHub({ port: 0 });
    const ownPort = (await own.listen()).port;
    const timeline = new Timeline({ clock });
    const w = await WorkerSocketcandCan.open({ host: '127.0.0.1', port: ownPort, bus: 'x', clock, timeline, source: 'gbt-can' });
    const task = new PeriodicScheduler({ transport: w, clock }).start({ name: 'BHM', periodMs: 250, frame: canFrame(0x182756f4, [1]) });
    const lost: BenchFault[] = [];
    w.onLost((f) => lost.push(f));
    await own.close();
    expect(await waitFor(clock, () => lost.length === 1, WAIT_MS)).to.equal(true);
    expect(lost[0].message).to.match(/connection lost .*does not reconnect/);
    let err: unknown;
    await w.send(canFrame(0x1, [])).catch((e) => (err = e));
    expect(err).to.equal(lost[0]);
    expect(task.error).to.equal(lost[0]);
    expect(task.running).to.equal(false);
    await w.close();
    expect(timeline.query({ kind: 'link' }).map((e) => e.data.event)).to.deep.equal(['can-open', 'can-lost']);
  });
});
