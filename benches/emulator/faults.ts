// The fault catalogue: every emulator fault switch, gathered from the component that honours it.

import type { FaultSwitch } from './fault-catalogue.ts';
import { BENCH_FAULTS } from './bench-faults.ts';

export function faultCatalogue(): FaultSwitch[] {
  const all = [...BENCH_FAULTS];
  const seen = new Set<string>();
  for (const f of all) {
    if (seen.has(f.name)) throw new Error(`fault '${f.name}' is in the catalogue twice`);
    seen.add(f.name);
  }
  return all;
}
