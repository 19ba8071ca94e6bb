// The normal DIN 70121 / ISO 15118-2 DC flow as the vehicle walks it, step by step: what runUntil(step) does
// for tests that need a session brought up to one message before they misbehave or judge.

import type { Exchange } from '../evcc/exchange.ts';
import { walkSteps } from '../evcc/flow.ts';
import { CCS_FLOW, type CcsStep } from './protocols.ts';
import type { CcsEvccSession } from './session.ts';

export interface CcsFlowHooks {
  /** Just before CableCheck: the vehicle puts CP to C. */
  beforeCableCheck?: () => Promise<void>;
  /** Just before PowerDelivery(Start): pre-charge matched, the vehicle closes its contactors. */
  beforePowerDelivery?: () => Promise<void>;
}

type Result = Exchange | Exchange[] | undefined;

const STEPS: Record<CcsStep, (s: CcsEvccSession) => Promise<Result>> = {
  supportedAppProtocol: (s) => s.supportedAppProtocol(),
  SessionSetup: (s) => s.sessionSetup(),
  ServiceDiscovery: (s) => s.serviceDiscovery(),
  ServiceDetail: (s) => s.serviceDetail(),
  PaymentSelection: (s) => s.paymentSelection(),
  Authorization: (s) => s.authorization(),
  ChargeParameterDiscovery: (s) => s.chargeParameterDiscovery(),
  CableCheck: (s) => s.cableCheck(),
  PreCharge: (s) => s.preCharge(),
  PowerDelivery: (s) => s.powerDelivery(true),
};

/** Each step up to and including `last`; the exchange of the last step (the last of a repeated one). */
export async function walkCcsFlow(s: CcsEvccSession, last: CcsStep, hooks: CcsFlowHooks = {}): Promise<Exchange | undefined> {
  return walkSteps(CCS_FLOW, 'CableCheck', (step) => STEPS[step](s), last, hooks);
}
