// The emulated SECC's own message sequence table for an ISO 15118-20 DC session, written from the
// standard's DC message sequence (ISO 15118-20:2022 §8.8; [V2G20-2005]/[V2G20-2006] for pre-charge) and
// deliberately NOT shared with the vehicle's request list: a misreading on one side must be able to
// show up as a disagreement with the other.
//
// A state is the request just answered, with its outcome where the outcome decides what may follow
// (EVSEProcessing Ongoing/Finished, ChargeProgress Start/Stop). A request not listed for the current
// state gets FAILED_SequenceError.

/** Requests of a -20 DC session this SECC handles (anything else in the right grammar closes the connection). */
export const SECC_HANDLED_REQUESTS: ReadonlySet<string> = new Set([
  // AppProtocol grammar
  'supportedAppProtocol',
  // CommonMessages grammar
  'Authorization',
  'AuthorizationSetup',
  'PowerDelivery',
  'ScheduleExchange',
  'ServiceDetail',
  'ServiceDiscovery',
  'ServiceSelection',
  'SessionSetup',
  'SessionStop',
  // DC grammar
  'DC_CableCheck',
  'DC_ChargeLoop',
  'DC_ChargeParameterDiscovery',
  'DC_PreCharge',
  'DC_WeldingDetection',
]);

export type SeccState =
  | 'WaitForSupportedAppProtocol'
  | 'supportedAppProtocol'
  | 'SessionSetup'
  | 'AuthorizationSetup'
  | 'Authorization.Ongoing'
  | 'Authorization.Finished'
  | 'ServiceDiscovery'
  | 'ServiceDetail'
  | 'ServiceSelection'
  | 'DC_ChargeParameterDiscovery'
  | 'ScheduleExchange.Ongoing'
  | 'ScheduleExchange.Finished'
  | 'DC_CableCheck.Ongoing'
  | 'DC_CableCheck.Finished'
  | 'DC_PreCharge.Ongoing'
  | 'DC_PreCharge.Finished'
  | 'PowerDelivery.Start'
  | 'DC_ChargeLoop'
  | 'PowerDelivery.Stop'
  | 'DC_WeldingDetection'
  | 'SessionStop';

/** After SessionSetup the EVCC may end the session at any pause of the normal flow. */
const STOP = 'SessionStop';

/** Which requests may come next in each state. */
export const NEXT_REQUESTS: Readonly<Record<SeccState, readonly string[]>> = {
  WaitForSupportedAppProtocol: ['supportedAppProtocol'],
  supportedAppProtocol: ['SessionSetup'],
  SessionSetup: ['AuthorizationSetup', STOP],
  AuthorizationSetup: ['Authorization', STOP],
  'Authorization.Ongoing': ['Authorization', STOP],
  'Authorization.Finished': ['ServiceDiscovery', STOP],
  ServiceDiscovery: ['ServiceDetail', 'ServiceSelection', STOP],
  ServiceDetail: ['ServiceDetail', 'ServiceSelection', STOP],
  ServiceSelection: ['DC_ChargeParameterDiscovery', STOP],
  DC_ChargeParameterDiscovery: ['ScheduleExchange', STOP],
  'ScheduleExchange.Ongoing': ['ScheduleExchange', STOP],
  'ScheduleExchange.Finished': ['DC_CableCheck', STOP],
  'DC_CableCheck.Ongoing': ['DC_CableCheck', STOP],
  'DC_CableCheck.Finished': ['DC_PreCharge', STOP],
  // [V2G20-2005]: after DC_PreChargeRes for EVProcessing=Ongoing only another DC_PreChargeReq.
  'DC_PreCharge.Ongoing': ['DC_PreCharge'],
  // [V2G20-2006]: after EVProcessing=Finished, PowerDeliveryReq.
  'DC_PreCharge.Finished': ['PowerDelivery', STOP],
  'PowerDelivery.Start': ['DC_ChargeLoop', 'PowerDelivery'],
  DC_ChargeLoop: ['DC_ChargeLoop', 'PowerDelivery'],
  'PowerDelivery.Stop': ['DC_WeldingDetection', STOP],
  DC_WeldingDetection: ['DC_WeldingDetection', STOP],
  SessionStop: [],
};

export function allowedAfter(state: SeccState): ReadonlySet<string> {
  return new Set(NEXT_REQUESTS[state]);
}
