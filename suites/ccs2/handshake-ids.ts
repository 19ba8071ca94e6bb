// Stable test-case ids of the CCS2 DIN 70121 / ISO 15118-2 suite (Allure testCaseId; the emulated CCS
// charger's fault switches name them in emulator/ccs/faults.ts).
export const HANDSHAKE_IDS = {
  dinHandshake: 'CCS2-DIN-HANDSHAKE-001',
  iso2Handshake: 'CCS2-ISO2-HANDSHAKE-001',
  iso2Tls: 'CCS2-ISO2-TLS-001',
  iso2TlsChain: 'CCS2-ISO2-TLS-CHAIN-001',
  sequenceError: 'CCS2-SEQUENCE-ERROR-001',
  performance: 'CCS2-PERFORMANCE-001',
  cableCheck: 'CCS2-CABLECHECK-001',
  precharge: 'CCS2-PRECHARGE-001',
  currentDemand: 'CCS2-CURRENTDEMAND-001',
  stop: 'CCS2-STOP-001',
} as const;
