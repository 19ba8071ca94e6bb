// What the vehicle's BMS puts in each of its messages (GB/T 27930-2015 Tables 3–7), from its profile and
// what it last heard from the charger. Pure builders: the session decides when they are sent.

import type { BmsProfile } from './bms-profile.ts';
import { allNormal } from './message-def.ts';
import { type BEM, type BST, type CCS } from './messages.ts';
import { errorMessage, timeoutBits } from './error-flags.ts';
import { BEM_FLAGS, BST_FLAGS } from './messages-end.ts';

type Values = Record<string, unknown>;

/** What the builders read from the running session. */
export interface BmsView {
  profile: BmsProfile;
  lastCcs: CCS | undefined;
  permit: number;
}

export function bcp(p: BmsProfile): Values {
  return {
    maxCellVoltageV: p.maxCellVoltageV,
    maxChargeCurrentA: p.maxChargeCurrentA,
    nominalEnergyKwh: p.nominalEnergyKwh,
    maxChargeVoltageV: p.maxChargeVoltageV,
    maxTemperatureC: p.maxTemperatureC,
    socPct: p.socPct,
    batteryVoltageV: p.batteryVoltageV,
  };
}

/** The pack voltage as the charger measures it (CCS), the profile's estimate before that. */
function measuredVoltage(v: BmsView): number {
  return v.lastCcs?.outputVoltageV ?? v.profile.batteryVoltageV;
}

function cellVoltage(v: BmsView): number {
  return Math.min(40.95, Math.round((measuredVoltage(v) / v.profile.cellsSeries) * 100) / 100);
}

export function bcs(v: BmsView): Values {
  return {
    measuredVoltageV: measuredVoltage(v),
    measuredCurrentA: Math.max(0, Math.min(400, v.lastCcs?.outputCurrentA ?? 0)),
    maxCellVoltageV: cellVoltage(v),
    maxCellGroup: 1,
    socPct: Math.round(v.profile.socPct),
    remainingMin: 60,
  };
}

export function bsm(v: BmsView): Values {
  const t = v.profile.temperatureC;
  return {
    maxCellVoltageIndex: 1,
    maxTemperatureC: t,
    maxTemperatureProbe: 1,
    minTemperatureC: t,
    minTemperatureProbe: 2,
    cellVoltageStatus: 0,
    socStatus: 0,
    overCurrent: 0,
    overTemperature: 0,
    insulation: 0,
    outputConnector: 0,
    chargingPermitted: v.permit,
  };
}

// BMV is capped at 32 cells: the TP serialises per peer, and a 256-cell BMV (74 packets) would hold BCS back.
export function bmv(v: BmsView): Values {
  return {
    cells: Array.from({ length: Math.min(v.profile.cellsSeries, 32) }, (_, i) => ({ voltageV: cellVoltage(v), group: (i >> 4) & 15 })),
  };
}

export function bmt(p: BmsProfile): Values {
  return { probes: Array.from({ length: 8 }, () => ({ temperatureC: p.temperatureC })) };
}

export function bst(reason: Partial<BST>): Values {
  return { ...allNormal(BST_FLAGS), ...reason };
}

export function bsd(v: BmsView): Values {
  const c = cellVoltage(v);
  const t = v.profile.temperatureC;
  return { socPct: Math.round(v.profile.socPct), minCellVoltageV: c, maxCellVoltageV: c, minTemperatureC: t, maxTemperatureC: t };
}

export function bem(bits: Partial<BEM>): Values {
  return errorMessage(BEM_FLAGS, bits);
}

/** The BEM bit that reports each of the BMS's own timeouts (anything else is 'other'). */
export const BEM_BITS = timeoutBits<keyof BEM>({
  CRM_AA: 'crmAaTimeout',
  CML: 'ctsCmlTimeout',
  CRO_AA: 'croTimeout',
  CCS: 'ccsTimeout',
  CCS_first: 'ccsTimeout',
  stopMessage: 'cstTimeout',
  statistics: 'csdTimeout',
});
