// The emulated charger as a standalone emulator (emulateCommand, what `mcs-hil emulate` runs) in its own
// process, and our EVCC in this process as an independent client over the veth link: sessions one after
// another and at the same time, then a clean stop on SIGTERM.

import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { upTestVethPair, type TestVethPair } from '../support/veth-pair.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BENCH = join(HERE, 'fixtures', 'mcs-emulate.yaml');
const LINK = { evInterface: 'mcs-t4ev1', chargerInterface: 'mcs-t4se1' };

describe('emulated MCS charger in its own process (emulateCommand) with an independent EVCC', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let output = '';
  let link: TestVethPair;
  const clock = new RealClock();
  const timeline = new Timeline({ clock });
  const limits = Limits.load('iso15118-20');

  before(async function () {
    link = await upTestVethPair(LINK);
    child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'emulate-child.ts'), BENCH], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`emulator not ready within 60 s:\n${output}`)), 60_000);
      const check = () => {
        if (/ready: charger serves/.test(output)) {
          clearTimeout(t);
          resolve();
        } else if (child!.exitCode !== null) {
          clearTimeout(t);
          reject(new Error(`emulator exited ${child!.exitCode}:\n${output}`));
        } else setTimeout(check, 50);
      };
      check();
    });
  });

  after(async function () {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited; // the emulator's sockets are gone before its link is
    }
    timeline.close();
    await link?.remove();
  });

  const vehicle = (name: string) =>
    Iso15118Vehicle.create(name, { interface: link.evInterface, localAddress: link.evAddress }, { clock, timeline, limits });

  it('charges two vehicles one after another', async function () {
    for (const name of ['ev-a', 'ev-b']) {
      const ev = await vehicle(name);
      const s = await ev.startCharging();
      await clock.sleep(300);
      await s.stop();
      expect(s.loops.length, name).to.be.greaterThan(1);
      expect(s.error, name).to.equal(undefined);
      const last = timeline
        .query({ kind: 'v2g', source: name })
        .filter((e) => typeof e.data.message === 'string')
        .at(-1);
      expect(last?.data.message, name).to.equal('SessionStopRes');
    }
  });

  it('serves two vehicles at the same time, each in its own session', async function () {
    const [a, b] = await Promise.all([vehicle('ev-c'), vehicle('ev-d')]);
    const [sa, sb] = await Promise.all([a.openSession(), b.openSession()]);
    await Promise.all([sa.supportedAppProtocol(), sb.supportedAppProtocol()]);
    await Promise.all([sa.sessionSetup(), sb.sessionSetup()]);
    expect(sa.sessionId).to.not.equal(sb.sessionId);
    const [xa, xb] = await Promise.all([sa.sessionStop(), sb.sessionStop()]);
    expect([xa.responseCode, xb.responseCode]).to.deep.equal(['OK', 'OK']);
  });

  it('stops cleanly on SIGTERM', async function () {
    child!.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child!.once('exit', (c) => resolve(c)));
    expect(code, output).to.equal(0);
    expect(output).to.match(/stopping: closing the charger side/);
    expect(output.match(/session end: session-stopped/g)?.length ?? 0, output).to.be.at.least(4);
  });
});
