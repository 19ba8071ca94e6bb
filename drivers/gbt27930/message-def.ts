// What one GB/T 27930-2015 parameter group is (facts: reference/can-gbt27930-chademo.md §1.2–1.3): the
// shape the per-stage tables (messages-*.ts) fill in, and the codings several stages share.

import type { FieldDef } from './fields.ts';

export type GbtCode =
  | 'CHM'
  | 'BHM'
  | 'CRM'
  | 'BRM'
  | 'BCP'
  | 'CTS'
  | 'CML'
  | 'BRO'
  | 'CRO'
  | 'BCL'
  | 'BCS'
  | 'CCS'
  | 'BSM'
  | 'BMV'
  | 'BMT'
  | 'BSP'
  | 'BST'
  | 'CST'
  | 'BSD'
  | 'CSD'
  | 'BEM'
  | 'CEM';

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

/** A field coded as in STATUS. */
export type Status2 = number;
