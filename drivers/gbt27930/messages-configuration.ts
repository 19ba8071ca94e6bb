// GB/T 27930-2015 configuration messages (BCP, CTS, CML, BRO, CRO): payloads in physical units and their
// byte layouts (facts: reference/can-gbt27930-chademo.md §1.2–1.3). Currents positive = charging (fields.ts amp).

import { uint, volt, amp, temp } from './fields.ts';
import { message, type MessageDef } from './message-def.ts';

/** Readiness (BRO/CRO). */
export const NOT_READY = 0x00;
export const READY = 0xaa;

export interface BCP {
  maxCellVoltageV: number;
  maxChargeCurrentA: number;
  nominalEnergyKwh: number;
  maxChargeVoltageV: number;
  maxTemperatureC: number;
  socPct: number;
  batteryVoltageV: number;
}
export interface CtsTime {
  second: number;
  minute: number;
  hour: number;
  day: number;
  month: number;
  year: number;
}
export interface CTS {
  time?: CtsTime;
}
export interface CML {
  maxOutputVoltageV: number;
  minOutputVoltageV: number;
  maxOutputCurrentA: number;
  minOutputCurrentA: number;
}
export interface BRO {
  ready: number;
}
export interface CRO {
  ready: number;
}

export const CONFIGURATION_MESSAGES: MessageDef[] = [
  message(
    { code: 'BCP', title: 'battery charging parameters', pgn: 0x0600, priority: 7, from: 'bms', phase: 'configuration', length: 13 },
    [
      volt('maxCellVoltageV', 1, 0.01),
      amp('maxChargeCurrentA', 3),
      uint('nominalEnergyKwh', 5, 2, 0.1, 0, 'kWh'),
      volt('maxChargeVoltageV', 7),
      temp('maxTemperatureC', 9),
      uint('socPct', 10, 2, 0.1, 0, '%'),
      volt('batteryVoltageV', 12),
    ],
  ),
  message({ code: 'CTS', title: 'charger time sync', pgn: 0x0700, priority: 6, from: 'charger', phase: 'configuration', length: 7 }, [
    { kind: 'bcd-time', name: 'time', byte: 1, optional: true },
  ]),
  message({ code: 'CML', title: 'charger maximum output', pgn: 0x0800, priority: 6, from: 'charger', phase: 'configuration', length: 8 }, [
    volt('maxOutputVoltageV', 1),
    volt('minOutputVoltageV', 3),
    amp('maxOutputCurrentA', 5),
    amp('minOutputCurrentA', 7),
  ]),
  message({ code: 'BRO', title: 'BMS ready', pgn: 0x0900, priority: 4, from: 'bms', phase: 'configuration', length: 1 }, [
    uint('ready', 1, 1),
  ]),
  message({ code: 'CRO', title: 'charger ready', pgn: 0x0a00, priority: 4, from: 'charger', phase: 'configuration', length: 1 }, [
    uint('ready', 1, 1),
  ]),
];
