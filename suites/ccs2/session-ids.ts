// Stable test-case ids of the CCS2 tests of the message performance times, the control pilot leaving C and
// ServiceDetail (Allure testCaseId; the emulated CCS charger's faults name them in emulator/ccs/response-faults.ts
// and emulator/ccs/faults.ts).

import type { CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';

export const MESSAGE_PERFORMANCE_IDS: Record<CcsProtocol, string> = {
  din: 'CCS2-DIN-MSG-PERFORMANCE-001',
  iso2: 'CCS2-ISO2-MSG-PERFORMANCE-001',
};

export const CP_EXIT_IDS: Record<CcsProtocol, string> = { din: 'CCS2-DIN-CP-EXIT-001', iso2: 'CCS2-ISO2-CP-EXIT-001' };

export const SERVICE_DETAIL_ID = 'CCS2-ISO2-SERVICE-DETAIL-001';
