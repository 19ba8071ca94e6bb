// GB/T 27930-2015 charging-stage messages (BCL, BCS, CCS, BSM, BMV, BMT, BSP): payloads in physical units
// and their byte layouts (facts: reference/can-gbt27930-chademo.md §1.2–1.3). Currents positive = charging.

import { amp, statusBytes, temp, uint, volt } from './fields.ts';
import { message, type MessageDef, type Status2, type StatusFlags } from './message-def.ts';

export const CHARGE_MODE = { constantVoltage: 1, constantCurrent: 2 } as const;

export interface BCL {
  voltageDemandV: number;
  currentDemandA: number;
  mode: number;
}
export interface BCS {
  measuredVoltageV: number;
  measuredCurrentA: number;
  maxCellVoltageV: number;
  maxCellGroup: number;
  socPct: number;
  remainingMin: number;
}
export interface CCS {
  outputVoltageV: number;
  outputCurrentA: number;
  chargingTimeMin: number;
  chargingPermitted?: Status2;
}
/** BSM bytes 6–7: the battery's status flags (chargingPermitted 00 pauses the charger, 01 lets it charge). */
export const BSM_FLAGS = [
  ['cellVoltageStatus', 'socStatus', 'overCurrent', 'overTemperature'],
  ['insulation', 'outputConnector', 'chargingPermitted'],
] as const;
export type BSM = StatusFlags<typeof BSM_FLAGS> & {
  maxCellVoltageIndex: number;
  maxTemperatureC: number;
  maxTemperatureProbe: number;
  minTemperatureC: number;
  minTemperatureProbe: number;
};
export interface BMV {
  cells: { voltageV: number; group: number }[];
}
export interface BMT {
  probes: { temperatureC: number }[];
}
export interface BSP {
  reserved: { value: number }[];
}

export const CHARGING_MESSAGES: MessageDef[] = [
  message({ code: 'BCL', title: 'battery charging demand', pgn: 0x1000, priority: 6, from: 'bms', phase: 'charging', length: 5 }, [
    volt('voltageDemandV', 1),
    amp('currentDemandA', 3),
    uint('mode', 5, 1),
  ]),
  message(
    { code: 'BCS', title: 'battery charging status', pgn: 0x1100, priority: 7, from: 'bms', phase: 'charging', length: 9, minLength: 8 },
    [
      volt('measuredVoltageV', 1),
      amp('measuredCurrentA', 3),
      { kind: 'num', name: 'maxCellVoltageV', byte: 5, bit: 0, bits: 12, scale: 0.01, unit: 'V' },
      { kind: 'num', name: 'maxCellGroup', byte: 5, bit: 12, bits: 4 },
      uint('socPct', 7, 1, 1, 0, '%'),
      uint('remainingMin', 8, 2, 1, 0, 'min', true),
    ],
  ),
  message(
    {
      code: 'CCS',
      title: 'charger charging status',
      pgn: 0x1200,
      priority: 6,
      from: 'charger',
      phase: 'charging',
      length: 8,
      minLength: 6,
    },
    [
      volt('outputVoltageV', 1),
      amp('outputCurrentA', 3),
      uint('chargingTimeMin', 5, 2, 1, 0, 'min'),
      { kind: 'num', name: 'chargingPermitted', byte: 7, bit: 0, bits: 2, optional: true },
    ],
  ),
  message({ code: 'BSM', title: 'battery status', pgn: 0x1300, priority: 6, from: 'bms', phase: 'charging', length: 7 }, [
    uint('maxCellVoltageIndex', 1, 1, 1, 1),
    temp('maxTemperatureC', 2),
    uint('maxTemperatureProbe', 3, 1, 1, 1),
    temp('minTemperatureC', 4),
    uint('minTemperatureProbe', 5, 1, 1, 1),
    ...statusBytes(6, BSM_FLAGS),
  ]),
  message(
    {
      code: 'BMV',
      title: 'cell voltages',
      pgn: 0x1500,
      priority: 7,
      from: 'bms',
      phase: 'charging',
      length: 512,
      minLength: 0,
      variable: true,
    },
    [
      {
        kind: 'array',
        name: 'cells',
        byte: 1,
        itemBytes: 2,
        maxItems: 256,
        item: [
          { kind: 'num', name: 'voltageV', byte: 1, bit: 0, bits: 12, scale: 0.01 },
          { kind: 'num', name: 'group', byte: 1, bit: 12, bits: 4 },
        ],
      },
    ],
  ),
  message(
    {
      code: 'BMT',
      title: 'battery temperatures',
      pgn: 0x1600,
      priority: 7,
      from: 'bms',
      phase: 'charging',
      length: 128,
      minLength: 0,
      variable: true,
    },
    [{ kind: 'array', name: 'probes', byte: 1, itemBytes: 1, maxItems: 128, item: [temp('temperatureC', 1)] }],
  ),
  message(
    {
      code: 'BSP',
      title: 'battery reserved',
      pgn: 0x1700,
      priority: 7,
      from: 'bms',
      phase: 'charging',
      length: 16,
      minLength: 0,
      variable: true,
    },
    [{ kind: 'array', name: 'reserved', byte: 1, itemBytes: 1, maxItems: 16, item: [uint('value', 1, 1)] }],
  ),
];
