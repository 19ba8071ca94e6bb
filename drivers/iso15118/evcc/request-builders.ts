// The bodies of the EVCC's ISO 15118-20 DC requests, built from the vehicle's limits and the session's
// choices (control mode, BPT, schedule tuple). Pure functions: the session decides when to send, these
// decide what goes in (kept apart so a reader sees each message's content in one place).

import { toRational } from './messages.ts';
import type { EvLimits } from './vehicle-model.ts';

export type ControlMode = 'Scheduled' | 'Dynamic';

/** DC_ChargeParameterDiscoveryReq: the EV's limits (BPT services add zero discharge limits: we only charge). */
export function chargeParameterDiscoveryBody(l: EvLimits, bpt: boolean): Record<string, unknown> {
  const mode: Record<string, unknown> = {
    EVMaximumChargePower: toRational(l.maxPowerW),
    EVMinimumChargePower: toRational(l.minPowerW),
    EVMaximumChargeCurrent: toRational(l.maxCurrentA),
    EVMinimumChargeCurrent: toRational(l.minCurrentA),
    EVMaximumVoltage: toRational(l.maxVoltageV),
    EVMinimumVoltage: toRational(l.minVoltageV),
    ...(l.targetSoc !== undefined ? { TargetSOC: l.targetSoc } : {}),
  };
  if (!bpt) return { DC_CPDReqEnergyTransferMode: mode };
  const noDischarge = {
    EVMaximumDischargePower: toRational(0),
    EVMinimumDischargePower: toRational(0),
    EVMaximumDischargeCurrent: toRational(0),
    EVMinimumDischargeCurrent: toRational(0),
  };
  return { BPT_DC_CPDReqEnergyTransferMode: { ...mode, ...noDischarge } };
}

/** ScheduleExchangeReq in the selected control mode. */
export function scheduleExchangeBody(l: EvLimits, mode: ControlMode | undefined): Record<string, unknown> {
  const energy = {
    DepartureTime: l.departureTimeS,
    EVTargetEnergyRequest: toRational(l.targetEnergyWh),
    EVMaximumEnergyRequest: toRational(l.maxEnergyWh),
    EVMinimumEnergyRequest: toRational(l.minEnergyWh),
  };
  const key = mode === 'Dynamic' ? 'Dynamic_SEReqControlMode' : 'Scheduled_SEReqControlMode';
  return { MaximumSupportingPoints: 1024, [key]: energy };
}

/** PowerDeliveryReq; Start carries the EV's power profile (Scheduled: the chosen schedule tuple). */
export function powerDeliveryBody(
  l: EvLimits,
  progress: 'Start' | 'Stop',
  mode: ControlMode | undefined,
  scheduleTupleId: number | undefined,
): Record<string, unknown> {
  if (progress === 'Stop') return { EVProcessing: 'Finished', ChargeProgress: progress };
  const scheduled = { Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: scheduleTupleId ?? 1 } };
  const control = mode === 'Dynamic' ? { Dynamic_EVPPTControlMode: {} } : scheduled;
  const entries = { EVPowerProfileEntry: [{ Duration: l.departureTimeS, Power: toRational(l.maxPowerW) }] };
  const profile = { TimeAnchor: 0, ...control, EVPowerProfileEntries: entries };
  return { EVProcessing: 'Finished', ChargeProgress: progress, EVPowerProfile: profile };
}

/** DC_ChargeLoopReq for one cycle's target. */
export function chargeLoopBody(
  l: EvLimits,
  mode: ControlMode | undefined,
  target: { currentA: number; voltageV: number },
  presentV: number,
  soc: number | undefined,
): Record<string, unknown> {
  const control =
    mode === 'Dynamic'
      ? {
          Dynamic_DC_CLReqControlMode: {
            EVTargetEnergyRequest: toRational(l.targetEnergyWh),
            EVMaximumEnergyRequest: toRational(l.maxEnergyWh),
            EVMinimumEnergyRequest: toRational(l.minEnergyWh),
            EVMaximumChargePower: toRational(l.maxPowerW),
            EVMinimumChargePower: toRational(l.minPowerW),
            // Dynamic control: the EV bounds, the charger chooses; the request is the EV's current cap.
            EVMaximumChargeCurrent: toRational(round1(target.currentA)),
            EVMaximumVoltage: toRational(round1(target.voltageV)),
            EVMinimumVoltage: toRational(l.minVoltageV),
          },
        }
      : {
          Scheduled_DC_CLReqControlMode: {
            EVTargetCurrent: toRational(round1(target.currentA)),
            EVTargetVoltage: toRational(round1(target.voltageV)),
          },
        };
  return {
    ...(soc !== undefined ? { DisplayParameters: { PresentSOC: Math.round(soc) } } : {}),
    MeterInfoRequested: false,
    EVPresentVoltage: toRational(round1(presentV)),
    ...control,
  };
}

/** DC_PreChargeReq: charge the output up to the battery's voltage. */
export function preChargeBody(batteryV: number, processing: 'Ongoing' | 'Finished'): Record<string, unknown> {
  return { EVProcessing: processing, EVPresentVoltage: toRational(batteryV), EVTargetVoltage: toRational(batteryV) };
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
