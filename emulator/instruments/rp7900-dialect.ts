// The emulated RP7900-class unit's command table, written from the Keysight RP7900 Series Operating and
// Service Guide's command reference (page per group below) — not from our driver — so a driver that
// spells a command the guide does not have gets -113 here as it would on the bench. Status bits: guide
// p.241 (Questionable1: OV 0, OC 1, PROT 11; Operation: WTG-meas 3) and p.242 (Questionable2: UV 6).

import { protectionBits, type Dialect } from './dialect.ts';
import { commandTable } from './scpi-header.ts';

export const RP7900_DIALECT: Dialect = {
  idn: 'mcs-hil,Emulated RP7900-class 950 V,EMU-RP-0001,A.00.00-emulated',
  // A 950 V class unit (guide p.75); its current rating is our choice for the emulation.
  ratings: { maxVoltageV: 950, maxCurrentA: 40, maxResistanceOhm: 1, maxOvpV: 1045 },
  priorityWords: { voltage: 'VOLTAGE', others: ['CURRENT'] },
  bits: protectionBits({ wdog: { register: 'ques', bit: 11 }, uv: { register: 'ques2', bit: 6 } }),
  waitingForTriggerBit: 3,
  // Elog period: multiples of 20.48 µs, at least 102.4 µs per logged quantity (N6700C guide p.146, same family).
  elog: { periodStepS: 20.48e-6, minPeriodPerQuantityS: 102.4e-6, maxPeriodS: 60 },
  watchdog: { minS: 1, maxS: 3600 }, // p.226
  commands: commandTable([
    ['SYSTem:ERRor[:NEXT]?', 'error'],
    // Source subsystem (p.118, p.238)
    ['[SOURce:]FUNCtion', 'priority'],
    ['[SOURce:]FUNCtion?', 'priority'],
    ['[SOURce:]VOLTage[:LEVel][:IMMediate][:AMPLitude]', 'voltage'],
    ['[SOURce:]VOLTage[:LEVel][:IMMediate][:AMPLitude]?', 'voltage'],
    ['[SOURce:]CURRent[:LEVel][:IMMediate][:AMPLitude]?', 'current'],
    ['[SOURce:]VOLTage:RESistance[:LEVel]', 'resistance'],
    ['[SOURce:]VOLTage:RESistance[:LEVel]?', 'resistance'],
    ['[SOURce:]VOLTage:RESistance:STATe', 'resistanceOn'],
    ['[SOURce:]VOLTage:RESistance:STATe?', 'resistanceOn'],
    ['[SOURce:]CURRent:LIMit[:POSitive][:IMMediate][:AMPLitude]', 'currentLimit'],
    ['[SOURce:]CURRent:LIMit[:POSitive][:IMMediate][:AMPLitude]?', 'currentLimit'],
    ['[SOURce:]CURRent:LIMit:NEGative[:IMMediate][:AMPLitude]', 'sinkLimit'],
    ['[SOURce:]CURRent:LIMit:NEGative[:IMMediate][:AMPLitude]?', 'sinkLimit'],
    // Protection (p.128)
    ['[SOURce:]CURRent:PROTection:STATe', 'ocpOn'],
    ['[SOURce:]CURRent:PROTection:STATe?', 'ocpOn'],
    ['[SOURce:]VOLTage:PROTection[:LEVel]', 'ovp'],
    ['[SOURce:]VOLTage:PROTection[:LEVel]?', 'ovp'],
    ['[SOURce:]VOLTage:PROTection:LOW[:LEVel]', 'uvp'],
    ['[SOURce:]VOLTage:PROTection:LOW[:LEVel]?', 'uvp'],
    ['[SOURce:]VOLTage:PROTection:LOW:STATe', 'uvpOn'],
    ['[SOURce:]VOLTage:PROTection:LOW:STATe?', 'uvpOn'],
    // Output (p.143, p.226)
    ['OUTPut[:STATe]', 'output'],
    ['OUTPut[:STATe]?', 'output'],
    ['OUTPut:PROTection:CLEar', 'protClear'],
    ['OUTPut:PROTection:WDOG[:STATe]', 'wdog'],
    ['OUTPut:PROTection:WDOG[:STATe]?', 'wdog'],
    ['OUTPut:PROTection:WDOG:DELay', 'wdogDelay'],
    ['OUTPut:PROTection:WDOG:DELay?', 'wdogDelay'],
    // Status (p.241–242)
    ['STATus:QUEStionable:CONDition?', 'ques'],
    ['STATus:QUEStionable2:CONDition?', 'ques2'],
    ['STATus:OPERation:CONDition?', 'oper'],
    // Measurement and Elog (p.152, p.238)
    ['MEASure[:SCALar]:VOLTage[:DC]?', 'measVolt'],
    ['MEASure[:SCALar]:CURRent[:DC]?', 'measCurr'],
    ['[SENSe:]ELOG:FUNCtion:VOLTage', 'elogVolt'],
    ['[SENSe:]ELOG:FUNCtion:CURRent', 'elogCurr'],
    ['[SENSe:]ELOG:FUNCtion:VOLTage:MINMax', 'elogVoltMinMax'],
    ['[SENSe:]ELOG:FUNCtion:CURRent:MINMax', 'elogCurrMinMax'],
    ['[SENSe:]ELOG:PERiod', 'elogPeriod'],
    ['[SENSe:]ELOG:PERiod?', 'elogPeriod'],
    ['FORMat[:DATA]', 'format'],
    ['FORMat[:DATA]?', 'format'],
    ['FORMat:BORDer', 'byteOrder'],
    ['FORMat:BORDer?', 'byteOrder'],
    ['INITiate[:IMMediate]:ELOG', 'elogInit'],
    ['TRIGger:ELOG[:IMMediate]', 'elogTrigger'],
    ['FETCh:ELOG?', 'elogFetch'],
    ['ABORt:ELOG', 'elogAbort'],
  ]),
};
