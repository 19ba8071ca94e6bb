// What distinguishes one emulated instrument class from another: its command spellings (guide form, see
// scpi-header.ts), its identity and ratings, its status-register bit assignments and its Elog rules. The
// behaviour behind the commands (power-instrument.ts) is the same documented behaviour for every class.

import type { Command } from './scpi-header.ts';

/** The actions the emulated instrument knows; a dialect maps its spellings onto them. */
export type Action =
  | 'idn'
  | 'cls'
  | 'rst'
  | 'opc'
  | 'error'
  | 'priority'
  | 'voltage'
  | 'current'
  | 'resistance'
  | 'resistanceOn'
  | 'currentLimit'
  | 'sinkLimit'
  | 'ocpOn'
  | 'ovp'
  | 'uvp'
  | 'uvpOn'
  | 'output'
  | 'protClear'
  | 'wdog'
  | 'wdogDelay'
  | 'ques'
  | 'ques2'
  | 'oper'
  | 'measVolt'
  | 'measCurr'
  | 'elogVolt'
  | 'elogCurr'
  | 'elogVoltMinMax'
  | 'elogCurrMinMax'
  | 'elogPeriod'
  | 'format'
  | 'byteOrder'
  | 'elogInit'
  | 'elogTrigger'
  | 'elogFetch'
  | 'elogAbort';

export type Protection = 'ov' | 'oc' | 'wdog' | 'uv';

export interface Dialect {
  idn: string;
  ratings: { maxVoltageV: number; maxCurrentA: number; maxResistanceOhm: number; maxOvpV: number };
  /** The word that selects voltage priority (battery mode), and the other priority words it accepts. */
  priorityWords: { voltage: string; others: string[] };
  /** Register ('ques' | 'ques2') and bit of each protection. */
  bits: Record<Protection, { register: 'ques' | 'ques2'; bit: number }>;
  /** Operation-register bit set while Elog waits for its trigger. */
  waitingForTriggerBit: number;
  elog: { periodStepS: number; minPeriodPerQuantityS: number; maxPeriodS: number };
  watchdog: { minS: number; maxS: number };
  commands: Command<Action>[];
}

/** SCPI-99's QUEStionable register has VOLTage at bit 0 and CURRent at bit 1; a class places its other protections. */
export function protectionBits(others: Pick<Dialect['bits'], 'wdog' | 'uv'>): Dialect['bits'] {
  return { ov: { register: 'ques', bit: 0 }, oc: { register: 'ques', bit: 1 }, ...others };
}
