// Which CAN resources are the vehicle's: every CAN transport on the bench except the ones an emulated
// charger talks through. Their frames (sent and received) are the bus as the vehicle sees it — the
// charger's own copies would show every frame twice.

import type { Bench } from './bench.ts';

const CAN_KINDS = new Set(['socketcand', 'socketcan', 'virtual-can']);

export function vehicleCanSources(bench: Bench): string[] {
  const chargerSide = new Set(
    Object.values(bench.config.resources)
      .filter((r) => r.kind.startsWith('emulated-') && typeof r.can === 'string')
      .map((r) => r.can as string),
  );
  return Object.entries(bench.config.resources)
    .filter(([name, r]) => CAN_KINDS.has(r.kind) && !chargerSide.has(name))
    .map(([name]) => name);
}
