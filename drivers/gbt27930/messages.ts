// Our own definitions of the 22 GB/T 27930-2015 parameter groups (facts: reference/can-gbt27930-chademo.md
// §1.2–1.3), one table per stage (messages-*.ts), joined here into the lookups the codec and sessions use.
// Physical values only: voltages in V, currents in A with **positive = charging** (the wire carries
// raw×0.1−400 A with charging negative; fields.ts amp() flips it at the boundary), temperatures in °C, SOC in %.
// The payload types and codings are re-exported so a user of the messages has one place to import from.

import type { GbtCode, MessageDef } from './message-def.ts';
import { HANDSHAKE_MESSAGES, type BHM, type BRM, type CHM, type CRM } from './messages-handshake.ts';
import { CONFIGURATION_MESSAGES, type BCP, type BRO, type CML, type CRO, type CTS } from './messages-configuration.ts';
import { CHARGING_MESSAGES, type BCL, type BCS, type BMT, type BMV, type BSM, type BSP, type CCS } from './messages-charging.ts';
import { END_MESSAGES, type BEM, type BSD, type BST, type CEM, type CSD, type CST } from './messages-end.ts';

export { STATUS, type GbtCode, type GbtPhase, type MessageDef } from './message-def.ts';
export { NOT_RECOGNISED, RECOGNISED, type BHM, type BRM, type CHM, type CRM } from './messages-handshake.ts';
export { NOT_READY, READY, type BCP, type BRO, type CML, type CRO, type CTS, type CtsTime } from './messages-configuration.ts';
export { CHARGE_MODE, type BCL, type BCS, type BMT, type BMV, type BSM, type BSP, type CCS } from './messages-charging.ts';
export type { BEM, BSD, BST, CEM, CSD, CST } from './messages-end.ts';

export interface GbtMessageMap {
  CHM: CHM;
  BHM: BHM;
  CRM: CRM;
  BRM: BRM;
  BCP: BCP;
  CTS: CTS;
  CML: CML;
  BRO: BRO;
  CRO: CRO;
  BCL: BCL;
  BCS: BCS;
  CCS: CCS;
  BSM: BSM;
  BMV: BMV;
  BMT: BMT;
  BSP: BSP;
  BST: BST;
  CST: CST;
  BSD: BSD;
  CSD: CSD;
  BEM: BEM;
  CEM: CEM;
}

const defs: MessageDef[] = [...HANDSHAKE_MESSAGES, ...CONFIGURATION_MESSAGES, ...CHARGING_MESSAGES, ...END_MESSAGES];

export const MESSAGES: ReadonlyMap<GbtCode, MessageDef> = new Map(defs.map((d) => [d.code, d]));
export const MESSAGE_BY_PGN: ReadonlyMap<number, MessageDef> = new Map(defs.map((d) => [d.pgn, d]));
export const GBT_CODES: readonly GbtCode[] = defs.map((d) => d.code);

export function messageDef(code: GbtCode): MessageDef {
  const d = MESSAGES.get(code);
  if (!d) throw new RangeError(`unknown GB/T 27930 message '${code}'`);
  return d;
}
