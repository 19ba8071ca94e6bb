// Fault switches of the emulated power stage: each makes exactly one ramp/safety behaviour wrong, and
// `catches` names the MCS suite test cases (suites/mcs/current-ramp.spec.ts, safety.spec.ts) that must
// fail because of it — the self-validation run turns each on and checks exactly these fail.

import type { FaultSwitch } from '../fault-catalogue.ts';

/** Test case ids of the MCS ramp and safety suites. */
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

const T = POWER_TEST_IDS;
const cc = 'current-control violation' as const;
const safety = 'safety violation' as const;

function f(name: string, description: string, catches: string[], category: FaultSwitch['category'], checks: string[]): FaultSwitch {
  return { name, description, component: 'power-stage', suite: 'mcs', catches, category, checks };
}

/** Step-name patterns of the power assertions (`*` = any text, see checkNameMatches). */
const stopCheck = (kind: 'vehicle' | 'charger' | 'emergency') => `${kind} stop: time to < * A from * A`;
const SITE_CAP_TIME = 'time to come down to the site cap (* kW)';

export const POWER_FAULTS: FaultSwitch[] = [
  f('ramp-too-slow', 'The ramp limiter raises the current at 10 A/s, below the 20 A/s minimum slope.', [T.rampUp, T.longRamp], cc, ['up-ramp slope 10–90 % (*)']),
  f('overshoot', 'The current loop is under-damped (ζ = 0.3) and the ramp limiter is bypassed: a step up overshoots by about a third.', [T.rampUp], cc, ['overshoot of the step']),
  f('offset-beyond-tolerance', "The charger's current sensor reads 40 A high, so it delivers 40 A less than requested while reporting the request.", [T.accuracy, T.present], cc, ['steady-state current error at * A', 'reported − measured present current (worst reading)']),
  f('reports-wrong-current', 'The present current the charger reports is 10 % + 15 A above what it delivers.', [T.present], cc, ['reported − measured present current (worst reading)']),
  f('slow-down-step', 'Decreases of the current command are ramp-limited to 20 A/s (request drops and site-cap drops follow slowly).', [T.downStep, T.siteCap], cc, ['down-step time * → * A', SITE_CAP_TIME]),
  f('ignores-site-cap', 'The limit stage ignores the site power cap.', [T.siteCap], cc, [SITE_CAP_TIME, 'mean power under the site cap']),
  f('slow-stop', 'A normal stop (by the vehicle or the charger) ramps the current down at 30 A/s.', [T.stopByVehicle, T.stopByCharger], safety, [stopCheck('vehicle'), stopCheck('charger')]),
  f('ignores-stop', "The charger ignores the vehicle's stop and keeps delivering.", [T.stopByVehicle], safety, [stopCheck('vehicle')]),
  f('slow-emergency-stop', 'An emergency stop is handled as a slow controlled stop (30 A/s) instead of opening the output.', [T.emergencyStop], safety, [stopCheck('emergency')]),
  f('precharge-over-current', 'Precharge slews at 5000 V/s with a 40 A current limit instead of ≤ 2 A.', [T.precharge], safety, ['precharge current (max |I|)']),
  f('voltage-overshoot', "Precharge does not discharge the cable-check voltage first: the voltage loop overshoots to the vehicle's maximum + 3 % for 1 s before settling at the battery voltage.", [T.precharge], safety, ['longest time above the EV maximum voltage (* V)']),
  f('contactor-welding', 'The output contactor is welded: after a stop the connector voltage does not fall below 60 V.', [T.stopByVehicle, T.stopByCharger], safety, ['connector voltage < * V after the contactors opened']),
  f('ignores-vehicle-max-voltage', "No over-voltage protection against the vehicle's maximum voltage (Table 104 / CC.6.2).", [T.overVoltage], safety, ['time from exceeding the EV maximum voltage to output disabled']),
  f('ignores-insulation-fault', 'The insulation monitor result is ignored: charging continues with an insulation fault.', [T.insulation], safety, ['insulation fault: time to stop delivering']),
];
