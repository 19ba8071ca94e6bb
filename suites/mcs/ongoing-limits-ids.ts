// testCaseIds of suites/mcs/ongoing-limits.spec.ts: the requirement each test carries, stable across renames.
// Data only. The emulator's fault catalogue names the same ids as string literals (it must not import suites).

export const ONGOING_LIMIT_TEST_IDS = {
  authorization: 'TC_SECC_CMN_VTB_Authorization_OngoingLimit_001',
  scheduleExchange: 'TC_SECC_CMN_VTB_ScheduleExchange_OngoingLimit_001',
} as const;
