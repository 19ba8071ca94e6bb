// The GB/T 27930 periods and timeouts both sides run on, read from the limit profile (never hard-coded)
// with the bench file's `timers:` overrides applied (name after 'timeout.' / 'period.').

import { Limits } from '../core/limits.ts';
import { GBT_CODES, type GbtCode } from './messages.ts';

export const TIMEOUT_NAMES = [
  'general',
  'BCL',
  'BCS',
  'CCS',
  'BRM',
  'CRM_AA',
  'CRM_00',
  'BCP',
  'CML',
  'BRO',
  'BRO_AA',
  'CRO',
  'CRO_AA',
  'CCS_first',
  'stopMessage',
  'statistics',
] as const;
export type TimeoutName = (typeof TIMEOUT_NAMES)[number];

export interface GbtTiming {
  periodMs: Record<GbtCode, number>;
  timeoutMs: Record<TimeoutName, number>;
  /** Output current below which the output counts as stopped (A): the safe-state path waits for it. */
  stopCurrentA: number;
}

export const GBT_LIMIT_PROFILE = 'gbt27930';

export function loadGbtTiming(limits: Limits = Limits.load(GBT_LIMIT_PROFILE), overrides: Record<string, number> = {}): GbtTiming {
  const periodMs = {} as Record<GbtCode, number>;
  for (const c of GBT_CODES) periodMs[c] = overrides[`period.${c}`] ?? limits.num(`period.${c}`);
  const timeoutMs = {} as Record<TimeoutName, number>;
  for (const n of TIMEOUT_NAMES) timeoutMs[n] = overrides[n] ?? overrides[`timeout.${n}`] ?? limits.num(`timeout.${n}`);
  return { periodMs, timeoutMs, stopCurrentA: limits.get('stop.currentBelowA').hi ?? limits.num('stop.currentBelowA') };
}
