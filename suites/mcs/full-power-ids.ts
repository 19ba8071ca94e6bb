// testCaseIds of suites/mcs/full-power.spec.ts: the requirement each test carries, stable across renames.
// Data only. The emulator's fault catalogue names the same ids as string literals (it must not import suites).

export const FULL_POWER_TEST_IDS = {
  fullPower: 'MCS-RAMP-FULL-001',
} as const;
