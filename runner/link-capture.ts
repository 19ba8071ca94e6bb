// Per-test pcapng of the V2G link: one tcpdump capture per run on the vehicle's link interface
// (v2g-link.pcap in the run folder), and after each test its time window as pcapng with the test's TLS key
// logs embedded (Decryption Secrets Block), attached as `v2g-link.pcapng` — Wireshark opens it decrypted.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Bench } from '../benches/bench.ts';
import { LinkCapture } from '../drivers/iso15118/capture.ts';
import { writePcapng } from '../drivers/iso15118/capture-pcapng.ts';
import { attachFile } from '../reports/evidence.ts';
import { registerTestAttacher } from './attachers.ts';

interface LinkLike {
  evInterface?: string;
}
interface KeylogSource {
  keylogFiles?: string[];
}

interface ActiveCapture {
  capture: LinkCapture;
  dir: string;
  vehicle?: KeylogSource;
  startUs: number;
  keylogMark: number;
  n: number;
}

/** The capture of the run in progress (a process may run several runs one after another). */
let active: ActiveCapture | undefined;

/** Start the run's capture when the bench has a V2G link and tcpdump; without either the run goes on uncaptured (noted). */
export async function startLinkCapture(bench: Bench): Promise<void> {
  active?.capture.stop();
  active = undefined;
  const link = [...bench.resources.values()].find((r) => typeof (r as LinkLike).evInterface === 'string') as LinkLike | undefined;
  const file = bench.timeline.file;
  if (!link?.evInterface || !file) return;
  const note = (why: string) => bench.timeline.record('note', 'link-capture', { capture: 'off', why });
  if (!LinkCapture.available()) return void note('tcpdump is not installed (apt-get install tcpdump): no pcapng of the V2G link');
  let capture: LinkCapture;
  try {
    capture = await LinkCapture.start(link.evInterface, join(dirname(file), 'v2g-link.pcap'));
  } catch (e) {
    return void note((e as Error).message);
  }
  bench.timeline.record('note', 'link-capture', { capture: 'on', interface: capture.iface, file: capture.file });
  const vehicle = [...bench.resources.values()].find((r) => Array.isArray((r as KeylogSource).keylogFiles)) as KeylogSource | undefined;
  const run: ActiveCapture = { capture, dir: dirname(file), vehicle, startUs: 0, keylogMark: 0, n: 0 };
  active = run;
  bench.timeline.subscribe((e) => {
    if (e.kind !== 'test' || e.source !== 'runner' || (e.data as { event?: string }).event !== 'start') return;
    run.startUs = Date.now() * 1000; // pcap stamps are wall time, and a bench clock may run faster than the wall
    run.keylogMark = vehicle?.keylogFiles?.length ?? 0;
  });
}

export function stopLinkCapture(): void {
  active?.capture.stop();
  active = undefined;
}

// tcpdump is a child of this process: it must not outlive the run.
process.once('exit', stopLinkCapture);

// An attacher returns text; the pcapng is binary, so it is written beside the capture and attached by path.
registerTestAttacher(['v2g'], (events) => {
  const run = active;
  if (!run || !events.some((e) => e.kind === 'v2g')) return undefined; // no capture, or the test did not use the V2G link
  const { linkType, packets } = run.capture.window(run.startUs, Date.now() * 1000);
  const keylog = (run.vehicle?.keylogFiles ?? [])
    .slice(run.keylogMark)
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'latin1'))
    .join('');
  const out = join(run.dir, 'captures', `v2g-link-${String(++run.n).padStart(3, '0')}.pcapng`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, writePcapng({ linkType, packets, keylog: keylog || undefined, interfaceName: run.capture.iface }));
  attachFile('v2g-link.pcapng (decrypts in Wireshark: TLS key log embedded)', out, 'application/vnd.tcpdump.pcap', 'pcapng');
  return undefined;
});
