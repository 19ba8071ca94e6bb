// What the vehicle's BMS declares and asks for, derived from a vehicle profile (fixtures/vehicles/*.yaml).
// GB/T 27930-2015 cannot express more than 400 A of charging current (raw 0 = +400 A), so requests are
// clamped to the protocol's range as a real 2015 BMS would.

import type { BRM } from './messages.ts';

export interface BmsProfile {
  /** BHM and BCP: the highest total charging voltage the pack allows. */
  maxChargeVoltageV: number;
  maxCellVoltageV: number;
  maxChargeCurrentA: number;
  nominalEnergyKwh: number;
  maxTemperatureC: number;
  socPct: number;
  batteryVoltageV: number;
  cellsSeries: number;
  /** BCL voltage demand (constant-current charging towards it). */
  targetVoltageV: number;
  /** BCL current demand once charging starts. */
  initialCurrentA: number;
  identity: BRM;
  /** 49 (field list, what real vehicles send) or 41 (Table 3). */
  brmLength: 41 | 49;
  /** How long BRO stays 0x00 before 0xAA (a real pack closes its contactors meanwhile). */
  broReadyDelayMs: number;
  /** Send the optional BMV/BMT/BSP reports. */
  optionalReports: boolean;
  temperatureC: number;
}

/** The protocol's maximum charging current (raw 0 × −0.1 + 400). */
export const GBT_MAX_CURRENT_A = 400;

export interface VehicleProfileLike {
  chemistry?: string;
  cellsSeries?: number;
  cellsParallel?: number;
  cellCapacityAh?: number;
  nominalEnergyKWh?: number;
  maxVoltageV?: number;
  minVoltageV?: number;
  maxCurrentA?: number;
  cvVoltageV?: number;
  initialSoc?: number;
}

const BATTERY_TYPE: Record<string, number> = { 'lead-acid': 1, nimh: 2, lfp: 3, lmo: 4, lco: 5, nmc: 6, ncm: 6, 'li-polymer': 7, lto: 8 };

export function bmsProfileFromVehicle(v: VehicleProfileLike, overrides: Partial<BmsProfile> = {}): BmsProfile {
  const cells = v.cellsSeries ?? 100;
  const maxV = v.maxVoltageV ?? 420;
  const minV = v.minVoltageV ?? 300;
  const soc = v.initialSoc ?? 0.3;
  const capacityAh = (v.cellCapacityAh ?? 100) * (v.cellsParallel ?? 1);
  // A crude OCV: linear between the pack's limits; the BMS only reports it.
  const batteryV = Math.round((minV + soc * (maxV - minV)) * 10) / 10;
  const p: BmsProfile = {
    maxChargeVoltageV: maxV,
    maxCellVoltageV: Math.round((maxV / cells) * 100) / 100,
    maxChargeCurrentA: Math.min(v.maxCurrentA ?? GBT_MAX_CURRENT_A, GBT_MAX_CURRENT_A),
    nominalEnergyKwh: Math.min(v.nominalEnergyKWh ?? 100, 6553),
    maxTemperatureC: 55,
    socPct: Math.round(soc * 1000) / 10,
    batteryVoltageV: batteryV,
    cellsSeries: cells,
    targetVoltageV: v.cvVoltageV ?? maxV,
    initialCurrentA: 50,
    identity: {
      versionMinor: 1,
      versionMajor: 1,
      batteryType: BATTERY_TYPE[(v.chemistry ?? '').toLowerCase()] ?? 0xff,
      ratedCapacityAh: Math.min(capacityAh, 6553),
      ratedVoltageV: Math.round(((maxV + minV) / 2) * 10) / 10,
      manufacturer: 'MHIL',
      packSerial: 1,
      productionYear: 2026,
      productionMonth: 1,
      productionDay: 1,
      chargeCount: 1,
      ownership: 1,
      vin: 'LMCSHIL0000000001',
      softwareVersion: Uint8Array.from([0, 1, 0, 0, 0x26, 0x01, 0x01, 0x01]),
    },
    brmLength: 49,
    broReadyDelayMs: 500,
    optionalReports: true,
    temperatureC: 25,
  };
  return { ...p, ...overrides };
}
