// GB/T 27930-2015 CAN identifiers: J1939-style 29-bit IDs, PDU1 format (PS = destination address).
// ID = P<<26 | R<<25 | DP<<24 | PF<<16 | DA<<8 | SA, with R = DP = 0; PGN = PF<<8 (std. 6.1–6.4).

/** Default source addresses (std. Table 2). */
export const CHARGER_ADDRESS = 0x56;
export const BMS_ADDRESS = 0xf4;

export interface GbtId {
  priority: number;
  /** Parameter group number (PF<<8 for the PDU1 messages GB/T uses). */
  pgn: number;
  /** Destination address (PS of a PDU1 PGN). */
  da: number;
  sa: number;
}

export function buildId(priority: number, pgn: number, da: number, sa: number): number {
  const pf = (pgn >> 8) & 0xff;
  return ((priority & 7) << 26) | (pf << 16) | ((da & 0xff) << 8) | (sa & 0xff);
}

export function parseId(id: number): GbtId {
  const pf = (id >> 16) & 0xff;
  const ps = (id >> 8) & 0xff;
  // PDU2 (PF >= 240) carries a group extension in PS instead of a destination; GB/T never uses it,
  // but decode it honestly so foreign frames on the bus are not misread as ours.
  const pdu2 = pf >= 240;
  return {
    priority: (id >> 26) & 7,
    pgn: (((id >> 24) & 1) << 16) | (pf << 8) | (pdu2 ? ps : 0),
    da: pdu2 ? 0xff : ps,
    sa: id & 0xff,
  };
}

/** J1939-21 transport protocol PGNs used for the multi-packet GB/T messages (BRM, BCP, BCS, BMV, BMT, BSP). */
export const PGN_TP_CM = 0xec00;
export const PGN_TP_DT = 0xeb00;
