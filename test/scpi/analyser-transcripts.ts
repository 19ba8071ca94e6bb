// Exchanges with a power analyser of the numeric-list class (fixtures/instruments/power-analyser.yaml) as its
// guide describes them — spellings, header-less replies in engineering NR3, the range the unit picks for a
// value between two, the update interval it rounds to — shared by the analyser driver's transcript tests.
import { floatBlock } from '../../drivers/scpi/binary-block.ts';
import type { TranscriptEntry } from '../../drivers/scpi/transport.ts';

export const NO_ERROR: TranscriptEntry = [':STAT:ERR?', '0,"No error"'];
export const IDENTITY = 'mcs-hil,Emulated DC power analyser 1500 V,EMU-PA-0001,A.00.00-emulated';

/** Open on an MCS bench (1250 V, 3000 A): ranges 1500 V / 5000 A, items U, I, P in DC, binary, 8 ms asked → 10 ms. */
export const OPEN: TranscriptEntry[] = [
  [':NUM:STR:STOP', null],
  ['*CLS', null],
  [':COMM:HEAD 0', null],
  [':COMM:HEAD?', '0'],
  ['*IDN?', IDENTITY],
  [':INP:VOLT:AUTO:ELEM1 0', null],
  [':INP:VOLT:AUTO:ELEM1?', '0'],
  [':INP:CURR:AUTO:ELEM1 0', null],
  [':INP:CURR:AUTO:ELEM1?', '0'],
  [':INP:VOLT:RANG:ELEM1 1250', null],
  [':INP:VOLT:RANG:ELEM1?', '1.5E+03'],
  [':INP:CURR:RANG:ELEM1 3000', null],
  [':INP:CURR:RANG:ELEM1?', '5.0E+03'],
  [':NUM:NORM:NUM 3', null],
  [':NUM:NORM:NUM?', '3'],
  [':NUM:NORM:ITEM1 UDC,1', null],
  [':NUM:NORM:ITEM1?', 'UDC,1'],
  [':NUM:NORM:ITEM2 IDC,1', null],
  [':NUM:NORM:ITEM2?', 'IDC,1'],
  [':NUM:NORM:ITEM3 P,1', null],
  [':NUM:NORM:ITEM3?', 'P,1'],
  [':NUM:FORM FLOAT', null],
  [':NUM:FORM?', 'FLOAT'],
  [':RATE 0.008', null],
  [':RATE?', '10.0E-03'],
  NO_ERROR,
];

/** The buffered stream starts; *OPC? bounds when. */
export const START: TranscriptEntry[] = [
  [':NUM:STR:STAR', null],
  ['*OPC?', '1'],
];

/** One fetch returns two updates (801 V 100 A 80.1 kW, 801.5 V 120 A 96.18 kW); the error queue is empty. */
export const TWO_UPDATES: TranscriptEntry[] = [[':NUM:STR:DATA? 1000', floatBlock([801, 100, 80100, 801.5, 120, 96180])], NO_ERROR];

/** Nothing left in the buffer, then the stream stops. */
export const STOP: TranscriptEntry[] = [
  [':NUM:STR:DATA? 1000', '#10'],
  [':NUM:STR:STOP', null],
];
