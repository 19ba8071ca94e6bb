// The requirement each GB/T 27930 test checks, keyed as GBT_TEST_IDS (test-ids.ts): the labels the report files
// it under. A test declares its row with requirement(R.key) (suites/support/requirements.ts).

import { requirementTable } from '../support/requirements.ts';
import { GBT_TEST_IDS } from './test-ids.ts';

export const EPIC = 'GB/T 27930-2015';

export const GBT_REQUIREMENTS = requirementTable(EPIC, GBT_TEST_IDS, {
  sequence: {
    feature: 'Charging sequence',
    story: 'CHM, CRM(0x00), BRM, CRM(0xAA), BCP, CML, BRO, CRO, CCS',
    clause: 'GB/T 27930-2015 §10, Fig. A.6',
    severity: 'blocker',
  },
  periods: { feature: 'Message periods', story: 'CHM, CTS, CML, CCS', clause: 'GB/T 27930-2015 Tables 3–5', severity: 'normal' },
  followsBcl: {
    feature: 'Current control',
    story: 'CCS output current follows BCL',
    clause: 'GB/T 27930-2015 BCL SPN3073 / CCS SPN3082; NB/T 33001 accuracy',
    severity: 'critical',
  },
  rampOnAnalyser: {
    feature: 'Current control',
    story: 'BCL step up: slope and settling on the power analyser',
    clause: 'GB/T 18487.1 / IEC 61851-23 101.2.1 (as profile gbt)',
    severity: 'critical',
  },
  bcpCap: {
    feature: 'Charging parameters',
    story: 'BCP maximum current caps the output',
    clause: 'GB/T 27930-2015 BCP SPN2817, CML',
    severity: 'critical',
  },
  stopAfterBst: {
    feature: 'Stop',
    story: 'BST → CST, current < 5 A, stop rate',
    clause: 'GB/T 27930-2015 Fig. A.6; GB/T 34657.1-2025 6.3.2.5.4',
    severity: 'critical',
  },
  statistics: { feature: 'Statistics', story: 'BSD / CSD', clause: 'GB/T 27930-2015 Fig. A.6, Table 7', severity: 'normal' },
  pause: {
    feature: 'Current control',
    story: 'BSM charging permitted = 00 pauses',
    clause: 'GB/T 27930-2015 BSM SPN3096',
    severity: 'normal',
  },
  stopOnBem: { feature: 'Error handling', story: 'BEM → charger stops', clause: 'GB/T 27930-2015 §8, Fig. A.12', severity: 'critical' },
  bclTimeout: {
    feature: 'Timeouts',
    story: 'BCL lost → CEM + CST, output stops',
    clause: 'GB/T 27930-2015 ch. 8 (BCL 1 s)',
    severity: 'critical',
  },
  bcsTimeout: { feature: 'Timeouts', story: 'BCS lost → CEM', clause: 'GB/T 27930-2015 ch. 8 (BCS 5 s)', severity: 'normal' },
  brmTimeout: { feature: 'Timeouts', story: 'no BRM → CEM', clause: 'GB/T 27930-2015 Fig. A.6 (BRM 5 s)', severity: 'normal' },
  bcpTimeout: { feature: 'Timeouts', story: 'no BCP → CEM', clause: 'GB/T 27930-2015 Fig. A.6 (BCP 5 s)', severity: 'normal' },
  broTimeout: { feature: 'Timeouts', story: 'no BRO → CEM', clause: 'GB/T 27930-2015 Fig. A.6 (BRO 5 s)', severity: 'normal' },
});
