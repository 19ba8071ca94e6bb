// Fault switches of the emulated power stage (honoured in fault-layer.ts): each makes exactly one
// ramp/safety behaviour wrong. `catches` names the MCS suite test cases (suites/mcs/power-ids.ts) that must
// fail because of it, `checks` the measurement steps that must fail in them — the self-validation run turns
// each on and checks exactly these. The ids are plain strings: the emulator is a charger like any other and
// never imports the suites that judge it.

import type { FaultSwitch } from '../fault-catalogue.ts';

const RAMP_UP = 'MCS-RAMP-UP-001';
const ACCURACY = 'MCS-RAMP-ACC-001';
const PRESENT = 'MCS-RAMP-PRESENT-001';
const DOWN_STEP = 'MCS-RAMP-DOWN-001';
const SITE_CAP = 'MCS-RAMP-CAP-001';
const LONG_RAMP = 'MCS-RAMP-LONG-001';
const LONG_SESSION = 'MCS-SESSION-LONG-001';
const FULL_POWER = 'MCS-RAMP-FULL-001';
const PRECHARGE = 'MCS-SAFE-PRECHARGE-001';
const STOP_EV = 'MCS-SAFE-STOP-EV-001';
const STOP_EVSE = 'MCS-SAFE-STOP-EVSE-001';
const ESTOP = 'MCS-SAFE-ESTOP-001';
const OVER_VOLTAGE = 'MCS-SAFE-OV-001';
const INSULATION = 'MCS-SAFE-ISO-001';
/** suites/mcs/session-timing.spec.ts: the vehicle goes silent mid-loop at sequenceTimeout.loadCurrentA; judged on the trace. */
const CHARGE_LOOP_TIMEOUT = 'TC_SECC_DC_VTB_ChargeLoop_SequenceTimeout_001';
/** Every current and safety test: a charger that delivers (or reports) nothing must pass none of them. */
const ALL_POWER_TESTS = [
  RAMP_UP,
  ACCURACY,
  PRESENT,
  DOWN_STEP,
  SITE_CAP,
  LONG_RAMP,
  FULL_POWER,
  LONG_SESSION,
  PRECHARGE,
  STOP_EV,
  STOP_EVSE,
  ESTOP,
  OVER_VOLTAGE,
  INSULATION,
  CHARGE_LOOP_TIMEOUT,
];

/** The handshake tests that run a whole charging session (suites/mcs/handshake.spec.ts). */
const WHOLE_SESSION_TESTS = [
  'TC_SECC_CMN_VTB_CommonMessageFlow_001',
  'TC_SECC_CMN_VTB_PerformanceTime_001',
  'TC_SECC_DC_VTB_ChargeLoop_Dynamic_001',
];

/** The tests that start from a current settled at a level (the step down, site cap, stops, faults, charge-loop timeout). */
const FROM_SETTLED = [DOWN_STEP, SITE_CAP, STOP_EV, STOP_EVSE, ESTOP, OVER_VOLTAGE, INSULATION, CHARGE_LOOP_TIMEOUT];

// Step names of suites/support/power-assertions.ts (`*` = a value in the name).
const SLOPE = 'up-ramp slope 10–90 % (*)';
const SETTLE = 'settling time into ± * A';
const ACCURACY_ERR = 'steady-state current error at * A';
const PRESENT_ERR = 'reported − measured present current (worst reading)';
const CAP_TIME = 'time to come down to the site cap (* kW)';
const UNDER_ADVERTISED = 'delivered power above the advertised maximum (worst 1 s mean)';
const TAPER = 'current − request during the CV taper (worst 1 s mean)';
const PRECHARGE_DELTA = 'inlet − battery voltage at contactor close';
const stopTime = (kind: 'vehicle' | 'charger' | 'emergency') => `${kind} stop: time to < * A from * A`;

const cc = 'current-control violation' as const;
const safety = 'safety violation' as const;
const broken = 'bench fault' as const;

function f(
  name: string,
  description: string,
  catches: string[],
  category: FaultSwitch['category'],
  checks: string[],
  more: Partial<FaultSwitch> = {},
): FaultSwitch {
  return { name, description, component: 'power-stage', suite: 'mcs', catches, category, checks, ...more };
}

export const POWER_FAULTS: FaultSwitch[] = [
  f(
    'ramp-too-slow',
    'The ramp limiter raises the current at 10 A/s, below the 20 A/s minimum slope.',
    [RAMP_UP, LONG_RAMP, FULL_POWER],
    cc,
    [SLOPE, SETTLE],
  ),
  f(
    'overshoot',
    'The current loop is under-damped (ζ = 0.3) and the ramp limiter is bypassed: a step up overshoots by about a third.',
    [RAMP_UP, FULL_POWER],
    cc,
    ['overshoot of the step'],
  ),
  f(
    'offset-beyond-tolerance',
    "The charger's current sensor reads 40 A high, so it delivers 40 A less than requested while reporting the request.",
    [RAMP_UP, ACCURACY, PRESENT, ...FROM_SETTLED],
    cc,
    [SETTLE, ACCURACY_ERR, PRESENT_ERR],
    // It never settles into the band around a request; and every test that starts from a settled current (300 A, the
    // stops and faults from stop.fromCurrentA, the charge-loop timeout from 100 A) needs a level this charger never
    // reaches (broken).
    { outcomes: Object.fromEntries(FROM_SETTLED.map((id) => [id, broken])) },
  ),
  f('reports-wrong-current', 'The present current the charger reports is 10 % + 15 A above what it delivers.', [PRESENT], cc, [
    PRESENT_ERR,
  ]),
  f(
    'reports-wrong-voltage',
    'While charging, the present voltage the charger reports is 3 % above what is at its output (precharge reports true).',
    [PRESENT],
    cc,
    ['reported − measured present voltage (worst reading)'],
  ),
  f(
    'slow-down-step',
    'Decreases of the current command are ramp-limited to 20 A/s (request drops and site-cap drops follow slowly).',
    // The vehicle's CV taper is a run of falling requests: at 20 A/s the current lags them by far more than the tolerance.
    [DOWN_STEP, SITE_CAP, LONG_SESSION, FULL_POWER],
    cc,
    ['down-step time * → * A', CAP_TIME, UNDER_ADVERTISED, TAPER],
  ),
  f('ignores-site-cap', 'The limit stage ignores the site power cap (while advertising it).', [SITE_CAP, LONG_SESSION], cc, [
    CAP_TIME,
    'mean power under the site cap',
    UNDER_ADVERTISED,
  ]),
  f(
    'power-limit-overshoot',
    'At its rating (its rated current, or its rated power at the present voltage) the limit stage aims 12 % above it: at ' +
      'full current the charger delivers more than its rated and advertised power (above 3.75 MW), while following every request below.',
    [FULL_POWER],
    cc,
    [UNDER_ADVERTISED],
  ),
  f(
    'cv-taper-ignored',
    "The charger keeps the highest current asked in the charge and ignores the vehicle's falling requests (only its own " +
      "voltage limit at the vehicle's maximum voltage holds it back): the CV taper is not followed.",
    // A step down is a falling request too: it is not followed either.
    [FULL_POWER, DOWN_STEP],
    cc,
    [TAPER, 'down-step time * → * A'],
  ),
  f(
    'slow-stop',
    'A normal stop (by the vehicle or the charger) ramps the current down at 30 A/s.',
    // The charger's stop when the vehicle goes silent in the charge loop is such a stop: it ends too late as well.
    [STOP_EV, STOP_EVSE, CHARGE_LOOP_TIMEOUT],
    safety,
    [stopTime('vehicle'), stopTime('charger'), 'output disabled after the vehicle went silent in the charge loop'],
    { outcomes: { [CHARGE_LOOP_TIMEOUT]: 'timing violation' } },
  ),
  f('ignores-stop', "The charger ignores the vehicle's stop and keeps delivering.", [STOP_EV], safety, [
    stopTime('vehicle'),
    'CE exit from C − output disabled',
  ]),
  f(
    'slow-emergency-stop',
    'An emergency stop is handled as a slow controlled stop (30 A/s) instead of opening the output.',
    [ESTOP],
    safety,
    [stopTime('emergency')],
  ),
  f('precharge-over-current', 'Precharge slews at 5000 V/s with a 40 A current limit instead of ≤ 2 A.', [PRECHARGE], safety, [
    'precharge current (max |I|)',
  ]),
  f(
    'precharge-voltage-mismatch',
    "The charger's voltage sensor reads 40 V high in precharge: it precharges 40 V below the vehicle's target while reporting the target.",
    [PRECHARGE],
    safety,
    [PRECHARGE_DELTA],
  ),
  f(
    'voltage-overshoot',
    "Precharge does not discharge the cable-check voltage first: the voltage loop overshoots to the vehicle's maximum + 3 % for 1 s.",
    [PRECHARGE],
    safety,
    ['longest time above the EV maximum voltage (* V)'],
  ),
  f(
    'contactor-welding',
    'The output contactor is welded: after a stop the connector voltage does not fall below 60 V.',
    [STOP_EV, STOP_EVSE],
    safety,
    // The output is never seen disabled, so CE also leaves C before it (seen in its self-validation run).
    ['connector voltage < * V after the contactors opened', 'CE exit from C − output disabled'],
  ),
  f(
    'ignores-vehicle-max-voltage',
    "No over-voltage protection against the vehicle's maximum voltage (Table 104 / CC.6.2).",
    [OVER_VOLTAGE],
    safety,
    ['time from exceeding the EV maximum voltage to output disabled'],
  ),
  f(
    'ignores-insulation-fault',
    'The insulation monitor result is ignored: charging continues with an insulation fault.',
    [INSULATION],
    safety,
    ['insulation fault: time to stop delivering'],
  ),
  // The two below prove that no check passes on absent evidence: the wire looks like a charging session,
  // the trace does not. A test fails where the charger's behaviour is judgeable and is broken where its
  // precondition (current at the start level, a loaded output to stop) never held.
  f(
    'output-never-energizes',
    'The charger answers every request on the wire and reports its set points as present values, but its output never energizes.',
    ALL_POWER_TESTS,
    broken,
    [SLOPE, SETTLE, ACCURACY_ERR, PRESENT_ERR, PRECHARGE_DELTA],
    { outcomes: { [RAMP_UP]: cc, [ACCURACY]: cc, [PRESENT]: cc, [LONG_RAMP]: cc, [FULL_POWER]: cc, [PRECHARGE]: safety } },
  ),
  f(
    'present-values-frozen',
    'The present voltage and current the charger reports on the wire freeze at the first reading it reports in the session (its ' +
      'first DC_PreChargeRes, near the cable-check voltage); its own control still sees its sensors.',
    // The vehicle's precharge never sees its target: every session ends at V2G_EVCC_PreCharge_Timeout, so the handshake
    // tests that run a whole session fail too (the session cannot go on).
    [...ALL_POWER_TESTS, ...WHOLE_SESSION_TESTS],
    broken,
    ['charging session', 'Dynamic charging session'],
    { outcomes: Object.fromEntries(WHOLE_SESSION_TESTS.map((id) => [id, 'timing violation'])) },
  ),
];
