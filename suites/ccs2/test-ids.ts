// Stable test-case ids of the CCS2 suites (Allure testCaseId; the fault catalogue names them).
export const CCS2_TEST_IDS = {
  slacParm: 'CCS2-SLAC-PARM-001',
  slacAtten: 'CCS2-SLAC-ATTEN-001',
  slacMatch: 'CCS2-SLAC-MATCH-001',
  slacRetry: 'CCS2-SLAC-RETRY-001',
  slacMulti: 'CCS2-SLAC-MULTI-001',
  cpDigital: 'CCS2-CP-001',
} as const;
