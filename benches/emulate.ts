// `mcs-hil emulate --bench FILE`: open the charger side of an emulator bench (link, CE/ID line, battery
// emulator, emulated MCS charger — everything except the vehicle) and serve until interrupted, so any EV
// (ours in another process, another stack on the veth's EV end) can charge against it. Any number of
// vehicles, one after another or at once. Prints one 'ready' line with where it listens.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBenchFile } from './load.ts';
import { openBench } from './open.ts';
import type { Bench } from './bench.ts';
import { EMULATED_MCS_CHARGER_KIND, type EmulatedMcsCharger } from '../emulator/mcs/charger.ts';
import { EMULATED_CCS_CHARGER_KIND, type EmulatedCcsCharger } from '../emulator/ccs/charger.ts';
// The kinds an emulator bench's charger side needs (also in benches/kinds.ts once wired there).
import './kinds.ts';
import './kinds/v2g-link.ts';
import './kinds/emulated-ce-id.ts';
import './kinds/emulated-battery.ts';
import './kinds/emulated-mcs-charger.ts';

/** Resource kinds that are the vehicle, not the charger: left closed when emulating a charger. */
export const VEHICLE_SIDE_KINDS = new Set(['iso15118-ev', 'gbt27930-bms', 'ccs-ev']);

export interface EmulateOptions {
  benchFile: string;
  faults?: string[];
  /** Folder for the timeline / key logs (default: a temporary one). */
  runDir?: string;
  /** Where the 'ready' line and session notes go. */
  log?: (line: string) => void;
  /** Stop when this is aborted (default: SIGINT / SIGTERM). */
  signal?: AbortSignal;
  /** Called once the charger side serves (`--ui` starts the live view here); what it returns runs before the bench closes. */
  onReady?: (bench: Bench) => Promise<() => Promise<void>>;
}

/** Opens the charger side and resolves once it serves; call close() (or abort the signal) to end. */
export async function startEmulator(
  o: EmulateOptions,
): Promise<{ bench: Bench; chargers: EmulatedMcsCharger[]; ccsChargers: EmulatedCcsCharger[]; close(): Promise<void> }> {
  const config = loadBenchFile(o.benchFile);
  const resources = Object.fromEntries(Object.entries(config.resources).filter(([, r]) => !VEHICLE_SIDE_KINDS.has(r.kind)));
  const runDir = o.runDir ?? mkdtempSync(join(tmpdir(), 'mcs-emulate-'));
  const bench = await openBench({ config: { ...config, resources }, runDir, faults: o.faults });
  const chargers = bench.resourcesOfKind<EmulatedMcsCharger>(EMULATED_MCS_CHARGER_KIND);
  return {
    bench,
    chargers,
    // The CCS2 port's DIN 70121 / ISO 15118-2 charger, where the bench has one.
    ccsChargers: bench.resourcesOfKind<EmulatedCcsCharger>(EMULATED_CCS_CHARGER_KIND),
    close: async () => {
      await bench.close('emulator stopped');
      bench.timeline.close();
    },
  };
}

/** The long-running command: serve until SIGINT/SIGTERM (or the signal), then close the bench cleanly. */
export async function emulateCommand(o: EmulateOptions): Promise<number> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const em = await startEmulator(o);
  const beforeClose = await o.onReady?.(em.bench);
  for (const c of em.chargers) {
    const where = c.interface
      ? `[${c.address}%${c.interface}]:${c.port} (SDP on udp 15118, ${c.settings.tls === false ? 'TCP' : 'TLS 1.3'})`
      : 'in-process only';
    log(
      `ready: ${c.name} serves ${where}, services ${c.config.services.join(',')}, codec ${c.codec.name}${em.bench.faults.size ? `, faults ${[...em.bench.faults].join(',')}` : ''}`,
    );
  }
  for (const c of em.ccsChargers) {
    const where = c.interface ? `[${c.address}%${c.interface}]:${c.port} (SDP on udp 15118, TCP)` : 'in-process only';
    log(`ready: ${c.name} serves ${where}, ${c.config.protocols.join(' + ')} DC, after SLAC on its PLC link`);
  }
  if (em.chargers.length + em.ccsChargers.length === 0)
    log(`ready: the bench has no '${EMULATED_MCS_CHARGER_KIND}' resource; nothing to serve`);
  const unsubscribe = em.bench.timeline.subscribe((e) => {
    if (e.kind === 'session' && typeof e.data.event === 'string' && /session end|connection accepted/.test(e.data.event))
      log(`${e.source}: ${e.data.event} ${String(e.data.connection ?? '')}${e.data.detail ? ` (${String(e.data.detail)})` : ''}`);
  });
  await new Promise<void>((resolve) => {
    if (o.signal) {
      if (o.signal.aborted) return resolve();
      o.signal.addEventListener('abort', () => resolve(), { once: true });
    } else {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }
  });
  unsubscribe();
  await beforeClose?.();
  log('stopping: closing the charger side');
  await em.close();
  return 0;
}
