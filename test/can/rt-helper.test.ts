import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { RealClock, waitFor } from '../../drivers/core/clock.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { canFrame, frameText, type CanFrame } from '../../drivers/can/frame.ts';
import { RT_HELPER_PATH, wireEngineChoice } from '../../drivers/can/rt-engine.ts';
import { PeriodicScheduler } from '../../drivers/can/scheduler.ts';
import { SocketcandCan } from '../../drivers/can/socketcand-client.ts';
import { SocketcandHub } from '../../drivers/can/socketcand-hub.ts';
import { WorkerSocketcandCan } from '../../drivers/can/worker-can.ts';
import { gbtEvents, openRig } from '../gbt27930/rig.ts';
import { relayBothWays } from './relay-both-ways.ts';

// The native real-time helper is judged on what it carries, never on how fast: nothing here is timed.
const clock = new RealClock();
const WAIT_MS = 20_000; // how long to wait for frames that must come, on a loaded machine (not a limit judged)
const root = new URL('../..', import.meta.url).pathname;

describe('native real-time CAN helper (native/rt-can.cpp)', function () {
  let hub: SocketcandHub;
  let port: number;
  before(async function () {
    this.timeout(120_000); // a first build compiles the helper
    execFileSync('bash', [`${root}native/build.sh`, '--quiet'], { stdio: 'inherit' });
    hub = new SocketcandHub({ port: 0, buses: ['relay-native', 'relay-worker', 'periodic', 'lost', 'gbt'] });
    port = (await hub.listen()).port;
  });
  after(async function () {
    await hub.close();
  });

  it('builds, and is the wire a socketcand bus gets unless told otherwise', function () {
    expect(wireEngineChoice({}).engine).to.equal('native');
    expect(wireEngineChoice({ MCS_HIL_CAN_WIRE: 'worker' }).engine).to.equal('worker');
    expect(RT_HELPER_PATH).to.match(/native\/build\/mcs-hil-rt-can$/);
  });

  for (const engine of ['native', 'worker'] as const)
    it(`relays frames both ways through our hub (${engine}), each received frame stamped and on the timeline`, async function () {
      const timeline = new Timeline({ clock });
      const bus = `relay-${engine}`;
      const w = await WorkerSocketcandCan.open({ host: '127.0.0.1', port, bus, clock, timeline, source: 'gbt-can', engine });
      const m = await SocketcandCan.open({ host: '127.0.0.1', port, bus, clock });
      expect(w.wire).to.contain(engine === 'native' ? 'native real-time helper (' : 'worker thread');
      const toWire = Array.from({ length: 30 }, (_, i) => canFrame(0x18ff0000 + i, [i, 0x55, 0xaa]));
      const toMain = Array.from({ length: 5 }, (_, i) => canFrame(0x100 + i, [i], { extended: false }));
      expect(toMain.map(frameText)).to.deep.equal(['100#00', '101#01', '102#02', '103#03', '104#04']);
      await relayBothWays(clock, timeline, WAIT_MS, { wire: w, main: m }, toWire, toMain);
    });

  it('runs a periodic frame in the helper: slots in order, each payload the producer gave, sends on the timeline', async function () {
    const timeline = new Timeline({ clock });
    const w = await WorkerSocketcandCan.open({
      host: '127.0.0.1',
      port,
      bus: 'periodic',
      clock,
      timeline,
      source: 'bms',
      engine: 'native',
    });
    const m = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'periodic', clock });
    const got: CanFrame[] = [];
    m.onFrame((f) => got.push(f));
    const task = new PeriodicScheduler({ transport: w, clock }).start({
      name: 'BCL',
      periodMs: 10,
      frame: (k) => canFrame(0x181056f4, [k]),
      count: 6,
    });
    expect(await waitFor(clock, () => !task.running && got.length === task.sent, WAIT_MS)).to.equal(true);
    expect(task.error).to.equal(undefined);
    expect(task.sent).to.be.within(1, 6);
    const payloads = got.map((f) => f.data[0]);
    expect(payloads[0]).to.equal(0);
    expect([...payloads].sort((a, b) => a - b)).to.deep.equal(payloads);
    expect(task.sendTimes.every((t, i) => t >= task.dueTimes[i])).to.equal(true);
    expect(
      timeline
        .query({ kind: 'can' })
        .filter((e) => e.data.dir === 'tx')
        .map((e) => e.t),
    ).to.deep.equal(task.sendTimes);
    await w.close();
    await m.close();
  });

  it('reports a lost server as one BenchFault, and a refused bus with what to fix', async function () {
    const own = new SocketcandHub({ port: 0 });
    const ownPort = (await own.listen()).port;
    let refused: unknown;
    await WorkerSocketcandCan.open({ host: '127.0.0.1', port, bus: 'nope', clock, engine: 'native' }).catch((e) => (refused = e));
    expect(refused).to.be.instanceOf(BenchFault);
    expect((refused as Error).message).to.match(/server refused: .*check that bus 'nope' exists/);
    const w = await WorkerSocketcandCan.open({ host: '127.0.0.1', port: ownPort, bus: 'x', clock, engine: 'native' });
    const lost: BenchFault[] = [];
    w.onLost((f) => lost.push(f));
    await own.close();
    expect(await waitFor(clock, () => lost.length === 1, WAIT_MS)).to.equal(true);
    expect(lost[0].message).to.match(/connection lost .*does not reconnect/);
    await w.close();
  });

  it("carries the GB/T BMS's BCL: decoded at the wire's send time, a new demand at once, held back on request", async function () {
    const clock = new RealClock(1);
    const tl = new Timeline({ clock });
    const at = { host: '127.0.0.1', port, bus: 'gbt', clock, timeline: tl };
    const vehicle = await WorkerSocketcandCan.open({ ...at, source: 'vehicle-can', engine: 'native' });
    const charger = await SocketcandCan.open({ ...at, source: 'charger-can' });
    const rig = await openRig({ clock, transports: { vehicle, charger }, insulationTestMs: 300 });
    try {
      const start = await rig.bms.startCharging();
      expect(start.ok, start.reason).to.equal(true);
      const heard = () => gbtEvents(rig.timeline, 'gbt-charger', 'rx', 'BCL');
      expect(await waitFor(clock, () => heard().length >= 5, WAIT_MS)).to.equal(true);
      const sent = gbtEvents(rig.timeline, 'bms', 'tx', 'BCL');
      expect(sent.every((e) => typeof e.data.values?.currentDemandA === 'number')).to.equal(true);
      // Each BCL the wire sent is on the timeline twice at the same instant: the frame and the decoded message.
      const frameTimes = new Set(
        tl
          .query({ kind: 'can', source: 'vehicle-can' })
          .filter((e) => e.data.dir === 'tx')
          .map((e) => e.t),
      );
      expect(sent.filter((e) => frameTimes.has(e.t)).length).to.be.greaterThan(3);
      rig.bms.requestCurrent(42);
      const asked = () => heard().filter((e) => e.data.values?.currentDemandA === 42);
      expect(await waitFor(clock, () => asked().length >= 3, WAIT_MS)).to.equal(true);
      rig.bms.stopSending('BCL');
      await clock.sleep(200); // a send already on its way may still arrive
      const held = heard().length;
      await clock.sleep(300);
      expect(heard().length).to.equal(held);
    } finally {
      await rig.close();
    }
  });
});
