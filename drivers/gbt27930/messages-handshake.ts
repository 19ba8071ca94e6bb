// GB/T 27930-2015 handshake and recognition messages (CHM, BHM, CRM, BRM): payloads in physical units
// and their byte layouts (facts: reference/can-gbt27930-chademo.md §1.2–1.3).

import { uint, volt } from './fields.ts';
import { message, type MessageDef } from './message-def.ts';

/** Recognition result (CRM). */
export const NOT_RECOGNISED = 0x00;
export const RECOGNISED = 0xaa;

export interface CHM {
  versionMinor: number;
  versionMajor: number;
}
export interface BHM {
  maxChargeVoltageV: number;
}
export interface CRM {
  recognition: number;
  chargerNumber: number;
  regionCode?: string;
}
export interface BRM {
  versionMinor: number;
  versionMajor: number;
  batteryType: number;
  ratedCapacityAh: number;
  ratedVoltageV: number;
  manufacturer?: string;
  packSerial?: number;
  productionYear?: number;
  productionMonth?: number;
  productionDay?: number;
  chargeCount?: number;
  ownership?: number;
  vin?: string;
  softwareVersion?: Uint8Array;
}

export const HANDSHAKE_MESSAGES: MessageDef[] = [
  message({ code: 'CHM', title: 'charger handshake', pgn: 0x2600, priority: 6, from: 'charger', phase: 'handshake', length: 3 }, [
    uint('versionMinor', 1, 1),
    uint('versionMajor', 2, 2),
  ]),
  message({ code: 'BHM', title: 'BMS handshake', pgn: 0x2700, priority: 6, from: 'bms', phase: 'handshake', length: 2 }, [
    volt('maxChargeVoltageV', 1),
  ]),
  message(
    { code: 'CRM', title: 'charger recognition', pgn: 0x0100, priority: 6, from: 'charger', phase: 'recognition', length: 8, minLength: 5 },
    [uint('recognition', 1, 1), uint('chargerNumber', 2, 4), { kind: 'ascii', name: 'regionCode', byte: 6, length: 3, optional: true }],
  ),
  message(
    {
      code: 'BRM',
      title: 'BMS and vehicle identification',
      pgn: 0x0200,
      priority: 7,
      from: 'bms',
      phase: 'recognition',
      length: 49,
      minLength: 8,
    },
    [
      uint('versionMinor', 1, 1),
      uint('versionMajor', 2, 2),
      uint('batteryType', 4, 1),
      uint('ratedCapacityAh', 5, 2, 0.1, 0, 'Ah'),
      uint('ratedVoltageV', 7, 2, 0.1, 0, 'V'),
      { kind: 'ascii', name: 'manufacturer', byte: 9, length: 4, optional: true },
      uint('packSerial', 13, 4, 1, 0, undefined, true),
      uint('productionYear', 17, 1, 1, 1985, undefined, true),
      uint('productionMonth', 18, 1, 1, 0, undefined, true),
      uint('productionDay', 19, 1, 1, 0, undefined, true),
      uint('chargeCount', 20, 3, 1, 0, undefined, true),
      uint('ownership', 23, 1, 1, 0, undefined, true),
      { kind: 'ascii', name: 'vin', byte: 25, length: 17, optional: true },
      { kind: 'bytes', name: 'softwareVersion', byte: 42, length: 8, optional: true },
    ],
  ),
];
