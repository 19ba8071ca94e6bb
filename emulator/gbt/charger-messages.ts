// What the emulated GB/T charger puts in its limits (CML), status (CCS), stop and error messages and its
// clock (CTS), written from GB/T 27930-2015 Tables 4, 6 and 7: pure builders, the charger decides when
// they are sent.

import type { Values } from '../../drivers/gbt27930/gbt-node.ts';
import { allNormal } from '../../drivers/gbt27930/message-def.ts';
import { STATUS, type CEM, type CST, type GbtMessageMap } from '../../drivers/gbt27930/messages.ts';
import { errorMessage, timeoutBits } from '../../drivers/gbt27930/error-flags.ts';
import { CEM_FLAGS, CST_FLAGS } from '../../drivers/gbt27930/messages-end.ts';
import { GBT_MAX_CURRENT_A } from '../../drivers/gbt27930/bms-profile.ts';

export interface ChargerRatings {
  maxVoltageV: number;
  minVoltageV?: number;
  maxCurrentA: number;
}

/** The most current the charger offers: its rating, within what GB/T 27930-2015 can express. */
export function cmlMaxA(r: ChargerRatings): number {
  return Math.min(r.maxCurrentA, GBT_MAX_CURRENT_A);
}

export function cml(r: ChargerRatings): Values {
  return { maxOutputVoltageV: r.maxVoltageV, minOutputVoltageV: r.minVoltageV ?? 150, maxOutputCurrentA: cmlMaxA(r), minOutputCurrentA: 0 };
}

/** CCS: the output as measured; `overReads` is fault ccs-wrong-current (15 % + 3 A high above 10 A). */
export function ccs(out: { voltageV: number; currentA: number }, chargingTimeMin: number, paused: boolean, overReads: boolean): Values {
  let currentA = Math.max(0, out.currentA);
  if (overReads && currentA > 10) currentA = currentA * 1.15 + 3;
  return {
    outputVoltageV: clamp(out.voltageV, 0, 6553),
    outputCurrentA: clamp(currentA, 0, GBT_MAX_CURRENT_A),
    chargingTimeMin,
    chargingPermitted: paused ? STATUS.normal : STATUS.active,
  };
}

export function cst(reason: Partial<CST>): Values {
  return { ...allNormal(CST_FLAGS), ...reason };
}

export function cem(bits: Partial<CEM>): Values {
  return errorMessage(CEM_FLAGS, bits);
}

/** The CEM bit that reports each of the charger's timeouts (anything else is 'other'). */
export const CEM_BITS = timeoutBits<keyof CEM>({
  BRM: 'brmTimeout',
  BCP: 'bcpTimeout',
  BRO: 'broTimeout',
  BRO_AA: 'broTimeout',
  BCS: 'bcsTimeout',
  BCL: 'bclTimeout',
});

export function ctsTime(wallMs: number): GbtMessageMap['CTS']['time'] {
  const d = new Date(wallMs);
  return {
    second: d.getUTCSeconds(),
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    day: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    year: d.getUTCFullYear(),
  };
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
