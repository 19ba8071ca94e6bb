// Fault switches of the emulated CCS charger's power side, caught by the ccs2 current ramp and stop suite
// (suites/ccs2/current.spec.ts). Most are the power stage's own switches turned on in this charger's stage only
// (CCS_RAMP_STAGE_FAULT); the rest are behaviours of the charger's control around its stage (what it passes on
// from the vehicle's requests, what it reports), applied by wrapping the stage's port (withCcsPowerFaults).
// The ids are the suite's testCaseIds written out (the emulator never imports suites); each fault catches the
// DIN 70121 and the ISO 15118-2 test alike: the power stage behind both protocols is the same.

import type { FaultSwitch } from '../fault-catalogue.ts';
import { ccsFault } from './faults.ts';
import type { PowerStagePort } from '../mcs/power-port.ts';

export const CCS_POWER_FAULT = {
  rampTooSlow: 'ccs-ramp-too-slow',
  currentOvershoot: 'ccs-current-overshoot',
  currentOffset: 'ccs-current-offset',
  presentCurrentGainError: 'ccs-present-current-gain-error',
  presentVoltageWrong: 'ccs-present-voltage-wrong',
  slowDownStep: 'ccs-slow-down-step',
  ignoresEvMaxVoltage: 'ccs-ignores-ev-max-voltage',
  slowStop: 'ccs-slow-stop',
  contactorWelding: 'ccs-contactor-welding',
  weldingVoltageStale: 'ccs-welding-voltage-stale',
} as const;

/** The power-stage switch (emulator/power/fault-layer.ts) each of these turns on in the CCS charger's stage. */
export const CCS_RAMP_STAGE_FAULT: Readonly<Record<string, string>> = {
  [CCS_POWER_FAULT.rampTooSlow]: 'ramp-too-slow',
  [CCS_POWER_FAULT.currentOvershoot]: 'overshoot',
  [CCS_POWER_FAULT.currentOffset]: 'offset-beyond-tolerance',
  [CCS_POWER_FAULT.slowDownStep]: 'slow-down-step',
  [CCS_POWER_FAULT.slowStop]: 'slow-stop',
  [CCS_POWER_FAULT.contactorWelding]: 'contactor-welding',
};

/** The stage switches the run's CCS ramp faults turn on. */
export function ccsRampStageFaults(faults: ReadonlySet<string>): Set<string> {
  return new Set([...faults].filter((f) => f in CCS_RAMP_STAGE_FAULT).map((f) => CCS_RAMP_STAGE_FAULT[f]));
}

/** ccs-present-current-gain-error: the reported current reads this factor high (within tolerance below ~30 A). */
const PRESENT_CURRENT_GAIN = 1.07;
/** ccs-present-voltage-wrong: while charging the reported voltage reads this factor high. */
const PRESENT_VOLTAGE_GAIN = 1.02;

/** The stage's port as the charger's control uses it, with the control's faults of this run. */
export function withCcsPowerFaults(port: PowerStagePort, faults: ReadonlySet<string>): PowerStagePort {
  const ours = Object.values(CCS_POWER_FAULT).filter((f) => faults.has(f) && !(f in CCS_RAMP_STAGE_FAULT));
  return ours.length ? new FaultyControl(port, new Set(ours)) : port;
}

class FaultyControl implements PowerStagePort {
  private charging = false;
  /** ccs-welding-voltage-stale: the voltage read when the stop came, reported until the next session. */
  private staleV: number | undefined;

  constructor(
    private readonly stage: PowerStagePort,
    private readonly on: ReadonlySet<string>,
  ) {}

  private get ignoresEvMaxV(): boolean {
    return this.on.has(CCS_POWER_FAULT.ignoresEvMaxVoltage);
  }

  request(t: { currentA: number; voltageV: number }): unknown {
    // ccs-ignores-ev-max-voltage: EVTargetVoltage never reaches the stage; it limits only at its rated voltage.
    return this.stage.request(this.ignoresEvMaxV ? { ...t, voltageV: Number.POSITIVE_INFINITY } : t);
  }
  cableCheck(voltageV: number): unknown {
    this.staleV = undefined;
    return this.stage.cableCheck(voltageV);
  }
  precharge(voltageV: number): unknown {
    return this.stage.precharge(voltageV);
  }
  startCharging(): unknown {
    this.charging = true;
    return this.stage.startCharging();
  }
  stop(reason: 'vehicle' | 'charger' | 'emergency'): unknown {
    if (this.charging && this.on.has(CCS_POWER_FAULT.weldingVoltageStale)) this.staleV = this.stage.present().voltageV;
    this.charging = false;
    return this.stage.stop(reason);
  }
  setVehicleLimits(limits: { maxVoltageV: number; maxCurrentA?: number }): unknown {
    // ccs-ignores-ev-max-voltage: the EVMaximumVoltageLimit is dropped (no CV at it, no over-voltage trip against it).
    return this.stage.setVehicleLimits?.(this.ignoresEvMaxV ? { ...limits, maxVoltageV: Number.POSITIVE_INFINITY } : limits);
  }
  setSitePowerCapW(capW: number | undefined): unknown {
    return this.stage.setSitePowerCapW?.(capW);
  }
  limits(): { maxCurrentA: number; maxVoltageV: number; maxPowerW: number } {
    return this.stage.limits?.() ?? { maxCurrentA: Infinity, maxVoltageV: Infinity, maxPowerW: Infinity };
  }
  present(): { voltageV: number; currentA: number } {
    const p = { ...this.stage.present() };
    if (this.on.has(CCS_POWER_FAULT.presentCurrentGainError)) p.currentA *= PRESENT_CURRENT_GAIN;
    if (this.charging && this.on.has(CCS_POWER_FAULT.presentVoltageWrong)) p.voltageV *= PRESENT_VOLTAGE_GAIN;
    if (this.staleV !== undefined) p.voltageV = this.staleV;
    return p;
  }
  get outputEnabled(): boolean {
    return this.stage.outputEnabled;
  }
  isolationOk(): boolean {
    return this.stage.isolationOk();
  }
}

/** The ccs2 current suite's test-case ids (suites/ccs2/current-ids.ts), each for DIN 70121 and ISO 15118-2. */
const both = (key: string): string[] => [`CCS2-DIN-${key}-001`, `CCS2-ISO2-${key}-001`];
const RAMP_UP = both('RAMP-UP');
const ACCURACY = both('RAMP-ACC');
const PRESENT = both('RAMP-PRESENT');
const DOWN_STEP = both('RAMP-DOWN');
const EV_MAX = both('EVMAX');
const STOP = both('RAMP-STOP');
/** suites/ccs2/pilot.spec.ts: the vehicle takes CP out of C under load (session-ids.ts). */
const CP_EXIT = both('CP-EXIT');
/** suites/ccs2/handshake.spec.ts (handshake-ids.ts): the charge loop's reported current, and the stop. */
const CURRENT_DEMAND = 'CCS2-CURRENTDEMAND-001';
const HANDSHAKE_STOP = 'CCS2-STOP-001';

// Check names of suites/support/power-assertions.ts and suites/ccs2/current-checks.ts (`*` = a value in the name).
const SLOPE = 'up-ramp slope 10–90 % (*)';
const SETTLE = 'settling time into ± * A';
const PRESENT_I = 'reported − measured present current (worst reading)';
const STEADY_ERROR = 'steady-state current error at * A';
const REPORTED_I = 'EVSEPresentCurrent vs battery emulator';
const EV_MAX_V = 'highest voltage above EVMaximumVoltageLimit (* ms mean)';
const broken = 'bench fault' as const;
const cc = 'current-control violation' as const;
const safety = 'safety violation' as const;

const f = ccsFault;

export const CCS_POWER_FAULTS: FaultSwitch[] = [
  f(
    CCS_POWER_FAULT.rampTooSlow,
    cc,
    [...RAMP_UP, ...ACCURACY, CURRENT_DEMAND, ...DOWN_STEP, ...EV_MAX, ...STOP],
    'raises its current at 10 A/s, below the 20 A/s minimum slope',
    [SLOPE, SETTLE, STEADY_ERROR],
    // Still short of 100 A when the accuracy window is judged (failed); the tests that start from a settled
    // current never see it within their settling limit: broken, not judged (perf/fault-exactness.ts).
    Object.fromEntries([CURRENT_DEMAND, ...DOWN_STEP, ...EV_MAX, ...STOP].map((id) => [id, broken])),
  ),
  f(
    CCS_POWER_FAULT.currentOvershoot,
    cc,
    [...RAMP_UP, ...EV_MAX],
    'an under-damped current loop without ramp limiter: a step up overshoots by about a third, past the vehicle’s maximum current',
    // Not CURRENT_DEMAND: its reported-vs-measured check judges only readings after the current held still for 300 ms,
    // and this loop has stopped ringing by then (a reading in the ringing differs from the measured mean by the ringing).
    ['overshoot of the step', 'highest current above EVMaximumCurrentLimit (* ms mean)'],
  ),
  f(
    CCS_POWER_FAULT.currentOffset,
    cc,
    [...RAMP_UP, ...ACCURACY, ...PRESENT, ...DOWN_STEP, ...EV_MAX, ...STOP, ...CP_EXIT, CURRENT_DEMAND, HANDSHAKE_STOP],
    'its current sensor reads 40 A high: it delivers 40 A less than asked while reporting the request',
    [SETTLE, STEADY_ERROR, PRESENT_I],
    // The down-step, EV-maxima, stop and CP-exit tests start from a current this charger never reaches, and the
    // handshake suite's small requests give no current at all: broken, not judged.
    Object.fromEntries([...DOWN_STEP, ...EV_MAX, ...STOP, ...CP_EXIT, CURRENT_DEMAND, HANDSHAKE_STOP].map((id) => [id, broken])),
  ),
  f(
    CCS_POWER_FAULT.presentCurrentGainError,
    cc,
    [...PRESENT, CURRENT_DEMAND],
    'reports in CurrentDemandRes a present current 7 % above what flows',
    [PRESENT_I, REPORTED_I],
  ),
  f(
    CCS_POWER_FAULT.presentVoltageWrong,
    cc,
    PRESENT,
    'while charging, reports in CurrentDemandRes a present voltage 2 % above the one at its output',
    ['reported − measured present voltage (worst reading)'],
  ),
  f(
    CCS_POWER_FAULT.slowDownStep,
    cc,
    [...DOWN_STEP, ...EV_MAX],
    'lowers its current at 20 A/s, whether the vehicle asks for less or its own voltage limit calls for less',
    ['down-step time * → * A', EV_MAX_V],
    // Held above the lowered EVMaximumVoltageLimit for seconds: a safety finding in the EV-maxima test.
    Object.fromEntries(EV_MAX.map((id) => [id, safety])),
  ),
  f(
    CCS_POWER_FAULT.ignoresEvMaxVoltage,
    safety,
    EV_MAX,
    'ignores the vehicle’s EVMaximumVoltageLimit and EVTargetVoltage: ' +
      'limits its output only at its own rated voltage, no over-voltage trip',
    [EV_MAX_V],
  ),
  f(CCS_POWER_FAULT.slowStop, safety, STOP, 'ramps its current down at 30 A/s after PowerDelivery(Stop)', [
    'vehicle stop: time to < * A from * A',
  ]),
  f(
    CCS_POWER_FAULT.contactorWelding,
    safety,
    [...STOP, ...CP_EXIT],
    'its output contactor is welded: after a stop the connector stays above 60 V',
    ['connector voltage < * V after the contactors opened'],
  ),
  f(
    CCS_POWER_FAULT.weldingVoltageStale,
    safety,
    STOP,
    'reports in every WeldingDetectionRes the voltage of the moment the stop came instead of the falling output voltage',
    ['WeldingDetectionRes EVSEPresentVoltage − measured (worst)'],
  ),
];
