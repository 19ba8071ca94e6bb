// Fault switches of the emulated GB/T 27930 charger. Each one makes exactly the listed suite tests fail
// (the self-validation run proves it); `catches` must stay exact.

import type { FaultSwitch } from '../fault-catalogue.ts';
import type { PowerStageParams } from '../power/power-stage.ts';

const f = (name: string, description: string, catches: string[], category: FaultSwitch['category'], checks: string[]): FaultSwitch => ({
  name,
  description,
  component: 'gbt-charger',
  suite: 'gbt27930',
  catches,
  category,
  checks,
});

/** Step-name patterns of the stop-rate check (`*` = any text, see checkNameMatches). */
const fallCheck = (what: string) => `${what}: fall from I0−0.5 A to < * A (*)`;

/** The charger sends `code` every `sentMs` instead of the standard's `standardMs`: the period test fails on it. */
const periodWrong = (code: string, sentMs: number, standardMs: number) =>
  f(
    `${code.toLowerCase()}-period-wrong`,
    `${code} is sent every ${sentMs} ms instead of ${standardMs} ms`,
    ['GBT27930-PERIOD-001'],
    'timing violation',
    [`${code} period (mean of *)`],
  );

/** The charger never times out waiting for `code` (its timer starts at `from`): that message's timeout test fails. */
const ignoresTimeout = (code: string, from: string) =>
  f(
    `ignores-${code.toLowerCase()}-timeout`,
    `the charger waits for ${code} forever (no CEM after 5 s)`,
    [`GBT27930-TO-${code}-001`],
    'timing violation',
    [`${from} → CEM`],
  );

/**
 * The tests whose precondition is a charging session (suites/gbt27930: gbt.charging() not judged): a charger that never
 * gets there breaks each of them; only the sequence test judges getting there.
 */
const NEEDS_CHARGING = [
  'GBT27930-PERIOD-001',
  'GBT27930-CURR-001',
  'GBT27930-CURR-002',
  'GBT27930-PARAM-001',
  'GBT27930-STOP-BST-001',
  'GBT27930-STAT-001',
  'GBT27930-PAUSE-001',
  'GBT27930-ERR-BEM-001',
  'GBT27930-TO-BCL-001',
  'GBT27930-TO-BCS-001',
];
const brokenWithoutCharging: Record<string, FaultSwitch['category']> = Object.fromEntries(NEEDS_CHARGING.map((id) => [id, 'bench fault']));

export const GBT_FAULTS: FaultSwitch[] = [
  f(
    'wrong-crm-sequence',
    'the charger sends CRM(0xAA) straight away, without CRM(0x00) and without waiting for BRM',
    ['GBT27930-SEQ-001', 'GBT27930-TO-BRM-001'],
    'protocol violation',
    ['CRM(0x00) precedes CRM(0xAA)', 'CHM precedes CRM(0x00)', 'BRM precedes CRM(0xAA)', 'the charger starts recognition with CRM(0x00)'],
  ),
  {
    // The vehicle gives up at its 5 s CRM(0xAA) timeout: the sequence test fails on it; every test that needs a
    // charging session is broken at that precondition; the BRO-timeout test never sees the charger reach its stage.
    ...f(
      'crm-aa-late',
      "the charger recognises the vehicle (CRM 0xAA) only 6 s after its BRM, past the standard's 5 s",
      ['GBT27930-SEQ-001', ...NEEDS_CHARGING, 'GBT27930-TO-BRO-001'],
      'protocol violation',
      ['the session reaches the charging phase', 'BRM → CRM(0xAA)', 'first CTS/CML → CEM'],
    ),
    outcomes: { ...brokenWithoutCharging, 'GBT27930-TO-BRO-001': 'timing violation' },
  },
  {
    // The vehicle gives up at its 60 s CRO(0xAA) timeout: the sequence test fails on it, every test that needs a
    // charging session is broken at that precondition (perf/fault-exactness.ts, a whole-suite run).
    ...f(
      'cro-never-ready',
      'the charger precharges but never reports ready: CRO stays 0x00 until the vehicle gives up',
      ['GBT27930-SEQ-001', ...NEEDS_CHARGING],
      'protocol violation',
      ['the session reaches the charging phase', 'BRO(0xAA) → CRO(0xAA)'],
    ),
    outcomes: brokenWithoutCharging,
  },
  periodWrong('CHM', 160, 250),
  periodWrong('CCS', 80, 50),
  f(
    'cts-cml-period-wrong',
    'CTS is sent every 300 ms instead of 500 ms and CML every 150 ms instead of 250 ms',
    ['GBT27930-PERIOD-001'],
    'timing violation',
    ['CTS period (mean of *)', 'CML period (mean of *)'],
  ),
  f(
    'cml-before-bcp',
    "the charger sends its CML just before CRM(0xAA), ahead of the BMS's BCP it answers",
    ['GBT27930-SEQ-001'],
    'protocol violation',
    ['BCP precedes CML'],
  ),
  f(
    'cro-ready-early',
    'the charger reports CRO(0xAA) as soon as it has the BCP, before the vehicle is ready (BRO 0xAA)',
    ['GBT27930-SEQ-001'],
    'protocol violation',
    ['BRO(0xAA) precedes CRO(0xAA)'],
  ),
  f('ccs-before-cro', 'the charger starts sending CCS while it precharges, before CRO(0xAA)', ['GBT27930-SEQ-001'], 'protocol violation', [
    'CRO(0xAA) precedes CCS',
  ]),
  f(
    'cml-exceeds-bcp',
    "the charger limits its output only by its own CML maximum and ignores the BMS's BCP maximum charging current",
    ['GBT27930-PARAM-001'],
    'current-control violation',
    ['peak output current above BCP maximum * A + tolerance (*)'],
  ),
  f(
    'bcl-ramp-too-slow',
    'the power stage raises the current at only 10 A/s after a higher BCL demand',
    ['GBT27930-CURR-001', 'GBT27930-CURR-002'],
    'current-control violation',
    ['CCS output current at a * A demand (mean of *)', 'up-ramp slope 10–90 % (*)'],
  ),
  f(
    'ccs-wrong-current',
    'CCS reports the output current 15 % + 3 A too high (above 10 A)',
    ['GBT27930-CURR-001'],
    'current-control violation',
    ['CCS output current at a * A demand (mean of *)'],
  ),
  f('ignores-bsm-pause', 'BSM "charging permitted = 00" does not pause the output', ['GBT27930-PAUSE-001'], 'current-control violation', [
    fallCheck('BSM pause'),
  ]),
  f(
    'slow-stop-after-bst',
    'after BST the charger lowers its current at only 20 A/s instead of stopping at once',
    ['GBT27930-STOP-BST-001'],
    'safety violation',
    [fallCheck('BST stop')],
  ),
  f(
    'no-cst-after-bst',
    'after BST the charger stops its output but never answers with CST',
    ['GBT27930-STOP-BST-001'],
    'protocol violation',
    ['BST → CST'],
  ),
  {
    ...f(
      'output-on-after-bst',
      'after BST the charger answers with CST but keeps its output on for 12 s',
      ['GBT27930-STOP-BST-001', 'GBT27930-STAT-001'],
      'safety violation',
      ['BST → output current < 5 A', 'stop (BST) → CSD'],
    ),
    // Its statistics wait for the output to go off: the missing CSD is a protocol failure of the statistics test.
    outcomes: { 'GBT27930-STAT-001': 'protocol violation' },
  },
  f(
    'slow-stop-on-timeout',
    'when BCL (or BCS) stops arriving the charger reports it but lowers its current at only 20 A/s',
    ['GBT27930-TO-BCL-001'],
    'safety violation',
    [fallCheck('charger stop after BCL timeout')],
  ),
  f('no-csd', 'the charger never sends its statistics (CSD)', ['GBT27930-STAT-001'], 'protocol violation', ['stop (BST) → CSD']),
  f(
    'ignores-bcl-timeout',
    'the charger keeps charging on the last BCL when BCL stops arriving',
    ['GBT27930-TO-BCL-001'],
    'timing violation',
    ['last BCL → charger stop (CST/CEM)'],
  ),
  f('ignores-bcs-timeout', 'the charger keeps charging when BCS stops arriving', ['GBT27930-TO-BCS-001'], 'timing violation', [
    'last BCS → CEM',
  ]),
  ignoresTimeout('BRM', 'CRM(0x00)'),
  ignoresTimeout('BCP', 'CRM(0xAA)'),
  ignoresTimeout('BRO', 'first CTS/CML'),
  f(
    'cem-wrong-bits',
    "CEM always flags 'other' instead of the message that timed out",
    ['GBT27930-TO-BCL-001', 'GBT27930-TO-BCS-001', 'GBT27930-TO-BRM-001', 'GBT27930-TO-BCP-001', 'GBT27930-TO-BRO-001'],
    'protocol violation',
    [
      'CEM reports the bclTimeout',
      'CEM reports the bcsTimeout',
      'CEM reports the brmTimeout',
      'CEM reports the bcpTimeout',
      'CEM reports the broTimeout',
    ],
  ),
  f('ignores-bem', 'the charger keeps charging after the BMS reported an error (BEM)', ['GBT27930-ERR-BEM-001'], 'safety violation', [
    fallCheck('BEM error stop'),
  ]),
];

/** Power-stage parameters of the GB/T charger with its own ramp fault applied (the stage's shared faults belong to the MCS suites). */
export function gbtPowerStageParams(faults: ReadonlySet<string>, base: Partial<PowerStageParams> = {}): Partial<PowerStageParams> {
  return faults.has('bcl-ramp-too-slow') ? { ...base, rampUpAps: 10 } : base;
}
