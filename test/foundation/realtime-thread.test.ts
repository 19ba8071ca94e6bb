import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { LAB_BENCH_PRIORITY, realtimeMainThread } from '../../drivers/core/realtime-thread.ts';

// The main thread's scheduling policy per bench: which benches get SCHED_FIFO by default, which only when asked,
// and that threads started meanwhile do not inherit it. Nothing here is timed.
const lab = { realClock: true, emulatedInProcess: false };
const emulator = { realClock: true, emulatedInProcess: true };
const policyOf = (tid: number | string) => spawnSync('chrt', ['-p', String(tid)], { encoding: 'utf8' }).stdout;
const fifoPermitted = spawnSync('chrt', ['-f', '1', 'true']).status === 0;

describe('main thread real-time policy (drivers/core/realtime-thread.ts)', function () {
  it('leaves a virtual-time bench, an emulator bench not asked, and MCS_HIL_REALTIME=off as they are', function () {
    expect(realtimeMainThread({ realClock: false, emulatedInProcess: false }, {}).note).to.match(/^virtual time/);
    expect(realtimeMainThread(emulator, {}).note).to.match(/^SCHED_OTHER \(emulated in this process; MCS_HIL_REALTIME=/);
    expect(realtimeMainThread(lab, { MCS_HIL_REALTIME: 'off' }).note).to.equal('SCHED_OTHER (MCS_HIL_REALTIME=off)');
    expect(policyOf(process.pid)).to.contain('SCHED_OTHER');
  });

  it('says why a priority it cannot use was refused', function () {
    expect(realtimeMainThread(lab, { MCS_HIL_REALTIME: '99' }).note).to.match(/is not a priority 1\.\.98 or 'off'/);
    expect(realtimeMainThread(emulator, { MCS_HIL_REALTIME: 'high' }).note).to.match(/'high' is not a priority/);
  });

  it('puts a lab bench under SCHED_FIFO by default; threads started meanwhile stay SCHED_OTHER; restore undoes it', async function () {
    if (!fifoPermitted) this.skip(); // chrt -f refused here (not root, or no real-time budget)
    const rt = realtimeMainThread(lab, {});
    try {
      expect(rt.note).to.equal(
        `SCHED_FIFO ${LAB_BENCH_PRIORITY} while tests run (main thread; lab bench default; MCS_HIL_REALTIME=off for SCHED_OTHER)`,
      );
      expect(policyOf(process.pid)).to.contain('SCHED_FIFO').and.contain(`priority: ${LAB_BENCH_PRIORITY}`);
      // The worker reads its own policy while it lives (its thread id is gone once it ends).
      const code = [
        "const { parentPort } = require('node:worker_threads');",
        "const tid = /task\\/(\\d+)/.exec(require('node:fs').readlinkSync('/proc/thread-self'))[1];",
        "parentPort.postMessage(require('node:child_process').execFileSync('chrt', ['-p', tid], { encoding: 'utf8' }));",
      ].join('\n');
      const worker = new Worker(code, { eval: true });
      const policy = await new Promise<string>((resolve, reject) => worker.once('message', resolve).once('error', reject));
      await worker.terminate();
      expect(policy, 'a worker started meanwhile').to.contain('SCHED_OTHER');
    } finally {
      rt.restore();
    }
    expect(policyOf(process.pid)).to.contain('SCHED_OTHER');
  });
});
