// Fault switches of the emulated CCS charger (DIN 70121 / ISO 15118-2 DC SECC and its power stage). Each one
// makes exactly the listed tests of suites/ccs2 fail, on the named checks. The ids are the suite's
// testCaseIds written out (the emulator never imports suites). Switches that are power-stage behaviour are
// handed to this charger's own power stage under the stage's name (POWER_STAGE_FAULT), so the MCS charger's
// stage on the same bench stays correct.

import type { FaultSwitch } from '../fault-catalogue.ts';

export const CCS_FAULT = {
  currentDemandSlow: 'ccs-currentdemand-slow',
  wrongResponseCode: 'ccs-wrong-response-code',
  sequenceErrorMissing: 'ccs-sequence-error-missing',
  cableCheckSkipsIsolation: 'ccs-cablecheck-skips-isolation',
  prechargeOvercurrent: 'ccs-precharge-overcurrent',
  prechargeVoltageMissed: 'ccs-precharge-voltage-missed',
  reportsWrongCurrent: 'ccs-reports-wrong-current',
  ignoresStop: 'ccs-ignores-stop',
} as const;

/** The power-stage switch (emulator/power/fault-layer.ts) each CCS power fault turns on in this charger's stage. */
export const POWER_STAGE_FAULT: Readonly<Record<string, string>> = {
  [CCS_FAULT.prechargeOvercurrent]: 'precharge-over-current',
  [CCS_FAULT.prechargeVoltageMissed]: 'precharge-voltage-mismatch',
  [CCS_FAULT.reportsWrongCurrent]: 'reports-wrong-current',
  [CCS_FAULT.ignoresStop]: 'ignores-stop',
};

/** The power-stage switches a table like POWER_STAGE_FAULT turns on for the run's faults. */
export function stageFaultsOf(table: Readonly<Record<string, string>>, faults: ReadonlySet<string>): Set<string> {
  return new Set([...faults].filter((f) => f in table).map((f) => table[f]));
}

/** The switches this charger's power stage honours, from the run's CCS faults only. */
export function ccsPowerStageFaults(faults: ReadonlySet<string>): Set<string> {
  return stageFaultsOf(POWER_STAGE_FAULT, faults);
}

/** The suite's test-case ids (suites/ccs2/handshake-ids.ts). */
const ID = {
  dinHandshake: 'CCS2-DIN-HANDSHAKE-001',
  iso2Handshake: 'CCS2-ISO2-HANDSHAKE-001',
  sequenceError: 'CCS2-SEQUENCE-ERROR-001',
  performance: 'CCS2-PERFORMANCE-001',
  cableCheck: 'CCS2-CABLECHECK-001',
  precharge: 'CCS2-PRECHARGE-001',
  currentDemand: 'CCS2-CURRENTDEMAND-001',
  stop: 'CCS2-STOP-001',
};

/** A ccs2 test per protocol (suites/ccs2/current-ids.ts, performance.spec.ts): DIN 70121 and ISO 15118-2. */
const CURRENT_SUITE = (key: string): string[] => [`CCS2-DIN-${key}-001`, `CCS2-ISO2-${key}-001`];

/** One fault switch of the CCS charger, caught by the ccs2 suite. */
export const ccsFault = (
  name: string,
  category: FaultSwitch['category'],
  catches: string[],
  description: string,
  checks: string[],
  outcomes?: FaultSwitch['outcomes'],
): FaultSwitch => ({
  name,
  category,
  catches,
  description,
  checks,
  component: 'ccs-charger',
  suite: 'ccs2',
  ...(outcomes && { outcomes }),
});

export const CCS_FAULTS: FaultSwitch[] = [
  ccsFault(
    CCS_FAULT.currentDemandSlow,
    'timing violation',
    [ID.performance, ...CURRENT_SUITE('MSG-PERFORMANCE')],
    'answers every CurrentDemandReq after its 25 ms SECC performance time (but inside the vehicle’s 250 ms timeout)',
    ['CurrentDemandRes response time (worst)'],
  ),
  ccsFault(
    CCS_FAULT.wrongResponseCode,
    'protocol violation',
    [ID.dinHandshake, ID.iso2Handshake],
    'answers a new SessionSetupReq with OK instead of OK_NewSessionEstablished, and every other OK answer with OK_CertificateExpiresSoon',
    ['* ResponseCode'],
  ),
  ccsFault(
    CCS_FAULT.sequenceErrorMissing,
    'protocol violation',
    [ID.sequenceError],
    'accepts requests out of order (no FAILED_SequenceError), e.g. PowerDeliveryReq right after SessionSetup',
    ['PowerDeliveryReq out of order'],
  ),
  ccsFault(
    CCS_FAULT.cableCheckSkipsIsolation,
    'safety violation',
    [ID.cableCheck],
    'answers the first CableCheckReq Finished without applying a test voltage: the isolation is never measured (status Invalid)',
    ['EVSEIsolationStatus before precharge'],
  ),
  ccsFault(
    CCS_FAULT.prechargeOvercurrent,
    'safety violation',
    [ID.precharge],
    'precharges with a 40 A current limit and a fast slew instead of at most 2 A (IEC 61851-23 CC.5.1)',
    ['precharge current (max)'],
  ),
  ccsFault(
    CCS_FAULT.prechargeVoltageMissed,
    'protocol violation',
    [ID.precharge],
    'its voltage sensor reads 40 V high in precharge: the output lands 40 V below the vehicle’s target while it reports the target',
    ['precharge voltage reached'],
  ),
  // The current suite (suites/ccs2/current.spec.ts) judges the same behaviour on its own trace: it fails there too.
  ccsFault(
    CCS_FAULT.reportsWrongCurrent,
    'current-control violation',
    [ID.currentDemand, ...CURRENT_SUITE('RAMP-PRESENT')],
    'its current sensor reads 10 % + 15 A high: every CurrentDemandRes reports more current than flows',
    ['EVSEPresentCurrent vs battery emulator', 'reported − measured present current (worst reading)'],
  ),
  ccsFault(
    CCS_FAULT.ignoresStop,
    'safety violation',
    [ID.stop, ...CURRENT_SUITE('RAMP-STOP')],
    'answers PowerDeliveryReq (stop) OK but keeps delivering current',
    ['current after PowerDelivery stop', 'vehicle stop: time to < * A from * A'],
  ),
];
