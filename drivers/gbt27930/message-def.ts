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

/** Names of 2-bit status fields, one row per byte (fields.ts statusBytes lays them out). */
export type StatusRows = readonly (readonly string[])[];

/** The payload of a status layout: one Status2 per name. */
export type StatusFlags<R extends StatusRows> = Record<R[number][number], Status2>;

/** Every flag of a layout at 'normal' (00): what a stop or error message says about all it does not report. */
export function allNormal<R extends StatusRows>(rows: R): StatusFlags<R> {
  return Object.fromEntries(rows.flat().map((name) => [name, STATUS.normal])) as StatusFlags<R>;
}

/** One row of a stage table: the header as the standard's table lists it (minLength defaults to length), then the layout. */
export function message(header: Omit<MessageDef, 'fields' | 'minLength'> & { minLength?: number }, fields: FieldDef[]): MessageDef {
  return { ...header, minLength: header.minLength ?? header.length, fields };
}
