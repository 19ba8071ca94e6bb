// The bodies of the emulated CCS charger's DC responses, per protocol: EVSE status, the offered charge
// service and payment, the charge parameters from the ratings, the one schedule it offers, and the charge
// loop's limits. DIN and -2 name and nest a few fields differently (noted where they do).

import { physical, type CcsProtocol } from './ccs-protocol.ts';

export interface CcsRatings {
  maxVoltageV: number;
  minVoltageV: number;
  maxCurrentA: number;
  minCurrentA: number;
  maxPowerW: number;
  /** What the charger declares in ChargeParameterDiscoveryRes (its regulation band and ripple). */
  currentRegulationToleranceA: number;
  peakCurrentRippleA: number;
}

export type IsolationLevel = 'Invalid' | 'Valid' | 'Warning' | 'Fault';
export type EvseStatusCode = 'EVSE_Ready' | 'EVSE_NotReady' | 'EVSE_Shutdown' | 'EVSE_IsolationMonitoringActive';

/** DC_EVSEStatus: isolation as last measured, and whether the charger can go on. */
export function dcEvseStatus(isolation: IsolationLevel, code: EvseStatusCode): Record<string, unknown> {
  return { EVSEIsolationStatus: isolation, EVSEStatusCode: code, NotificationMaxDelay: 0, EVSENotification: 'None' };
}

/** The EVSEID: DIN types it hexBinary (the ID's ASCII in hex), -2 a string. */
export function evseIdFor(protocol: CcsProtocol, evseId: string): string {
  return protocol === 'din' ? Buffer.from(evseId, 'ascii').toString('hex').toUpperCase() : evseId;
}

/** The one charge service (ID 1, DC extended) and the one payment option (external: EIM) on offer. */
export function serviceDiscoveryContent(protocol: CcsProtocol): Record<string, unknown> {
  if (protocol === 'din')
    return {
      PaymentOptions: { PaymentOption: ['ExternalPayment'] },
      ChargeService: {
        ServiceTag: { ServiceID: CHARGE_SERVICE_ID, ServiceCategory: 'EVCharging' },
        FreeService: false,
        EnergyTransferType: 'DC_extended',
      },
    };
  return {
    PaymentOptionList: { PaymentOption: ['ExternalPayment'] },
    ChargeService: {
      ServiceID: CHARGE_SERVICE_ID,
      ServiceCategory: 'EVCharging',
      FreeService: false,
      SupportedEnergyTransferMode: { EnergyTransferMode: ['DC_extended'] },
    },
  };
}

export const CHARGE_SERVICE_ID = 1;
/** The energy transfer modes a DC charger can serve (the vehicle names one in ChargeParameterDiscoveryReq). */
export const DC_TRANSFER_MODES = new Set(['DC_core', 'DC_extended', 'DC_combo_core', 'DC_unique']);

/**
 * One schedule tuple: the rated power for a day. DIN's PMax is a bare int16 in W (capped at 32767: DIN cannot
 * say more) in a schedule with a PMaxScheduleID; -2's is a PhysicalValue and its schedule has no ID.
 */
export function saScheduleList(protocol: CcsProtocol, maxPowerW: number): Record<string, unknown> {
  const interval = { start: 0, duration: 86400 };
  const din = protocol === 'din';
  const entry = { RelativeTimeInterval: interval, PMax: din ? Math.min(32767, Math.round(maxPowerW)) : physical(maxPowerW, 'W') };
  const schedule = { ...(din ? { PMaxScheduleID: 1 } : {}), PMaxScheduleEntry: [entry] };
  return { SAScheduleTuple: [{ SAScheduleTupleID: 1, PMaxSchedule: schedule }] };
}

/** DC_EVSEChargeParameter from the ratings. */
export function dcEvseChargeParameter(r: CcsRatings, status: Record<string, unknown>): Record<string, unknown> {
  return {
    DC_EVSEStatus: status,
    EVSEMaximumCurrentLimit: physical(r.maxCurrentA, 'A'),
    EVSEMaximumPowerLimit: physical(r.maxPowerW, 'W'),
    EVSEMaximumVoltageLimit: physical(r.maxVoltageV, 'V'),
    EVSEMinimumCurrentLimit: physical(r.minCurrentA, 'A'),
    EVSEMinimumVoltageLimit: physical(r.minVoltageV, 'V'),
    EVSECurrentRegulationTolerance: physical(r.currentRegulationToleranceA, 'A'),
    EVSEPeakCurrentRipple: physical(r.peakCurrentRippleA, 'A'),
  };
}

/** The limits a CurrentDemandRes restates each cycle (what the charger can deliver now). */
export function loopLimits(r: { maxVoltageV: number; maxCurrentA: number; maxPowerW: number }): Record<string, unknown> {
  return {
    EVSEMaximumVoltageLimit: physical(r.maxVoltageV, 'V'),
    EVSEMaximumCurrentLimit: physical(r.maxCurrentA, 'A'),
    EVSEMaximumPowerLimit: physical(r.maxPowerW, 'W'),
  };
}
