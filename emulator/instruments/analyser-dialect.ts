// The emulated power-analyser class: its commands in guide form (the numeric-list class of the Yokogawa
// WT1800E / WT5000 communication guides: COMMunicate, INPut, RATE, NUMeric, STATus groups), its identity,
// input ranges and update intervals. The buffered stream (NUMeric:STReam) is the example dialect that
// fixtures/instruments/power-analyser.yaml marks as ours. The behaviour behind it is in analyser.ts.

import { commandTable, type Command } from './scpi-header.ts';

export type AnalyserAction =
  | 'idn'
  | 'cls'
  | 'rst'
  | 'opc'
  | 'error'
  | 'header'
  | 'voltageAuto'
  | 'currentAuto'
  | 'voltageRange'
  | 'currentRange'
  | 'rate'
  | 'itemCount'
  | 'item'
  | 'format'
  | 'values'
  | 'streamStart'
  | 'streamStop'
  | 'streamData'
  | 'streamState';

export interface AnalyserDialect {
  idn: string;
  /** Input ranges the unit offers (V, A: current through its sensor), smallest first. */
  voltageRangesV: number[];
  currentRangesA: number[];
  /** A DC input up to this multiple of its range is measured; above it the value is over-range (9.91E+37). */
  overRangeFactor: number;
  /** Display counts: each value is rounded to range / counts. */
  counts: number;
  /** Data update intervals (s), fastest first; the default is the guide's 500 ms. */
  updateIntervalsS: number[];
  defaultIntervalS: number;
  /** Numeric items the unit may carry at once. */
  maxItems: number;
  /** Updates the stream buffer holds; older ones are dropped (with a queue-overflow error). */
  bufferRecords: number;
  commands: Command<AnalyserAction>[];
}

export const ANALYSER_DIALECT: AnalyserDialect = {
  idn: 'mcs-hil,Emulated DC power analyser 1500 V,EMU-PA-0001,A.00.00-emulated',
  voltageRangesV: [15, 30, 60, 150, 300, 600, 1000, 1500],
  currentRangesA: [50, 100, 200, 500, 1000, 2000, 5000],
  overRangeFactor: 1.4,
  counts: 100_000,
  updateIntervalsS: [0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20],
  defaultIntervalS: 0.5,
  maxItems: 255,
  bufferRecords: 200_000,
  commands: commandTable([
    ['STATus:ERRor?', 'error'],
    ['COMMunicate:HEADer', 'header'],
    ['COMMunicate:HEADer?', 'header'],
    ['[INPut:]VOLTage:AUTO:ELEMent1', 'voltageAuto'],
    ['[INPut:]VOLTage:AUTO:ELEMent1?', 'voltageAuto'],
    ['[INPut:]CURRent:AUTO:ELEMent1', 'currentAuto'],
    ['[INPut:]CURRent:AUTO:ELEMent1?', 'currentAuto'],
    ['[INPut:]VOLTage:RANGe:ELEMent1', 'voltageRange'],
    ['[INPut:]VOLTage:RANGe:ELEMent1?', 'voltageRange'],
    ['[INPut:]CURRent:RANGe:ELEMent1', 'currentRange'],
    ['[INPut:]CURRent:RANGe:ELEMent1?', 'currentRange'],
    ['RATE', 'rate'],
    ['RATE?', 'rate'],
    ['NUMeric[:NORMal]:NUMber', 'itemCount'],
    ['NUMeric[:NORMal]:NUMber?', 'itemCount'],
    ['NUMeric:FORMat', 'format'],
    ['NUMeric:FORMat?', 'format'],
    ['NUMeric[:NORMal]:VALue?', 'values'],
    ['NUMeric:STReam:STARt', 'streamStart'],
    ['NUMeric:STReam:STOP', 'streamStop'],
    ['NUMeric:STReam:DATA?', 'streamData'],
    ['NUMeric:STReam:STATe?', 'streamState'],
  ]),
};

/** ITEM<x> carries its number in the header ('NUM:NORM:ITEM3'): matched apart, the number returned. */
export function itemNumber(head: string): number | undefined {
  const m = /^:?NUM(?:ERIC)?(?::NORM(?:AL)?)?:ITEM(\d+)\??$/i.exec(head);
  return m ? Number(m[1]) : undefined;
}
