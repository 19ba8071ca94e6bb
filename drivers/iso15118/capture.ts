// Capture of the V2G link (the vehicle's end of it) with tcpdump from Debian, packet-buffered (-U) so the
// file holds every packet the moment it was seen: a test's window can be cut from it while the capture runs.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BenchFault } from '../core/errors.ts';
import { readPcap, type CapturedPacket } from './capture-pcapng.ts';

export class LinkCapture {
  private constructor(
    readonly iface: string,
    readonly file: string,
    private readonly child: ChildProcess,
  ) {}

  /** Is tcpdump there? (the capture is evidence, not a precondition: without it the run goes on and says so) */
  static available(): boolean {
    return !spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).error;
  }

  /** Start capturing on iface into file (default: IPv6, i.e. SDP and the V2G TCP/TLS connection); resolves once tcpdump listens. */
  static async start(iface: string, file: string, filter = 'ip6'): Promise<LinkCapture> {
    const child = spawn('tcpdump', ['-U', '--immediate-mode', '-n', '-s', '0', '-i', iface, '-w', file, filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('listening on')) resolve();
      });
      child.on('error', (e) => reject(new BenchFault(`tcpdump could not start on ${iface}: ${e.message}`)));
      child.on('exit', (code) => reject(new BenchFault(`tcpdump on ${iface} exited (${code}): ${stderr.trim()}`)));
    });
    child.removeAllListeners('exit');
    child.on('exit', () => undefined);
    return new LinkCapture(iface, file, child);
  }

  /** The packets captured so far with a time stamp in [fromUs, toUs] (epoch µs). */
  window(fromUs: number, toUs: number): { linkType: number; packets: CapturedPacket[] } {
    const pcap = readPcap(new Uint8Array(readFileSync(this.file)), this.file);
    return { linkType: pcap.linkType, packets: pcap.packets.filter((p) => p.tsUs >= fromUs && p.tsUs <= toUs) };
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
