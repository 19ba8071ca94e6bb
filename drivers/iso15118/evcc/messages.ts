// The ISO 15118-20 DC message catalogue as both ends of a session see it: which grammar and V2GTP
// payload type each request travels in, which response answers it, and the constants of the MCS
// energy services (reference §1.4, §2.2). Both ends use its codec-level facts (grammar, payload type,
// names); the order of requests (SEQUENCE) is the vehicle's: the emulated SECC keeps its own sequence
// table (emulator/mcs/secc-sequence.ts) so a misreading on one side shows up against the other.
//
// Documents are the codec's JSON object model: `{ RootElementName: content }` (see drivers/exi).

import { numberToRational, rationalToNumber } from '../../exi/rational.ts';
import { PayloadType } from '../v2gtp.ts';

/** EXI grammar a document is coded with: 'app' = supportedAppProtocol, 'cm' = -20 CommonMessages, 'dc' = -20 DC. */
export type Grammar = 'app' | 'cm' | 'dc';

/** A decoded (or to-be-encoded) document: exactly one key, the root element's name. */
export type V2gDoc = Record<string, any>;

export const NAMESPACE_DC = 'urn:iso:std:iso:15118:-20:DC';
export const NAMESPACE_AC = 'urn:iso:std:iso:15118:-20:AC';
export const NAMESPACE_ISO2 = 'urn:iso:15118:2:2013:MsgDef';
export const NAMESPACE_DIN = 'urn:din:70121:2012:MsgDef';

export const GRAMMAR_PAYLOAD_TYPE: Record<Grammar, number> = {
  app: PayloadType.Sap,
  cm: PayloadType.CommonMessages,
  dc: PayloadType.Dc,
};

export function grammarOfPayloadType(t: number): Grammar | undefined {
  if (t === PayloadType.Sap) return 'app';
  if (t === PayloadType.CommonMessages) return 'cm';
  if (t === PayloadType.Dc) return 'dc';
  return undefined;
}

/** Request names (without the 'Req' suffix) of the DC/MCS sequence the vehicle walks, in the order of reference §2.2. */
export const SEQUENCE = [
  'supportedAppProtocol',
  'SessionSetup',
  'AuthorizationSetup',
  'Authorization',
  'ServiceDiscovery',
  'ServiceDetail',
  'ServiceSelection',
  'DC_ChargeParameterDiscovery',
  'ScheduleExchange',
  'DC_CableCheck',
  'DC_PreCharge',
  'PowerDelivery',
  'DC_ChargeLoop',
  'DC_WeldingDetection',
  'SessionStop',
] as const;
export type MessageName = (typeof SEQUENCE)[number];

const DC_MESSAGES = new Set<string>([
  'DC_ChargeParameterDiscovery',
  'DC_CableCheck',
  'DC_PreCharge',
  'DC_ChargeLoop',
  'DC_WeldingDetection',
]);

export function grammarOf(message: string): Grammar {
  if (message === 'supportedAppProtocol') return 'app';
  return DC_MESSAGES.has(message) ? 'dc' : 'cm';
}

export const reqName = (m: string): string => `${m}Req`;
export const resName = (m: string): string => `${m}Res`;

/** 'DC_CableCheckReq' → 'DC_CableCheck'; undefined when the root is not a Req/Res of the catalogue. */
export function messageOfRoot(root: string): { message: string; kind: 'Req' | 'Res' } | undefined {
  const m = /^(.*)(Req|Res)$/.exec(root);
  if (!m) return undefined;
  return { message: m[1], kind: m[2] as 'Req' | 'Res' };
}

/** The single root element name of a document. */
export function rootOf(doc: V2gDoc): string {
  const keys = Object.keys(doc ?? {});
  if (keys.length !== 1) throw new TypeError(`a V2G document has exactly one root element, got [${keys.join(', ')}]`);
  return keys[0];
}

/** Energy transfer service IDs (libiso15118 common_types.hpp; reference §1.4). */
export const ServiceId = {
  AC: 1,
  DC: 2,
  WPT: 3,
  DC_ACDP: 4,
  AC_BPT: 5,
  DC_BPT: 6,
  DC_ACDP_BPT: 7,
  MCS: 8,
  MCS_BPT: 9,
  AC_DER: 10,
  Internet: 65,
  ParkingStatus: 66,
} as const;

/** MCS ServiceDetail parameter names and their allowed integer values (reference §1.4). */
export const McsParameter = {
  Connector: { Mcs: 1, Chaoji: 2, UltraChaoji: 3, rMcs: 4, xMcs: 5, Aviation: 6, Marine: 7 },
  ControlMode: { Scheduled: 1, Dynamic: 2 },
  MobilityNeedsMode: { ProvidedByEvcc: 1, ProvidedBySecc: 2 },
  Pricing: { None: 0, Absolute: 1, Levels: 2 },
  BPTChannel: { Unified: 1, Separated: 2 },
  GeneratorMode: { GridFollowing: 1, GridForming: 2 },
} as const;

/** The parameters every MCS (8) / DC (2) parameter set carries; MCS_BPT (9) adds the BPT ones. */
export const MCS_REQUIRED_PARAMETERS = ['Connector', 'ControlMode', 'MobilityNeedsMode', 'Pricing'] as const;
export const MCS_BPT_REQUIRED_PARAMETERS = [...MCS_REQUIRED_PARAMETERS, 'BPTChannel', 'GeneratorMode'] as const;

export interface ParameterSet {
  ParameterSetID: number;
  Parameter: Array<{ '@Name': string; intValue?: number; [k: string]: unknown }>;
}

/** A parameter set as a plain name → int map (non-int parameters are left out). */
export function parameterMap(set: ParameterSet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of set.Parameter ?? []) if (typeof p.intValue === 'number') out[p['@Name']] = p.intValue;
  return out;
}

/**
 * What is wrong with an MCS parameter set, as a list of readable problems (empty = fine). Checks that
 * each required parameter is present once, is an int, is in its enumeration, and that Scheduled
 * control goes with MobilityNeedsMode 1 (libiso15118 service_detail.cpp forces that pairing).
 */
export function mcsParameterSetProblems(set: ParameterSet, serviceId: number): string[] {
  const problems: string[] = [];
  const required = serviceId === ServiceId.MCS_BPT ? MCS_BPT_REQUIRED_PARAMETERS : MCS_REQUIRED_PARAMETERS;
  const map = parameterMap(set);
  for (const name of required) {
    const n = (set.Parameter ?? []).filter((p) => p['@Name'] === name).length;
    if (n === 0) problems.push(`parameter set ${set.ParameterSetID}: '${name}' missing`);
    else if (n > 1) problems.push(`parameter set ${set.ParameterSetID}: '${name}' given ${n} times`);
    else if (map[name] === undefined) problems.push(`parameter set ${set.ParameterSetID}: '${name}' is not an intValue`);
    else {
      const allowed = Object.values((McsParameter as Record<string, Record<string, number>>)[name]);
      if (!allowed.includes(map[name]))
        problems.push(`parameter set ${set.ParameterSetID}: ${name}=${map[name]} not in {${allowed.join(', ')}}`);
    }
  }
  if (
    map.ControlMode === McsParameter.ControlMode.Scheduled &&
    map.MobilityNeedsMode !== undefined &&
    map.MobilityNeedsMode !== McsParameter.MobilityNeedsMode.ProvidedByEvcc
  )
    problems.push(`parameter set ${set.ParameterSetID}: Scheduled control needs MobilityNeedsMode=1, got ${map.MobilityNeedsMode}`);
  return problems;
}

export interface Rational {
  Exponent: number;
  Value: number;
}

/** value · 10^exponent (NaN for a missing number). */
export function fromRational(r: Rational | undefined): number {
  if (!r) return Number.NaN;
  return rationalToNumber(r);
}

/** The RationalNumber for x: exact with the finest exponent that fits int16 (3.75 MW → {3750, 3}); the EXI codec's rule. */
export function toRational(x: number): Rational {
  return numberToRational(x);
}

/** A RationalNumber as it would be if the sender forgot the exponent: int16-saturated, exponent 0 (a fault). */
export function toRationalNoExponent(x: number): Rational {
  return { Exponent: 0, Value: Math.max(-32768, Math.min(32767, Math.round(x))) };
}

/** 8-byte SessionID as uppercase hex (the codec's hexBinary convention). */
export const ZERO_SESSION_ID = '0000000000000000';
