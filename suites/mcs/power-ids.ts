// Test case ids (Allure testCaseId / requirement) of the MCS current-ramp and safety suites. They live with
// the suites; the emulator's fault catalogue names them as plain strings (it never imports the suites).

export const POWER_TEST_IDS = {
  rampUp: 'MCS-RAMP-UP-001',
  accuracy: 'MCS-RAMP-ACC-001',
  present: 'MCS-RAMP-PRESENT-001',
  downStep: 'MCS-RAMP-DOWN-001',
  siteCap: 'MCS-RAMP-CAP-001',
  longRamp: 'MCS-RAMP-LONG-001',
  precharge: 'MCS-SAFE-PRECHARGE-001',
  stopByVehicle: 'MCS-SAFE-STOP-EV-001',
  stopByCharger: 'MCS-SAFE-STOP-EVSE-001',
  emergencyStop: 'MCS-SAFE-ESTOP-001',
  overVoltage: 'MCS-SAFE-OV-001',
  insulation: 'MCS-SAFE-ISO-001',
} as const;
