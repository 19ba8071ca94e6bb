// The 29-bit J1939 identifier (SAE J1939-21): priority, parameter group number, destination and source.
// PDU1 (PF < 240) carries the destination in PS; PDU2 is broadcast and PS is part of the PGN.

export const GLOBAL_ADDRESS = 0xff;

/** 29-bit id of a J1939 frame (PDU1 when PF < 240: PS = destination; PDU2: PS is part of the PGN). */
export function j1939Id(priority: number, pgn: number, da: number, sa: number): number {
  const pf = (pgn >> 8) & 0xff;
  const dpEdp = (pgn >> 16) & 0x3;
  const ps = pf < 240 ? da & 0xff : pgn & 0xff;
  return (((priority & 7) << 26) | (dpEdp << 24) | (pf << 16) | (ps << 8) | (sa & 0xff)) >>> 0;
}

/** The parts of a 29-bit J1939 id. */
export function parseJ1939Id(id: number): { priority: number; pgn: number; da: number; sa: number } {
  const priority = (id >> 26) & 7;
  const dpEdp = (id >> 24) & 3;
  const pf = (id >> 16) & 0xff;
  const ps = (id >> 8) & 0xff;
  const sa = id & 0xff;
  if (pf < 240) return { priority, pgn: (dpEdp << 16) | (pf << 8), da: ps, sa };
  return { priority, pgn: (dpEdp << 16) | (pf << 8) | ps, da: GLOBAL_ADDRESS, sa };
}
