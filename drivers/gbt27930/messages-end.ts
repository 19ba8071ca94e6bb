// GB/T 27930-2015 end-of-charging messages (stop BST/CST, statistics BSD/CSD, errors BEM/CEM): payloads and
// their byte layouts (facts: reference/can-gbt27930-chademo.md §1.2–1.3).

import { uint, volt, temp, status2 } from './fields.ts';
import type { MessageDef, Status2 } from './message-def.ts';

export interface BST {
  socReached: Status2;
  totalVoltageReached: Status2;
  cellVoltageReached: Status2;
  chargerStopped: Status2;
  insulationFault: Status2;
  connectorOverTemp: Status2;
  componentOverTemp: Status2;
  chargingConnectorFault: Status2;
  packOverTemp: Status2;
  hvRelayFault: Status2;
  checkpoint2VoltageFault: Status2;
  otherFault: Status2;
  overCurrent: Status2;
  voltageAbnormal: Status2;
}
export interface CST {
  setpointReached: Status2;
  manualStop: Status2;
  faultStop: Status2;
  bmsStopped: Status2;
  chargerOverTemp: Status2;
  connectorFault: Status2;
  internalOverTemp: Status2;
  energyUnavailable: Status2;
  emergencyStop: Status2;
  otherFault: Status2;
  currentMismatch: Status2;
  voltageAbnormal: Status2;
}
export interface BSD {
  socPct: number;
  minCellVoltageV: number;
  maxCellVoltageV: number;
  minTemperatureC: number;
  maxTemperatureC: number;
}
export interface CSD {
  chargingTimeMin: number;
  energyKwh: number;
  chargerNumber: number;
}
export interface BEM {
  crm00Timeout: Status2;
  crmAaTimeout: Status2;
  ctsCmlTimeout: Status2;
  croTimeout: Status2;
  ccsTimeout: Status2;
  cstTimeout: Status2;
  csdTimeout: Status2;
  other: number;
}
export interface CEM {
  brmTimeout: Status2;
  bcpTimeout: Status2;
  broTimeout: Status2;
  bcsTimeout: Status2;
  bclTimeout: Status2;
  bstTimeout: Status2;
  bsdTimeout: Status2;
  other: number;
}

export const END_MESSAGES: MessageDef[] = [
  {
    code: 'BST',
    title: 'BMS stop',
    pgn: 0x1900,
    priority: 4,
    from: 'bms',
    phase: 'stop',
    length: 4,
    minLength: 4,
    fields: [
      status2('socReached', 1, 0),
      status2('totalVoltageReached', 1, 2),
      status2('cellVoltageReached', 1, 4),
      status2('chargerStopped', 1, 6),
      status2('insulationFault', 2, 0),
      status2('connectorOverTemp', 2, 2),
      status2('componentOverTemp', 2, 4),
      status2('chargingConnectorFault', 2, 6),
      status2('packOverTemp', 3, 0),
      status2('hvRelayFault', 3, 2),
      status2('checkpoint2VoltageFault', 3, 4),
      status2('otherFault', 3, 6),
      status2('overCurrent', 4, 0),
      status2('voltageAbnormal', 4, 2),
    ],
  },
  {
    code: 'CST',
    title: 'charger stop',
    pgn: 0x1a00,
    priority: 4,
    from: 'charger',
    phase: 'stop',
    length: 4,
    minLength: 4,
    fields: [
      status2('setpointReached', 1, 0),
      status2('manualStop', 1, 2),
      status2('faultStop', 1, 4),
      status2('bmsStopped', 1, 6),
      status2('chargerOverTemp', 2, 0),
      status2('connectorFault', 2, 2),
      status2('internalOverTemp', 2, 4),
      status2('energyUnavailable', 2, 6),
      status2('emergencyStop', 3, 0),
      status2('otherFault', 3, 2),
      status2('currentMismatch', 4, 0),
      status2('voltageAbnormal', 4, 2),
    ],
  },
  {
    code: 'BSD',
    title: 'BMS statistics',
    pgn: 0x1c00,
    priority: 6,
    from: 'bms',
    phase: 'statistics',
    length: 7,
    minLength: 7,
    fields: [
      uint('socPct', 1, 1, 1, 0, '%'),
      volt('minCellVoltageV', 2, 0.01),
      volt('maxCellVoltageV', 4, 0.01),
      temp('minTemperatureC', 6),
      temp('maxTemperatureC', 7),
    ],
  },
  {
    code: 'CSD',
    title: 'charger statistics',
    pgn: 0x1d00,
    priority: 6,
    from: 'charger',
    phase: 'statistics',
    length: 8,
    minLength: 8,
    fields: [uint('chargingTimeMin', 1, 2, 1, 0, 'min'), uint('energyKwh', 3, 2, 0.1, 0, 'kWh'), uint('chargerNumber', 5, 4)],
  },
  {
    code: 'BEM',
    title: 'BMS error',
    pgn: 0x1e00,
    priority: 2,
    from: 'bms',
    phase: 'error',
    length: 4,
    minLength: 4,
    fields: [
      status2('crm00Timeout', 1, 0),
      status2('crmAaTimeout', 1, 2),
      status2('ctsCmlTimeout', 2, 0),
      status2('croTimeout', 2, 2),
      status2('ccsTimeout', 3, 0),
      status2('cstTimeout', 3, 2),
      status2('csdTimeout', 4, 0),
      { kind: 'num', name: 'other', byte: 4, bit: 2, bits: 6 },
    ],
  },
  {
    code: 'CEM',
    title: 'charger error',
    pgn: 0x1f00,
    priority: 2,
    from: 'charger',
    phase: 'error',
    length: 4,
    minLength: 4,
    fields: [
      status2('brmTimeout', 1, 0),
      status2('bcpTimeout', 2, 0),
      status2('broTimeout', 2, 2),
      status2('bcsTimeout', 3, 0),
      status2('bclTimeout', 3, 2),
      status2('bstTimeout', 3, 4),
      status2('bsdTimeout', 4, 0),
      { kind: 'num', name: 'other', byte: 4, bit: 2, bits: 6 },
    ],
  },
];
