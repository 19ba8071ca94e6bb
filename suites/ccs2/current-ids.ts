// Stable test-case ids of the CCS2 current ramp and stop suite, one set per protocol (Allure testCaseId; the
// emulated CCS charger's power faults name them in emulator/ccs/power-faults.ts).

import type { CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';

const ids = (p: 'DIN' | 'ISO2') =>
  ({
    rampUp: `CCS2-${p}-RAMP-UP-001`,
    accuracy: `CCS2-${p}-RAMP-ACC-001`,
    present: `CCS2-${p}-RAMP-PRESENT-001`,
    downStep: `CCS2-${p}-RAMP-DOWN-001`,
    evMax: `CCS2-${p}-EVMAX-001`,
    stop: `CCS2-${p}-RAMP-STOP-001`,
  }) as const;

export const CURRENT_IDS: Record<CcsProtocol, ReturnType<typeof ids>> = { din: ids('DIN'), iso2: ids('ISO2') };
