// Test case ids (Allure testCaseId / requirement) of the MCS long-session suite. The emulator's fault
// catalogue names them as plain strings (it never imports the suites).

export const LONG_SESSION_TEST_IDS = {
  session: 'MCS-SESSION-LONG-001',
} as const;
