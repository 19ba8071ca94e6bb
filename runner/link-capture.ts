// Per-test pcapng of every vehicle-side network link: one tcpdump capture per link per run (capture-<link>.pcap in
// the run folder: the MCS 10BASE-T1S link, the CCS2 port's PLC link), IPv6 (SDP, V2GTP over TCP or TLS) and
// HomePlug AV (EtherType 0x88E1: SLAC), and after each test, for each link it used (runner/link-use.ts), its time
// window as pcapng with the TLS key logs of that link's sessions embedded (Decryption Secrets Block): Wireshark
// opens it decrypted. tshark has no V2GTP dissector of its own: tools/wireshark/v2gtp.lua is ours. An in-process
// link (virtual bench) has no interface to run tcpdump on: it writes the same capture file itself
// (runner/memory-link-capture.ts), and its tests get the same attachments.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Bench } from '../benches/bench.ts';
import { LinkCapture } from '../drivers/iso15118/capture.ts';
import { PcapTail } from '../drivers/iso15118/capture-tail.ts';
import { writePcapng } from '../drivers/iso15118/capture-pcapng.ts';
import { attachFile } from '../reports/evidence.ts';
import { registerTestAttacher } from './attachers.ts';
import { benchLinks, LINK_USE_KINDS, linksUsed, type BenchLink } from './link-use.ts';
import { startMemoryLinkCaptures } from './memory-link-capture.ts';

/** What runs on a vehicle-side link: ISO 15118 over IPv6, and SLAC's HomePlug AV management frames on a PLC link. */
export const LINK_CAPTURE_FILTER = 'ip6 or ether proto 0x88e1';

/**
 * A vehicle whose TLS sessions write NSS key logs: the MCS vehicle lists them as keylogFiles, the CCS2 vehicle
 * as sessionKeylogs; either way one file per connection, appended as connections open.
 */
interface KeylogSource {
  keylogFiles?: string[];
  sessionKeylogs?: string[];
}

function keylogFilesOf(r: unknown): readonly string[] {
  const s = r as KeylogSource | undefined;
  return s?.keylogFiles ?? s?.sessionKeylogs ?? [];
}

/** A link's capture file as it grows, whoever writes it (tcpdump, or the in-process link itself). */
export interface CapturedLink {
  link: BenchLink;
  /** The interface name the pcapng carries, and what the attachment says the capture is ('link capture on mcs-ev0'). */
  iface: string;
  what: string;
  /** The capture file read on from where the previous test's window was cut. */
  tail: PcapTail;
  /** The vehicles on the link and how many key logs each had written when the test started. */
  keylogs: { vehicle: unknown; mark: number }[];
  /** Now on the clock the packets are stamped with (µs since the epoch), and where the test's window starts on it. */
  nowUs(): number;
  startUs: number;
  /** What was captured so far is in the file (before a window is cut). */
  flush(): void;
  stop(): void;
}

interface ActiveCapture {
  dir: string;
  links: CapturedLink[];
  /** The test's number in the run: the pcapng files of one test share it. */
  n: number;
}

/** The captures of the run in progress (a process may run several runs one after another). */
let active: ActiveCapture | undefined;

/** Start a capture on each of the bench's links; a link that cannot be captured (no tcpdump, no permission) is noted, the run goes on. */
export async function startLinkCapture(bench: Bench): Promise<void> {
  stopLinkCapture();
  const file = bench.timeline.file;
  if (!file) return;
  const note = (data: Record<string, unknown>) => bench.timeline.record('note', 'link-capture', data);
  const dir = dirname(file);
  const run: ActiveCapture = {
    dir,
    links: [...startMemoryLinkCaptures(bench, dir, note), ...(await startTcpdumps(bench, dir, note))],
    n: 0,
  };
  if (!run.links.length) return;
  active = run;
  bench.timeline.subscribe((e) => {
    if (e.kind !== 'test' || e.source !== 'runner' || (e.data as { event?: string }).event !== 'start') return;
    run.n++;
    for (const l of run.links) l.startUs = l.nowUs();
    for (const k of run.links.flatMap((l) => l.keylogs)) k.mark = keylogFilesOf(k.vehicle).length;
  });
}

async function startTcpdumps(bench: Bench, dir: string, note: (data: Record<string, unknown>) => void): Promise<CapturedLink[]> {
  const links = benchLinks(bench);
  if (!links.length) return [];
  if (!LinkCapture.available()) {
    note({ capture: 'off', why: 'tcpdump is not installed (apt-get install tcpdump): no pcapng of the network links' });
    return [];
  }
  const started = await Promise.all(links.map((link) => startOne(bench, link, dir, note)));
  return started.filter((c): c is CapturedLink => c !== undefined);
}

async function startOne(
  bench: Bench,
  link: BenchLink,
  dir: string,
  note: (data: Record<string, unknown>) => void,
): Promise<CapturedLink | undefined> {
  try {
    const capture = await LinkCapture.start(link.iface, join(dir, `capture-${link.name}.pcap`), LINK_CAPTURE_FILTER);
    note({ capture: 'on', link: link.name, interface: capture.iface, file: capture.file, filter: LINK_CAPTURE_FILTER });
    return {
      link,
      iface: capture.iface,
      what: `link capture on ${capture.iface}`,
      tail: new PcapTail(capture.file),
      keylogs: link.vehicles.map((v) => ({ vehicle: bench.resources.get(v), mark: 0 })),
      nowUs: () => Date.now() * 1000, // tcpdump stamps wall time, and a bench clock may run faster than the wall
      startUs: 0,
      flush: () => undefined,
      stop: () => capture.stop(),
    };
  } catch (e) {
    note({ capture: 'off', link: link.name, interface: link.iface, why: (e as Error).message });
    return undefined;
  }
}

export function stopLinkCapture(): void {
  for (const l of active?.links ?? []) l.stop();
  active = undefined;
}

// tcpdump is a child of this process: it must not outlive the run.
process.once('exit', stopLinkCapture);

/** The key logs the link's vehicles wrote since the test started, as one NSS key log. */
function testKeylog(l: CapturedLink): string {
  return l.keylogs
    .flatMap((k) => keylogFilesOf(k.vehicle).slice(k.mark))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'latin1'))
    .join('');
}

/** The test's window: the packets written since the previous test's cut, from the test's start on. */
function attachLinkCapture(run: ActiveCapture, l: CapturedLink): void {
  l.flush();
  const { linkType, packets: since } = l.tail.next();
  const packets = since.filter((p) => p.tsUs >= l.startUs);
  const keylog = testKeylog(l);
  const out = join(run.dir, 'captures', `${l.link.name}-${String(run.n).padStart(3, '0')}.pcapng`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, writePcapng({ linkType, packets, keylog: keylog || undefined, interfaceName: l.iface }));
  const how = keylog ? 'TLS key log embedded: decrypts in Wireshark' : 'no TLS key log';
  attachFile(`${l.link.name}.pcapng (${l.what}; ${how})`, out, 'application/vnd.tcpdump.pcap', 'pcapng');
}

// An attacher returns text; the pcapng is binary, so it is written beside the capture and attached by path.
registerTestAttacher(LINK_USE_KINDS, (events) => {
  const run = active;
  if (!run) return undefined;
  const links = run.links.map((l) => l.link);
  const used = new Set(linksUsed(links, events.forEach, events.bodyStartSeq));
  for (const l of run.links) {
    if (!used.has(l.link)) continue;
    try {
      attachLinkCapture(run, l);
    } catch {
      // A capture that cannot be cut (its file unreadable) costs its own attachment only, not the other link's.
    }
  }
  return undefined;
});
