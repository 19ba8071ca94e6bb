// Which of the bench's ports a test used, so its attachments come only from those: an MCS test carries no
// can.log or decoded GB/T session just because the GB/T charger kept sending its idle messages meanwhile.
// A port counts as used when the vehicle side transmitted on it during the test body (the idle check before
// the body does not count: it runs before every test on every charger).

import type { Bench } from '../benches/bench.ts';
import { vehicleCanSources } from '../benches/vehicle-can.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';

export type Port = 'can' | 'v2g';

const PORT_OF_KIND: Record<string, Port> = { can: 'can', gbt: 'can', j1939: 'can', v2g: 'v2g' };

/** The kinds whose events tell a port was used (the vehicle's transmissions). */
export const PORT_USE_KINDS = ['can', 'v2g'] as const;

/** The port an event of this kind belongs to, if any. */
export function portOf(kind: string): Port | undefined {
  return PORT_OF_KIND[kind];
}

/** A test of one event: the port it shows the vehicle used during the test body, if it does. */
export function portUseTest(bench: Bench, bodyStartSeq: number): (e: TimelineEvent) => Port | undefined {
  const vehicleCan = new Set(vehicleCanSources(bench));
  const isVehicle = (source: string) => !(bench.config.resources[source]?.kind ?? '').startsWith('emulated-');
  return (e) => {
    if (e.seq <= bodyStartSeq || (e.data as { dir?: unknown }).dir !== 'tx') return undefined;
    if (e.kind === 'can' && vehicleCan.has(e.source)) return 'can';
    if (e.kind === 'v2g' && isVehicle(e.source)) return 'v2g';
    return undefined;
  };
}

/**
 * The events the test's attachers see: everything not tied to a port, plus the events of the ports the body
 * used. A test whose body used no port (e.g. broken at its precondition) keeps them all: they are what
 * explains it.
 */
export function eventsOfUsedPorts(bench: Bench, events: TimelineEvent[], bodyStartSeq: number): TimelineEvent[] {
  const portUsedBy = portUseTest(bench, bodyStartSeq);
  const used = new Set<Port>();
  for (const e of events) {
    const port = portUsedBy(e);
    if (port) used.add(port);
  }
  if (used.size === 0) return events;
  return events.filter((e) => {
    const port = portOf(e.kind);
    return port === undefined || used.has(port);
  });
}
