// Which of the bench's ports a test used, so its attachments come only from those: an MCS test carries no
// can.log or decoded GB/T session just because the GB/T charger kept sending its idle messages meanwhile.
// A port counts as used when the vehicle side transmitted on it during the test body (the idle check before
// the body does not count: it runs before every test on every charger).

import type { Bench } from '../benches/bench.ts';
import { vehicleCanSources } from '../benches/vehicle-can.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';

type Port = 'can' | 'v2g';

const PORT_OF_KIND: Record<string, Port> = { can: 'can', gbt: 'can', j1939: 'can', v2g: 'v2g' };

/**
 * The events the test's attachers see: everything not tied to a port, plus the events of the ports the body
 * used. A test whose body used no port (e.g. broken at its precondition) keeps them all: they are what
 * explains it.
 */
export function eventsOfUsedPorts(bench: Bench, events: TimelineEvent[], bodyStartSeq: number): TimelineEvent[] {
  const vehicleCan = new Set(vehicleCanSources(bench));
  const isVehicle = (source: string) => !(bench.config.resources[source]?.kind ?? '').startsWith('emulated-');
  const used = new Set<Port>();
  for (const e of events) {
    if (e.seq <= bodyStartSeq || (e.data as { dir?: unknown }).dir !== 'tx') continue;
    if (e.kind === 'can' && vehicleCan.has(e.source)) used.add('can');
    if (e.kind === 'v2g' && isVehicle(e.source)) used.add('v2g');
  }
  if (used.size === 0) return events;
  return events.filter((e) => {
    const port = PORT_OF_KIND[e.kind];
    return port === undefined || used.has(port);
  });
}
