// The capture of each in-process V2G link (a vehicle with `memory: <charger>`, the virtual bench's): the link has
// no interface for tcpdump, so it writes the capture file itself from its socket layer
// (drivers/iso15118/memory-capture.ts), stamped on the bench clock, and runner/link-capture.ts cuts and attaches
// each test's window exactly as it does a tcpdump capture's, under the name the same port's link has on a
// network bench: a test reads alike on either.

import { basename, join } from 'node:path';
import type { Bench } from '../benches/bench.ts';
import { PcapTail } from '../drivers/iso15118/capture-tail.ts';
import { MemoryLinkRecorder, setMemoryLinkTaps } from '../drivers/iso15118/memory-capture.ts';
import type { CapturedLink } from './link-capture.ts';
import type { BenchLink } from './link-use.ts';

/** The link resource name each vehicle kind's port has on the network emulator bench (benches/emulator.yaml). */
const LINK_NAME_OF_KIND: Record<string, string> = { 'iso15118-ev': 'ev-link', 'ccs-ev': 'plc' };

/** What the pcapng names as its interface. */
const IN_PROCESS = 'in-process';

/** The bench's in-process links: one per vehicle that talks to an emulated charger in this process. */
export function inProcessLinks(bench: Pick<Bench, 'config'>): BenchLink[] {
  const links: BenchLink[] = [];
  for (const [vehicle, e] of Object.entries(bench.config.resources)) {
    const name = LINK_NAME_OF_KIND[e.kind];
    if (!name || typeof (e as { memory?: unknown }).memory !== 'string') continue;
    // A network link of the bench may already have the name (and its capture file): then the vehicle's name tells them apart.
    const taken = links.some((l) => l.name === name) || name in bench.config.resources;
    links.push({ name: taken ? `${name}-${vehicle}` : name, iface: IN_PROCESS, vehicles: [vehicle] });
  }
  return links;
}

/** Start recording every in-process link of the bench into capture-<link>.pcap in dir; stop() ends them all. */
export function startMemoryLinkCaptures(bench: Bench, dir: string, note: (data: Record<string, unknown>) => void): CapturedLink[] {
  const links = inProcessLinks(bench);
  if (!links.length) return [];
  const recorders = new Map(links.map((l) => [l, new MemoryLinkRecorder(join(dir, `capture-${l.name}.pcap`))]));
  const byVehicle = new Map(links.map((l) => [l.vehicles[0], recorders.get(l)!]));
  setMemoryLinkTaps((ev, clock) => byVehicle.get(ev)?.connection(clock));
  return links.map((link) => {
    const recorder = recorders.get(link)!;
    // The file's name only: a run folder's path would make two runs' timelines differ.
    note({ capture: 'on', link: link.name, interface: IN_PROCESS, file: basename(recorder.file), written: 'from the socket layer' });
    return {
      link,
      iface: IN_PROCESS,
      what: 'in-process link capture, socket layer',
      tail: new PcapTail(recorder.file),
      keylogs: [{ vehicle: bench.resources.get(link.vehicles[0]), mark: 0 }],
      nowUs: () => bench.clock.wallMs() * 1000, // the recorder stamps on the bench clock
      startUs: 0,
      flush: () => recorder.flush(),
      stop: () => {
        setMemoryLinkTaps(undefined);
        recorder.close();
      },
    };
  });
}
