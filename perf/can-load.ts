// Background load for the CAN benchmarks: N frames/s on a socketcand bus from another node, sent by the native
// real-time helper as bursts of 10 frames every 10/N s (one write per burst), so the load keeps its rate on a
// loaded machine and costs this process nothing. The helper's record protocol is rt-engine.ts's.

import { spawn } from 'node:child_process';
import { canFrame } from '../drivers/can/frame.ts';
import { helperRecord, RT_HELPER_PATH, RtRecord } from '../drivers/can/rt-engine.ts';
import { formatSend } from '../drivers/can/socketcand-protocol.ts';

export async function startLoad(port: number, bus: string, fps = 5000): Promise<{ stop(): Promise<void> }> {
  const child = spawn(RT_HELPER_PATH, ['127.0.0.1', String(port), '5000', '60'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const burst = Array.from({ length: 10 }, (_, j) => formatSend(canFrame(0x1ceb0000 + j, [j, 0, 0, 0, 0, 0, 0, 0]))).join('');
  // The handshake, read from the helper's raw receive records (text after the 14-byte record head).
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    let step = 0;
    child.on('exit', () => reject(new Error('load helper exited during the handshake')));
    child.stdout.on('data', (b: Buffer) => {
      if (step > 2) return; // drain: the load node hears the bus too
      seen += b.toString('latin1');
      const write = (text: string) => child.stdin.write(helperRecord(RtRecord.Write, Buffer.alloc(0), text));
      const oks = seen.split('< ok >').length - 1;
      if (step === 0 && seen.includes('< hi >')) {
        write(`< open ${bus} >`);
        step = 1;
      }
      if (step === 1 && oks >= 1) {
        write('< rawmode >');
        step = 2;
      }
      if (step === 2 && oks >= 2) {
        step = 3;
        resolve();
      }
    });
  });
  const head = Buffer.alloc(28);
  head.writeUInt32LE(1, 0);
  head.writeUInt32LE(0, 4);
  head.writeBigInt64LE(process.hrtime.bigint() + 1_000_000n, 8);
  head.writeBigInt64LE(BigInt(Math.round(1e10 / fps)), 16);
  head.writeUInt32LE(1, 24);
  child.stdin.write(helperRecord(RtRecord.Periodic, head, burst));
  return {
    stop: async () => {
      child.stdin.write(helperRecord(RtRecord.Close, Buffer.alloc(0)));
      child.stdin.end();
      await exited;
    },
  };
}
