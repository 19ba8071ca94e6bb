// Fault switches of the emulated CCS charger that bend when and what it answers and how it reacts to its control
// pilot, caught by suites/ccs2/performance.spec.ts, services.spec.ts and pilot.spec.ts. The ids are those suites' testCaseIds
// written out (the emulator never imports suites).

import { Limits } from '../../drivers/core/limits.ts';
import type { V2gDoc } from '../../drivers/iso15118/evcc/messages.ts';
import type { FaultSwitch } from '../fault-catalogue.ts';
import { bodyOf, type CcsProtocol } from './ccs-protocol.ts';
import type { CcsDecision } from './ccs-session.ts';
import { ccsFault } from './faults.ts';

export const CCS_RESPONSE_FAULT = {
  slowResponses: 'ccs-slow-responses',
  ignoresCpStateB: 'ccs-ignores-cp-state-b',
  serviceDetailMalformed: 'ccs-service-detail-malformed',
} as const;

/** Each protocol's limit profile: the SECC performance times and the vehicle's message timeouts the delay sits between. */
const PROFILE: Readonly<Record<CcsProtocol, string>> = { din: 'din70121', iso2: 'iso15118-2' };
const profiles = new Map<CcsProtocol, Limits>();

/** The charge loop keeps its own fault (ccs-currentdemand-slow): this one leaves CurrentDemandRes alone. */
const NOT_SLOWED = 'CurrentDemandRes';

/**
 * The delay of fault ccs-slow-responses for one response: halfway between its SECC performance time and the
 * vehicle's timeout for its request (each the message's own entry in the profile, else the default), so the
 * session goes on and only the timing check may notice.
 */
export function slowResponseMs(protocol: CcsProtocol, response: string): number {
  let l = profiles.get(protocol);
  if (!l) profiles.set(protocol, (l = Limits.load(PROFILE[protocol])));
  const message = response.replace(/Res$/, '');
  const of = (base: string) => l.num(l.has(`${base}.${message}`) ? `${base}.${message}` : base);
  return (of('secc.performanceTime') + of('timer.V2G_EVCC_Msg_Timeout')) / 2;
}

/** The decision with this run's response faults applied (protocol: the session's, once negotiated). */
export function withResponseFaults(d: CcsDecision, protocol: CcsProtocol | undefined, faults: ReadonlySet<string>): CcsDecision {
  if (!d.response || !protocol) return d;
  const response = responseName(d.response);
  if (faults.has(CCS_RESPONSE_FAULT.serviceDetailMalformed) && response === 'ServiceDetailRes') malformParameterSets(d.response);
  if (!faults.has(CCS_RESPONSE_FAULT.slowResponses) || response === NOT_SLOWED) return d;
  const delayMs = slowResponseMs(protocol, response);
  return { ...d, delayMs: (d.delayMs ?? 0) + delayMs, note: `fault ${CCS_RESPONSE_FAULT.slowResponses}: answer delayed ${delayMs} ms` };
}

/** ccs-service-detail-malformed: every parameter set of the answer gets the same ParameterSetID (schema-valid, unusable). */
function malformParameterSets(doc: V2gDoc): void {
  const sets: { ParameterSetID: number }[] = bodyOf(doc)?.content.ServiceParameterList?.ParameterSet ?? [];
  for (const set of sets) set.ParameterSetID = 1;
}

const responseName = (doc: V2gDoc): string => bodyOf(doc)?.name ?? Object.keys(doc)[0];

/** Both protocols' test of each suite (suites/ccs2/performance.spec.ts, suites/ccs2/pilot.spec.ts). */
const both = (key: string): string[] => [`CCS2-DIN-${key}-001`, `CCS2-ISO2-${key}-001`];

/** The responses of a DIN and a -2 EIM DC session, each judged against its own performance time. */
const SLOWED = [
  'supportedAppProtocolRes',
  'SessionSetupRes',
  'ServiceDiscoveryRes',
  'ServicePaymentSelectionRes',
  'PaymentServiceSelectionRes',
  'ContractAuthenticationRes',
  'AuthorizationRes',
  'ChargeParameterDiscoveryRes',
  'CableCheckRes',
  'PreChargeRes',
  'PowerDeliveryRes',
  'WeldingDetectionRes',
  'SessionStopRes',
];

export const CCS_RESPONSE_FAULTS: FaultSwitch[] = [
  ccsFault(
    CCS_RESPONSE_FAULT.slowResponses,
    'timing violation',
    both('MSG-PERFORMANCE'),
    'answers every request but CurrentDemandReq after its SECC message performance time (but inside the vehicle’s timeout)',
    SLOWED.map((r) => `${r} response time (worst)`),
  ),
  ccsFault(
    CCS_RESPONSE_FAULT.serviceDetailMalformed,
    'protocol violation',
    ['CCS2-ISO2-SERVICE-DETAIL-001'],
    'describes its value-added service in ServiceDetailRes with parameter sets that all carry ParameterSetID 1',
    ['ServiceDetailRes (service *) well-formed'],
  ),
  ccsFault(
    CCS_RESPONSE_FAULT.ignoresCpStateB,
    'safety violation',
    both('CP-EXIT'),
    'keeps delivering current when the vehicle takes CP from C to B during energy transfer',
    ['CP left C: time to < * A from * A'],
  ),
];
