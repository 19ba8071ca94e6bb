// Exchanges with an RP7900-class unit as its programming guide describes them (spellings, reply formats),
// shared by the driver's transcript tests.
import type { TranscriptEntry } from '../../drivers/scpi/transport.ts';

export const NO_ERROR: TranscriptEntry = ['SYST:ERR?', '+0,"No error"'];

/** Open: stop a crashed run's logging, identity, ratings, output off (read back), voltage priority (read back). */
export const OPEN: TranscriptEntry[] = [
  ['ABOR:ELOG', null],
  ['*IDN?', 'Keysight Technologies,RP7952A,MY00001234,B.03.02.1232'],
  ['*CLS', null],
  ['VOLT? MAX', '+9.50000E+02'],
  ['CURR? MAX', '+4.00000E+01'],
  ['VOLT:RES? MAX', '+1.00000E+00'],
  ['VOLT:PROT? MAX', '+1.04500E+03'],
  ['OUTP OFF', null],
  ['OUTP?', '0'],
  ['FUNC VOLT', null],
  ['FUNC?', 'VOLT'],
  NO_ERROR,
];

/** Battery 816.5 V behind 40 mΩ; OV 900 V, sink over-current 35 A (limits + current protection), UV 600 V; watchdog 5 s. */
export const CONFIGURE: TranscriptEntry[] = [
  ['VOLT 816.5', null],
  ['VOLT?', '+8.16500E+02'],
  ['VOLT:RES 0.04', null],
  ['VOLT:RES?', '+4.00000E-02'],
  ['VOLT:RES:STAT ON', null],
  ['VOLT:RES:STAT?', '1'],
  ['VOLT:PROT 900', null],
  ['VOLT:PROT?', '+9.00000E+02'],
  ['CURR:LIM 35', null],
  ['CURR:LIM?', '+3.50000E+01'],
  ['CURR:LIM:NEG -35', null],
  ['CURR:LIM:NEG?', '-3.50000E+01'],
  ['CURR:PROT:STAT ON', null],
  ['CURR:PROT:STAT?', '1'],
  ['VOLT:PROT:LOW 600', null],
  ['VOLT:PROT:LOW?', '+6.00000E+02'],
  ['VOLT:PROT:LOW:STAT ON', null],
  ['VOLT:PROT:LOW:STAT?', '1'],
  NO_ERROR,
  ['OUTP:PROT:WDOG:DEL 5', null],
  ['OUTP:PROT:WDOG:DEL?', '+5'],
  ['OUTP:PROT:WDOG ON', null],
  ['OUTP:PROT:WDOG?', '1'],
];

/** Elog: both quantities, no min/max, binary big-endian, 1 ms asked → 1.00352 ms read back, armed before the trigger. */
export const ELOG: TranscriptEntry[] = [
  ['SENS:ELOG:FUNC:VOLT ON', null],
  ['SENS:ELOG:FUNC:CURR ON', null],
  ['SENS:ELOG:FUNC:VOLT:MINM OFF', null],
  ['SENS:ELOG:FUNC:CURR:MINM OFF', null],
  ['FORM:DATA REAL', null],
  ['FORM:BORD NORM', null],
  ['SENS:ELOG:PER 0.001', null],
  ['SENS:ELOG:PER?', '+1.00352E-03'],
  NO_ERROR,
  ['INIT:ELOG', null],
  ['STAT:OPER:COND?', '+12'], // OFF + WTG-meas: waiting for the trigger
  ['TRIG:ELOG', null],
  ['*OPC?', '1'], // the trigger acted: an upper bound for the first record's stamp
];
export const QUIET: TranscriptEntry[] = [
  ['STAT:QUES:COND?', '+0'],
  ['STAT:QUES2:COND?', '+0'],
];
