// The vehicle's request bodies of a DIN 70121 / ISO 15118-2 DC session, built from its request model. The two
// protocols carry the same DC values in almost the same elements; where they differ (DIN's
// EVRequestedEnergyTransferType and ReadyToChargeState, -2's ChargeProgress and SAScheduleTupleID) the
// protocol decides. Values are PhysicalValues { Multiplier, Unit, Value } with Value a 16-bit integer.

import type { EvLimits } from '../evcc/vehicle-model.ts';
import type { CcsProtocol } from './protocols.ts';

export interface PhysicalValue {
  Multiplier: number;
  Unit: string;
  Value: number;
}

/** A PhysicalValue with the finest multiplier (from 0.1) whose Value still fits a signed 16-bit integer. */
export function physical(x: number, unit: string): PhysicalValue {
  for (let m = -1; m <= 3; m++) {
    const v = Math.round(x / 10 ** m);
    if (Math.abs(v) <= 32767) return { Multiplier: m, Unit: unit, Value: v };
  }
  throw new RangeError(`${x} ${unit} does not fit a PhysicalValue`);
}

/** The number a PhysicalValue stands for (NaN when absent or not one). */
export function fromPhysical(p: Partial<PhysicalValue> | undefined): number {
  if (!p || typeof p.Value !== 'number') return NaN;
  return p.Value * 10 ** (p.Multiplier ?? 0);
}

export interface EvState {
  ready: boolean;
  soc: number;
}

const evStatus = (s: EvState) => ({ EVReady: s.ready, EVErrorCode: 'NO_ERROR', EVRESSSOC: Math.round(Math.max(0, Math.min(100, s.soc))) });

export function chargeParameterDiscoveryBody(p: CcsProtocol, l: EvLimits, s: EvState): Record<string, unknown> {
  const dc = {
    DC_EVStatus: evStatus(s),
    EVMaximumCurrentLimit: physical(l.maxCurrentA, 'A'),
    EVMaximumPowerLimit: physical(l.maxPowerW, 'W'),
    EVMaximumVoltageLimit: physical(l.maxVoltageV, 'V'),
    EVEnergyRequest: physical(l.targetEnergyWh, 'Wh'),
  };
  return p === 'din'
    ? { EVRequestedEnergyTransferType: 'DC_extended', DC_EVChargeParameter: dc }
    : { RequestedEnergyTransferMode: 'DC_extended', DC_EVChargeParameter: dc };
}

export function cableCheckBody(s: EvState): Record<string, unknown> {
  return { DC_EVStatus: evStatus(s) };
}

export function preChargeBody(s: EvState, targetV: number, currentA: number): Record<string, unknown> {
  return { DC_EVStatus: evStatus(s), EVTargetVoltage: physical(targetV, 'V'), EVTargetCurrent: physical(currentA, 'A') };
}

export function powerDeliveryBody(p: CcsProtocol, start: boolean, s: EvState, saScheduleTupleId = 1): Record<string, unknown> {
  const param = { DC_EVPowerDeliveryParameter: { DC_EVStatus: evStatus(s), ChargingComplete: !start } };
  return p === 'din'
    ? { ReadyToChargeState: start, ...param }
    : { ChargeProgress: start ? 'Start' : 'Stop', SAScheduleTupleID: saScheduleTupleId, ...param };
}

export function currentDemandBody(
  p: CcsProtocol,
  l: EvLimits,
  s: EvState,
  target: { currentA: number; voltageV: number },
): Record<string, unknown> {
  return {
    DC_EVStatus: evStatus(s),
    EVTargetCurrent: physical(target.currentA, 'A'),
    EVMaximumVoltageLimit: physical(l.maxVoltageV, 'V'),
    EVMaximumCurrentLimit: physical(l.maxCurrentA, 'A'),
    ...(p === 'iso2' ? { EVMaximumPowerLimit: physical(l.maxPowerW, 'W') } : {}),
    ChargingComplete: false,
    EVTargetVoltage: physical(target.voltageV, 'V'),
  };
}

export function weldingDetectionBody(s: EvState): Record<string, unknown> {
  return { DC_EVStatus: evStatus(s) };
}

export function sessionStopBody(p: CcsProtocol): Record<string, unknown> {
  return p === 'din' ? {} : { ChargingSession: 'Terminate' };
}

/** SelectedPaymentOption ExternalPayment (EIM) for the charge service the charger offered. */
export function paymentSelectionBody(chargeServiceId: number): Record<string, unknown> {
  return { SelectedPaymentOption: 'ExternalPayment', SelectedServiceList: { SelectedService: [{ ServiceID: chargeServiceId }] } };
}
