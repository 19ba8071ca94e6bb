// Test case ids (Allure testCaseId / requirement) of the GB/T 27930 suite. They live with the suite; the
// emulator's fault catalogue names them as plain strings (it never imports the suites), and
// test/gbt27930/faults.test.ts checks that every id it names is one of these.

export const GBT_TEST_IDS = {
  sequence: 'GBT27930-SEQ-001',
  periods: 'GBT27930-PERIOD-001',
  followsBcl: 'GBT27930-CURR-001',
  rampOnAnalyser: 'GBT27930-CURR-002',
  bcpCap: 'GBT27930-PARAM-001',
  stopAfterBst: 'GBT27930-STOP-BST-001',
  statistics: 'GBT27930-STAT-001',
  pause: 'GBT27930-PAUSE-001',
  stopOnBem: 'GBT27930-ERR-BEM-001',
  bclTimeout: 'GBT27930-TO-BCL-001',
  bcsTimeout: 'GBT27930-TO-BCS-001',
  brmTimeout: 'GBT27930-TO-BRM-001',
  bcpTimeout: 'GBT27930-TO-BCP-001',
  broTimeout: 'GBT27930-TO-BRO-001',
} as const;
