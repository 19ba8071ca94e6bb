// The fault catalogue: every emulator fault switch, gathered from the component that honours it.

import { BENCH_FAULTS } from './bench-faults.ts';
import { CCS_FAULTS } from './ccs/faults.ts';
import { CCS_POWER_FAULTS } from './ccs/power-faults.ts';
import { CCS_RESPONSE_FAULTS } from './ccs/response-faults.ts';
import { CCS_TLS_FAULTS } from './ccs/ccs-tls.ts';
import type { FaultSwitch } from './fault-catalogue.ts';
import { GBT_FAULTS } from './gbt/faults.ts';
import { MCS_FAULTS } from './mcs/faults.ts';
import { CP_FAULTS } from './pilot/cp-faults.ts';
import { POWER_FAULTS } from './power/faults.ts';
import { SLAC_FAULTS } from './slac/faults.ts';

export function faultCatalogue(): FaultSwitch[] {
  const all = [
    ...BENCH_FAULTS,
    ...MCS_FAULTS,
    ...POWER_FAULTS,
    ...GBT_FAULTS,
    ...SLAC_FAULTS,
    ...CP_FAULTS,
    ...CCS_FAULTS,
    ...CCS_POWER_FAULTS,
    ...CCS_TLS_FAULTS,
    ...CCS_RESPONSE_FAULTS,
  ];
  const seen = new Set<string>();
  for (const f of all) {
    if (seen.has(f.name)) throw new Error(`fault '${f.name}' is in the catalogue twice`);
    seen.add(f.name);
  }
  return all;
}
