// The emulated CCS charger's own message sequence table for a DC session, written from the standards'
// DC message sequences (DIN SPEC 70121:2014 §9 and ISO 15118-2:2014 §8.8, EIM identification only) and not
// shared with any vehicle code: a misreading on either side shows as a disagreement on the wire.
//
// A state is the step just answered, with the outcome where the outcome decides what may follow
// (EVSEProcessing Ongoing/Finished, PowerDelivery start/stop). A request not listed gets FAILED_SequenceError.

import type { CcsStep } from './ccs-protocol.ts';

export type CcsState =
  | 'WaitForSupportedAppProtocol'
  | 'supportedAppProtocol'
  | 'SessionSetup'
  | 'ServiceDiscovery'
  | 'ServiceDetail'
  | 'PaymentSelection'
  | 'Authorization.Ongoing'
  | 'Authorization.Finished'
  | 'ChargeParameterDiscovery.Ongoing'
  | 'ChargeParameterDiscovery.Finished'
  | 'CableCheck.Ongoing'
  | 'CableCheck.Finished'
  | 'PreCharge'
  | 'PowerDelivery.Start'
  | 'CurrentDemand'
  | 'PowerDelivery.Stop'
  | 'PowerDelivery.Renegotiate'
  | 'WeldingDetection'
  | 'SessionStop';

/** The vehicle may end the session at any pause of the flow outside energy transfer. */
const STOP: CcsStep = 'SessionStop';

export const CCS_NEXT_STEPS: Readonly<Record<CcsState, readonly (CcsStep | 'supportedAppProtocol')[]>> = {
  WaitForSupportedAppProtocol: ['supportedAppProtocol'],
  supportedAppProtocol: ['SessionSetup'],
  SessionSetup: ['ServiceDiscovery', STOP],
  ServiceDiscovery: ['ServiceDetail', 'PaymentSelection', STOP],
  ServiceDetail: ['ServiceDetail', 'PaymentSelection', STOP],
  PaymentSelection: ['Authorization', STOP],
  'Authorization.Ongoing': ['Authorization', STOP],
  'Authorization.Finished': ['ChargeParameterDiscovery', STOP],
  'ChargeParameterDiscovery.Ongoing': ['ChargeParameterDiscovery', STOP],
  'ChargeParameterDiscovery.Finished': ['CableCheck', STOP],
  'CableCheck.Ongoing': ['CableCheck', STOP],
  'CableCheck.Finished': ['PreCharge', STOP],
  PreCharge: ['PreCharge', 'PowerDelivery', STOP],
  // Energy flows: only the charge loop or a PowerDelivery (stop) until the output is released.
  'PowerDelivery.Start': ['CurrentDemand', 'PowerDelivery'],
  CurrentDemand: ['CurrentDemand', 'PowerDelivery'],
  'PowerDelivery.Stop': ['WeldingDetection', STOP],
  // -2 ChargeProgress=Renegotiate: the charge parameters are discovered again.
  'PowerDelivery.Renegotiate': ['ChargeParameterDiscovery'],
  WeldingDetection: ['WeldingDetection', STOP],
  SessionStop: [],
};
