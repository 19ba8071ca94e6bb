// One process at a time on a V2G link: the second waits (recorded), a dead holder's lock is taken over,
// past the bound it is a bench fault that names the holder.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealClock } from '../../drivers/core/clock.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { acquireLinkLock, LINK_LOCK_DIR } from '../../drivers/iso15118/link-lock.ts';

const IF = `lltest${process.pid % 100000}`;
const file = join(LINK_LOCK_DIR, `${IF}.lock`);

function holdBy(pid: number): void {
  mkdirSync(LINK_LOCK_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ pid, since: new Date().toISOString(), what: 'test holder' }));
}

describe('link lock (one process per V2G link)', function () {
  const clock = new RealClock();
  after(() => rmSync(file, { force: true }));

  it('is taken and released by its owner', async function () {
    const lock = await acquireLinkLock([IF], { clock });
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).to.equal(process.pid);
    lock.release();
    expect(existsSync(file)).to.equal(false);
  });

  it('takes over the lock of a process that is gone', async function () {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    holdBy(dead);
    const lock = await acquireLinkLock([IF], { clock });
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).to.equal(process.pid);
    lock.release();
  });

  it('waits while a live process holds the link, and gets it when that process ends', async function () {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    holdBy(holder.pid!);
    const timeline = new Timeline({ clock });
    let got = false;
    const p = acquireLinkLock([IF], { clock, timeline, source: 'ev-link' }).then((l) => ((got = true), l));
    await clock.sleep(600);
    expect(got, 'must wait while the holder lives').to.equal(false);
    expect(timeline.query({ kind: 'link' }).map((e) => e.data.event)).to.include('waiting-for-link');
    holder.kill();
    const lock = await p;
    expect(timeline.query({ kind: 'link' }).map((e) => e.data.event)).to.include('link-acquired');
    lock.release();
  });

  it('is a bench fault naming the holder once the wait bound is over', async function () {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    holdBy(holder.pid!);
    try {
      await acquireLinkLock([IF], { clock, maxWaitMs: 300 });
      expect.fail('should not get the link');
    } catch (e) {
      expect(e).to.be.instanceOf(BenchFault);
      expect((e as Error).message).to.contain(`pid ${holder.pid}`);
    } finally {
      holder.kill();
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).pid, 'the holder keeps its lock').to.equal(holder.pid);
  });
});
