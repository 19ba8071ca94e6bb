// What distinguishes one emulated instrument class from another: its command spellings (guide form, see
// scpi-header.ts), its identity and ratings, its status-register bit assignments and its Elog rules. The
// behaviour behind the commands (power-instrument.ts) is the same documented behaviour for every class.

import { header, type HeaderMatcher } from './scpi-header.ts';

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
  commands: { matcher: HeaderMatcher; action: Action }[];
}

/** Build the command list from [guide-form header, action] pairs. */
export function commandTable(entries: [string, Action][]): Dialect['commands'] {
  return entries.map(([pattern, action]) => ({ matcher: header(pattern), action }));
}
