// GB/T 27930-2015 end-of-charging messages (stop BST/CST, statistics BSD/CSD, errors BEM/CEM): payloads and
// their byte layouts (facts: reference/can-gbt27930-chademo.md §1.2–1.3). The stop and error messages are
// rows of 2-bit status fields: each layout below is written once and gives both the payload type and the fields.

import { statusBytes, temp, uint, volt } from './fields.ts';
import { message, type MessageDef, type StatusFlags } from './message-def.ts';

export const BST_FLAGS = [
  ['socReached', 'totalVoltageReached', 'cellVoltageReached', 'chargerStopped'],
  ['insulationFault', 'connectorOverTemp', 'componentOverTemp', 'chargingConnectorFault'],
  ['packOverTemp', 'hvRelayFault', 'checkpoint2VoltageFault', 'otherFault'],
  ['overCurrent', 'voltageAbnormal'],
] as const;
export const CST_FLAGS = [
  ['setpointReached', 'manualStop', 'faultStop', 'bmsStopped'],
  ['chargerOverTemp', 'connectorFault', 'internalOverTemp', 'energyUnavailable'],
  ['emergencyStop', 'otherFault'],
  ['currentMismatch', 'voltageAbnormal'],
] as const;
/** BEM/CEM: the timeout flags; byte 4 bits 3–8 are 'other'. */
export const BEM_FLAGS = [
  ['crm00Timeout', 'crmAaTimeout'],
  ['ctsCmlTimeout', 'croTimeout'],
  ['ccsTimeout', 'cstTimeout'],
  ['csdTimeout'],
] as const;
export const CEM_FLAGS = [
  ['brmTimeout'],
  ['bcpTimeout', 'broTimeout'],
  ['bcsTimeout', 'bclTimeout', 'bstTimeout'],
  ['bsdTimeout'],
] as const;

export type BST = StatusFlags<typeof BST_FLAGS>;
export type CST = StatusFlags<typeof CST_FLAGS>;
export type BEM = StatusFlags<typeof BEM_FLAGS> & { other: number };
export type CEM = StatusFlags<typeof CEM_FLAGS> & { other: number };
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

const other = { kind: 'num', name: 'other', byte: 4, bit: 2, bits: 6 } as const;

export const END_MESSAGES: MessageDef[] = [
  message({ code: 'BST', title: 'BMS stop', pgn: 0x1900, priority: 4, from: 'bms', phase: 'stop', length: 4 }, statusBytes(1, BST_FLAGS)),
  message(
    { code: 'CST', title: 'charger stop', pgn: 0x1a00, priority: 4, from: 'charger', phase: 'stop', length: 4 },
    statusBytes(1, CST_FLAGS),
  ),
  message({ code: 'BSD', title: 'BMS statistics', pgn: 0x1c00, priority: 6, from: 'bms', phase: 'statistics', length: 7 }, [
    uint('socPct', 1, 1, 1, 0, '%'),
    volt('minCellVoltageV', 2, 0.01),
    volt('maxCellVoltageV', 4, 0.01),
    temp('minTemperatureC', 6),
    temp('maxTemperatureC', 7),
  ]),
  message({ code: 'CSD', title: 'charger statistics', pgn: 0x1d00, priority: 6, from: 'charger', phase: 'statistics', length: 8 }, [
    uint('chargingTimeMin', 1, 2, 1, 0, 'min'),
    uint('energyKwh', 3, 2, 0.1, 0, 'kWh'),
    uint('chargerNumber', 5, 4),
  ]),
  message({ code: 'BEM', title: 'BMS error', pgn: 0x1e00, priority: 2, from: 'bms', phase: 'error', length: 4 }, [
    ...statusBytes(1, BEM_FLAGS),
    other,
  ]),
  message({ code: 'CEM', title: 'charger error', pgn: 0x1f00, priority: 2, from: 'charger', phase: 'error', length: 4 }, [
    ...statusBytes(1, CEM_FLAGS),
    other,
  ]),
];
