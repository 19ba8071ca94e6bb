// The two CCS protocols the truck's CCS2 port speaks after SLAC, DIN SPEC 70121 and ISO 15118-2 (both DC,
// EIM), as the vehicle sees them: the namespaces it offers in supportedAppProtocolReq, the names under which
// each protocol spells the same step (payment selection, authorization), and the order of the DC flow.
// Every message of both travels as V2GTP payload type 0x8001 (reference: ISO 15118-2 Table 10).

import { NAMESPACE_DC, NAMESPACE_DIN, NAMESPACE_ISO2 } from '../evcc/messages.ts';

export type CcsProtocol = 'din' | 'iso2';
/** What the vehicle may offer: the two CCS protocols, and -20 DC where the bench's vehicle can also run it. */
export type OfferedProtocol = CcsProtocol | 'iso20-dc';

export const PROTOCOL_NAMES: Record<CcsProtocol, string> = { din: 'DIN SPEC 70121', iso2: 'ISO 15118-2' };

const NAMESPACES: Record<OfferedProtocol, { ns: string; major: number; minor: number }> = {
  iso2: { ns: NAMESPACE_ISO2, major: 2, minor: 0 },
  din: { ns: NAMESPACE_DIN, major: 2, minor: 0 },
  'iso20-dc': { ns: NAMESPACE_DC, major: 1, minor: 0 },
};

export interface AppProtocolOffer {
  ProtocolNamespace: string;
  VersionNumberMajor: number;
  VersionNumberMinor: number;
  SchemaID: number;
  Priority: number;
}

/** supportedAppProtocolReq entries in the vehicle's order of preference (Priority 1 = most wanted; SchemaID = index). */
export function appProtocolOffers(preference: readonly OfferedProtocol[]): AppProtocolOffer[] {
  return preference.map((p, i) => ({
    ProtocolNamespace: NAMESPACES[p].ns,
    VersionNumberMajor: NAMESPACES[p].major,
    VersionNumberMinor: NAMESPACES[p].minor,
    SchemaID: i + 1,
    Priority: i + 1,
  }));
}

/** Which of our offers a SchemaID in supportedAppProtocolRes selected. */
export function selectedProtocol(preference: readonly OfferedProtocol[], schemaId: unknown): OfferedProtocol | undefined {
  return typeof schemaId === 'number' ? preference[schemaId - 1] : undefined;
}

/** The steps of the DC flow both protocols share, each under the name the protocol gives its request. */
export type CcsStep =
  | 'supportedAppProtocol'
  | 'SessionSetup'
  | 'ServiceDiscovery'
  | 'ServiceDetail'
  | 'PaymentSelection'
  | 'Authorization'
  | 'ChargeParameterDiscovery'
  | 'CableCheck'
  | 'PreCharge'
  | 'PowerDelivery';

export const CCS_FLOW: readonly CcsStep[] = [
  'supportedAppProtocol',
  'SessionSetup',
  'ServiceDiscovery',
  'ServiceDetail',
  'PaymentSelection',
  'Authorization',
  'ChargeParameterDiscovery',
  'CableCheck',
  'PreCharge',
  'PowerDelivery',
];

/** The request name (without 'Req') of a step in a protocol; undefined where the protocol has no such step. */
export function requestName(protocol: CcsProtocol, step: CcsStep): string | undefined {
  if (step === 'PaymentSelection') return protocol === 'din' ? 'ServicePaymentSelection' : 'PaymentServiceSelection';
  if (step === 'Authorization') return protocol === 'din' ? 'ContractAuthentication' : 'Authorization';
  if (step === 'ServiceDetail') return protocol === 'din' ? undefined : 'ServiceDetail';
  return step;
}

/** The limit profile of a protocol (fixtures/limits). */
export const LIMIT_PROFILE: Record<CcsProtocol, string> = { din: 'din70121', iso2: 'iso15118-2' };
