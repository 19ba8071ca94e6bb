// Our socketcand hub in a process of its own for the CAN benchmarks: the bus stand-in must not share the
// measured process's event loop (on a real bench socketcand runs on its own box). Runs under SCHED_FIFO
// (chrt) where the system permits it, and says which.

import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;

export async function startHubProcess(priority = 40): Promise<{ port: number; note: string; stop(): Promise<void> }> {
  const fifo = spawnSync('chrt', ['-f', String(priority), 'true']).status === 0;
  const node = [process.execPath, `${root}bin/mcs-hil.mjs`, 'can', 'hub', '--port', '0'];
  const child = fifo ? spawn('chrt', ['-f', String(priority), ...node]) : spawn(node[0], node.slice(1));
  child.stderr.pipe(process.stderr);
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /listening on \S+?:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`hub process exited (${code}) before listening`)));
  });
  const note = `own process, ${fifo ? `SCHED_FIFO ${priority}` : 'SCHED_OTHER (chrt -f refused)'}`;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { port, note, stop: () => (child.kill('SIGINT'), exited) };
}
