// Our own definitions of the 22 GB/T 27930-2015 parameter groups (facts: reference/can-gbt27930-chademo.md
// §1.2–1.3). Physical values only: voltages in V, currents in A with **positive = charging** (the wire
// carries raw×0.1−400 A with charging negative; the scale −0.1 / offset 400 below flips it at the
// boundary), temperatures in °C, SOC in %.

import type { FieldDef, NumField } from './fields.ts';

export type GbtCode =
  | 'CHM' | 'BHM' | 'CRM' | 'BRM' | 'BCP' | 'CTS' | 'CML' | 'BRO' | 'CRO' | 'BCL' | 'BCS'
  | 'CCS' | 'BSM' | 'BMV' | 'BMT' | 'BSP' | 'BST' | 'CST' | 'BSD' | 'CSD' | 'BEM' | 'CEM';

export type GbtPhase = 'handshake' | 'recognition' | 'configuration' | 'charging' | 'stop' | 'statistics' | 'error';

export interface MessageDef {
  code: GbtCode;
  title: string;
  pgn: number;
  priority: number;
  /** Who sends it. */
  from: 'charger' | 'bms';
  phase: GbtPhase;
  /** Length we encode (the standard's). */
  length: number;
  /** Shortest payload we accept on decode (real devices truncate: CCS 6, BRM 41). */
  minLength: number;
  /** Variable-length message (BMV, BMT, BSP): `length` is the maximum. */
  variable?: boolean;
  fields: FieldDef[];
}

/** 2-bit status coding shared by BST/CST/BSM/BEM/CEM. */
export const STATUS = { normal: 0, active: 1, untrusted: 2, notAvailable: 3 } as const;
/** Recognition result (CRM) and readiness (BRO/CRO). */
export const NOT_RECOGNISED = 0x00;
export const RECOGNISED = 0xaa;
export const NOT_READY = 0x00;
export const READY = 0xaa;
export const CHARGE_MODE = { constantVoltage: 1, constantCurrent: 2 } as const;

type Status2 = number;

export interface CHM { versionMinor: number; versionMajor: number }
export interface BHM { maxChargeVoltageV: number }
export interface CRM { recognition: number; chargerNumber: number; regionCode?: string }
export interface BRM {
  versionMinor: number; versionMajor: number; batteryType: number; ratedCapacityAh: number; ratedVoltageV: number;
  manufacturer?: string; packSerial?: number; productionYear?: number; productionMonth?: number; productionDay?: number;
  chargeCount?: number; ownership?: number; vin?: string; softwareVersion?: Uint8Array;
}
export interface BCP {
  maxCellVoltageV: number; maxChargeCurrentA: number; nominalEnergyKwh: number; maxChargeVoltageV: number;
  maxTemperatureC: number; socPct: number; batteryVoltageV: number;
}
export interface CtsTime { second: number; minute: number; hour: number; day: number; month: number; year: number }
export interface CTS { time?: CtsTime }
export interface CML { maxOutputVoltageV: number; minOutputVoltageV: number; maxOutputCurrentA: number; minOutputCurrentA: number }
export interface BRO { ready: number }
export interface CRO { ready: number }
export interface BCL { voltageDemandV: number; currentDemandA: number; mode: number }
export interface BCS {
  measuredVoltageV: number; measuredCurrentA: number; maxCellVoltageV: number; maxCellGroup: number; socPct: number; remainingMin: number;
}
export interface CCS { outputVoltageV: number; outputCurrentA: number; chargingTimeMin: number; chargingPermitted?: Status2 }
export interface BSM {
  maxCellVoltageIndex: number; maxTemperatureC: number; maxTemperatureProbe: number; minTemperatureC: number; minTemperatureProbe: number;
  cellVoltageStatus: Status2; socStatus: Status2; overCurrent: Status2; overTemperature: Status2;
  insulation: Status2; outputConnector: Status2; chargingPermitted: Status2;
}
export interface BMV { cells: { voltageV: number; group: number }[] }
export interface BMT { probes: { temperatureC: number }[] }
export interface BSP { reserved: { value: number }[] }
export interface BST {
  socReached: Status2; totalVoltageReached: Status2; cellVoltageReached: Status2; chargerStopped: Status2;
  insulationFault: Status2; connectorOverTemp: Status2; componentOverTemp: Status2; chargingConnectorFault: Status2;
  packOverTemp: Status2; hvRelayFault: Status2; checkpoint2VoltageFault: Status2; otherFault: Status2;
  overCurrent: Status2; voltageAbnormal: Status2;
}
export interface CST {
  setpointReached: Status2; manualStop: Status2; faultStop: Status2; bmsStopped: Status2;
  chargerOverTemp: Status2; connectorFault: Status2; internalOverTemp: Status2; energyUnavailable: Status2;
  emergencyStop: Status2; otherFault: Status2; currentMismatch: Status2; voltageAbnormal: Status2;
}
export interface BSD { socPct: number; minCellVoltageV: number; maxCellVoltageV: number; minTemperatureC: number; maxTemperatureC: number }
export interface CSD { chargingTimeMin: number; energyKwh: number; chargerNumber: number }
export interface BEM {
  crm00Timeout: Status2; crmAaTimeout: Status2; ctsCmlTimeout: Status2; croTimeout: Status2;
  ccsTimeout: Status2; cstTimeout: Status2; csdTimeout: Status2; other: number;
}
export interface CEM {
  brmTimeout: Status2; bcpTimeout: Status2; broTimeout: Status2; bcsTimeout: Status2; bclTimeout: Status2;
  bstTimeout: Status2; bsdTimeout: Status2; other: number;
}

export interface GbtMessageMap {
  CHM: CHM; BHM: BHM; CRM: CRM; BRM: BRM; BCP: BCP; CTS: CTS; CML: CML; BRO: BRO; CRO: CRO; BCL: BCL; BCS: BCS;
  CCS: CCS; BSM: BSM; BMV: BMV; BMT: BMT; BSP: BSP; BST: BST; CST: CST; BSD: BSD; CSD: CSD; BEM: BEM; CEM: CEM;
}

// ---- field builders (keep the table below readable) ----
const u = (name: string, byte: number, bytes: number, scale = 1, offset = 0, unit?: string, optional?: boolean): NumField => ({
  kind: 'num', name, byte, bits: bytes * 8, scale, offset, unit, optional,
});
const volt = (name: string, byte: number, scale = 0.1): NumField => u(name, byte, 2, scale, 0, 'V');
/** Current: 0.1 A/bit, −400 A offset, charging negative on the wire → positive here. */
const amp = (name: string, byte: number): NumField => u(name, byte, 2, -0.1, 400, 'A');
const temp = (name: string, byte: number): NumField => u(name, byte, 1, 1, -50, '°C');
/** A 2-bit status field; `bit` is 0-based within the byte ("bits 1–2" → 0). */
const s2 = (name: string, byte: number, bit: number): NumField => ({ kind: 'num', name, byte, bit, bits: 2 });

const defs: MessageDef[] = [
  {
    code: 'CHM', title: 'charger handshake', pgn: 0x2600, priority: 6, from: 'charger', phase: 'handshake', length: 3, minLength: 3,
    fields: [u('versionMinor', 1, 1), u('versionMajor', 2, 2)],
  },
  {
    code: 'BHM', title: 'BMS handshake', pgn: 0x2700, priority: 6, from: 'bms', phase: 'handshake', length: 2, minLength: 2,
    fields: [volt('maxChargeVoltageV', 1)],
  },
  {
    code: 'CRM', title: 'charger recognition', pgn: 0x0100, priority: 6, from: 'charger', phase: 'recognition', length: 8, minLength: 5,
    fields: [u('recognition', 1, 1), u('chargerNumber', 2, 4), { kind: 'ascii', name: 'regionCode', byte: 6, length: 3, optional: true }],
  },
  {
    code: 'BRM', title: 'BMS and vehicle identification', pgn: 0x0200, priority: 7, from: 'bms', phase: 'recognition', length: 49, minLength: 8,
    fields: [
      u('versionMinor', 1, 1), u('versionMajor', 2, 2), u('batteryType', 4, 1), u('ratedCapacityAh', 5, 2, 0.1, 0, 'Ah'),
      u('ratedVoltageV', 7, 2, 0.1, 0, 'V'),
      { kind: 'ascii', name: 'manufacturer', byte: 9, length: 4, optional: true },
      u('packSerial', 13, 4, 1, 0, undefined, true), u('productionYear', 17, 1, 1, 1985, undefined, true),
      u('productionMonth', 18, 1, 1, 0, undefined, true), u('productionDay', 19, 1, 1, 0, undefined, true),
      u('chargeCount', 20, 3, 1, 0, undefined, true), u('ownership', 23, 1, 1, 0, undefined, true),
      { kind: 'ascii', name: 'vin', byte: 25, length: 17, optional: true },
      { kind: 'bytes', name: 'softwareVersion', byte: 42, length: 8, optional: true },
    ],
  },
  {
    code: 'BCP', title: 'battery charging parameters', pgn: 0x0600, priority: 7, from: 'bms', phase: 'configuration', length: 13, minLength: 13,
    fields: [
      volt('maxCellVoltageV', 1, 0.01), amp('maxChargeCurrentA', 3), u('nominalEnergyKwh', 5, 2, 0.1, 0, 'kWh'), volt('maxChargeVoltageV', 7),
      temp('maxTemperatureC', 9), u('socPct', 10, 2, 0.1, 0, '%'), volt('batteryVoltageV', 12),
    ],
  },
  {
    code: 'CTS', title: 'charger time sync', pgn: 0x0700, priority: 6, from: 'charger', phase: 'configuration', length: 7, minLength: 7,
    fields: [{ kind: 'bcd-time', name: 'time', byte: 1, optional: true }],
  },
  {
    code: 'CML', title: 'charger maximum output', pgn: 0x0800, priority: 6, from: 'charger', phase: 'configuration', length: 8, minLength: 8,
    fields: [volt('maxOutputVoltageV', 1), volt('minOutputVoltageV', 3), amp('maxOutputCurrentA', 5), amp('minOutputCurrentA', 7)],
  },
  {
    code: 'BRO', title: 'BMS ready', pgn: 0x0900, priority: 4, from: 'bms', phase: 'configuration', length: 1, minLength: 1,
    fields: [u('ready', 1, 1)],
  },
  {
    code: 'CRO', title: 'charger ready', pgn: 0x0a00, priority: 4, from: 'charger', phase: 'configuration', length: 1, minLength: 1,
    fields: [u('ready', 1, 1)],
  },
  {
    code: 'BCL', title: 'battery charging demand', pgn: 0x1000, priority: 6, from: 'bms', phase: 'charging', length: 5, minLength: 5,
    fields: [volt('voltageDemandV', 1), amp('currentDemandA', 3), u('mode', 5, 1)],
  },
  {
    code: 'BCS', title: 'battery charging status', pgn: 0x1100, priority: 7, from: 'bms', phase: 'charging', length: 9, minLength: 8,
    fields: [
      volt('measuredVoltageV', 1), amp('measuredCurrentA', 3),
      { kind: 'num', name: 'maxCellVoltageV', byte: 5, bit: 0, bits: 12, scale: 0.01, unit: 'V' },
      { kind: 'num', name: 'maxCellGroup', byte: 5, bit: 12, bits: 4 },
      u('socPct', 7, 1, 1, 0, '%'), u('remainingMin', 8, 2, 1, 0, 'min', true),
    ],
  },
  {
    code: 'CCS', title: 'charger charging status', pgn: 0x1200, priority: 6, from: 'charger', phase: 'charging', length: 8, minLength: 6,
    fields: [
      volt('outputVoltageV', 1), amp('outputCurrentA', 3), u('chargingTimeMin', 5, 2, 1, 0, 'min'),
      { kind: 'num', name: 'chargingPermitted', byte: 7, bit: 0, bits: 2, optional: true },
    ],
  },
  {
    code: 'BSM', title: 'battery status', pgn: 0x1300, priority: 6, from: 'bms', phase: 'charging', length: 7, minLength: 7,
    fields: [
      u('maxCellVoltageIndex', 1, 1, 1, 1), temp('maxTemperatureC', 2), u('maxTemperatureProbe', 3, 1, 1, 1), temp('minTemperatureC', 4),
      u('minTemperatureProbe', 5, 1, 1, 1),
      s2('cellVoltageStatus', 6, 0), s2('socStatus', 6, 2), s2('overCurrent', 6, 4), s2('overTemperature', 6, 6),
      s2('insulation', 7, 0), s2('outputConnector', 7, 2), s2('chargingPermitted', 7, 4),
    ],
  },
  {
    code: 'BMV', title: 'cell voltages', pgn: 0x1500, priority: 7, from: 'bms', phase: 'charging', length: 512, minLength: 0, variable: true,
    fields: [{
      kind: 'array', name: 'cells', byte: 1, itemBytes: 2, maxItems: 256,
      item: [{ kind: 'num', name: 'voltageV', byte: 1, bit: 0, bits: 12, scale: 0.01 }, { kind: 'num', name: 'group', byte: 1, bit: 12, bits: 4 }],
    }],
  },
  {
    code: 'BMT', title: 'battery temperatures', pgn: 0x1600, priority: 7, from: 'bms', phase: 'charging', length: 128, minLength: 0, variable: true,
    fields: [{ kind: 'array', name: 'probes', byte: 1, itemBytes: 1, maxItems: 128, item: [temp('temperatureC', 1)] }],
  },
  {
    code: 'BSP', title: 'battery reserved', pgn: 0x1700, priority: 7, from: 'bms', phase: 'charging', length: 16, minLength: 0, variable: true,
    fields: [{ kind: 'array', name: 'reserved', byte: 1, itemBytes: 1, maxItems: 16, item: [u('value', 1, 1)] }],
  },
  {
    code: 'BST', title: 'BMS stop', pgn: 0x1900, priority: 4, from: 'bms', phase: 'stop', length: 4, minLength: 4,
    fields: [
      s2('socReached', 1, 0), s2('totalVoltageReached', 1, 2), s2('cellVoltageReached', 1, 4), s2('chargerStopped', 1, 6),
      s2('insulationFault', 2, 0), s2('connectorOverTemp', 2, 2), s2('componentOverTemp', 2, 4), s2('chargingConnectorFault', 2, 6),
      s2('packOverTemp', 3, 0), s2('hvRelayFault', 3, 2), s2('checkpoint2VoltageFault', 3, 4), s2('otherFault', 3, 6),
      s2('overCurrent', 4, 0), s2('voltageAbnormal', 4, 2),
    ],
  },
  {
    code: 'CST', title: 'charger stop', pgn: 0x1a00, priority: 4, from: 'charger', phase: 'stop', length: 4, minLength: 4,
    fields: [
      s2('setpointReached', 1, 0), s2('manualStop', 1, 2), s2('faultStop', 1, 4), s2('bmsStopped', 1, 6),
      s2('chargerOverTemp', 2, 0), s2('connectorFault', 2, 2), s2('internalOverTemp', 2, 4), s2('energyUnavailable', 2, 6),
      s2('emergencyStop', 3, 0), s2('otherFault', 3, 2),
      s2('currentMismatch', 4, 0), s2('voltageAbnormal', 4, 2),
    ],
  },
  {
    code: 'BSD', title: 'BMS statistics', pgn: 0x1c00, priority: 6, from: 'bms', phase: 'statistics', length: 7, minLength: 7,
    fields: [u('socPct', 1, 1, 1, 0, '%'), volt('minCellVoltageV', 2, 0.01), volt('maxCellVoltageV', 4, 0.01), temp('minTemperatureC', 6), temp('maxTemperatureC', 7)],
  },
  {
    code: 'CSD', title: 'charger statistics', pgn: 0x1d00, priority: 6, from: 'charger', phase: 'statistics', length: 8, minLength: 8,
    fields: [u('chargingTimeMin', 1, 2, 1, 0, 'min'), u('energyKwh', 3, 2, 0.1, 0, 'kWh'), u('chargerNumber', 5, 4)],
  },
  {
    code: 'BEM', title: 'BMS error', pgn: 0x1e00, priority: 2, from: 'bms', phase: 'error', length: 4, minLength: 4,
    fields: [
      s2('crm00Timeout', 1, 0), s2('crmAaTimeout', 1, 2), s2('ctsCmlTimeout', 2, 0), s2('croTimeout', 2, 2),
      s2('ccsTimeout', 3, 0), s2('cstTimeout', 3, 2), s2('csdTimeout', 4, 0), { kind: 'num', name: 'other', byte: 4, bit: 2, bits: 6 },
    ],
  },
  {
    code: 'CEM', title: 'charger error', pgn: 0x1f00, priority: 2, from: 'charger', phase: 'error', length: 4, minLength: 4,
    fields: [
      s2('brmTimeout', 1, 0), s2('bcpTimeout', 2, 0), s2('broTimeout', 2, 2), s2('bcsTimeout', 3, 0), s2('bclTimeout', 3, 2),
      s2('bstTimeout', 3, 4), s2('bsdTimeout', 4, 0), { kind: 'num', name: 'other', byte: 4, bit: 2, bits: 6 },
    ],
  },
];

export const MESSAGES: ReadonlyMap<GbtCode, MessageDef> = new Map(defs.map((d) => [d.code, d]));
export const MESSAGE_BY_PGN: ReadonlyMap<number, MessageDef> = new Map(defs.map((d) => [d.pgn, d]));
export const GBT_CODES: readonly GbtCode[] = defs.map((d) => d.code);

export function messageDef(code: GbtCode): MessageDef {
  const d = MESSAGES.get(code);
  if (!d) throw new RangeError(`unknown GB/T 27930 message '${code}'`);
  return d;
}
