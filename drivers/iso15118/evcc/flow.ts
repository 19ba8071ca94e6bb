// The normal ISO 15118-20 DC flow as the EVCC walks it, step by step: what `runUntil(message)` does for
// tests and suites that need a session brought up to one message before they misbehave or judge.

import type { Exchange } from './exchange.ts';
import { SEQUENCE, type MessageName } from './messages.ts';
import type { EvccSession } from './session.ts';

/** Steps of the normal DC flow, in order: the vehicle's request list up to PowerDelivery (= Start). */
export type FlowStep = Exclude<MessageName, 'DC_ChargeLoop' | 'DC_WeldingDetection' | 'SessionStop'>;
export const NORMAL_FLOW: readonly FlowStep[] = SEQUENCE.slice(0, SEQUENCE.indexOf('PowerDelivery') + 1) as FlowStep[];

export interface FlowHooks {
  /** Just before DC_CableCheck (the vehicle puts CE to C). */
  beforeCableCheck?: () => Promise<void>;
  /** Just before PowerDelivery(Start) (pre-charge matched: the vehicle closes its contactors). */
  beforePowerDelivery?: () => Promise<void>;
}

const STEPS: Record<FlowStep, (s: EvccSession) => Promise<Exchange | Exchange[]>> = {
  supportedAppProtocol: (s) => s.supportedAppProtocol(),
  SessionSetup: (s) => s.sessionSetup(),
  AuthorizationSetup: (s) => s.authorizationSetup(),
  Authorization: (s) => s.authorization(),
  ServiceDiscovery: (s) => s.serviceDiscovery(),
  ServiceDetail: (s) => s.serviceDetail(),
  ServiceSelection: (s) => s.serviceSelection(),
  DC_ChargeParameterDiscovery: (s) => s.chargeParameterDiscovery(),
  ScheduleExchange: (s) => s.scheduleExchange(),
  DC_CableCheck: (s) => s.cableCheck(),
  DC_PreCharge: (s) => s.preCharge(),
  PowerDelivery: (s) => s.powerDelivery('Start'),
};

/** Each step up to and including `last`; the exchange of the last step (the last of a repeated one). */
export async function walkFlow(s: EvccSession, last: FlowStep, hooks: FlowHooks = {}): Promise<Exchange | undefined> {
  if (!NORMAL_FLOW.includes(last)) throw new RangeError(`runUntil: '${last}' is not a step of the normal DC flow`);
  return walkSteps(NORMAL_FLOW, 'DC_CableCheck', (step) => STEPS[step](s), last, hooks);
}

/** A protocol's flow up to `last`, the hooks at its cable check and PowerDelivery(Start) (DIN / -2 walk theirs too). */
export async function walkSteps<T extends string>(
  flow: readonly T[],
  cableCheck: T,
  run: (step: T) => Promise<Exchange | Exchange[] | undefined>,
  last: T,
  hooks: FlowHooks,
): Promise<Exchange | undefined> {
  let out: Exchange | Exchange[] | undefined;
  for (const step of flow) {
    if (step === cableCheck) await hooks.beforeCableCheck?.();
    if (step === 'PowerDelivery') await hooks.beforePowerDelivery?.();
    out = await run(step);
    if (step === last) break;
  }
  return Array.isArray(out) ? out.at(-1) : out;
}
