// Protocol facts the emulated CCS charger (DIN SPEC 70121 and ISO 15118-2 DC, SECC side) answers by: the
// namespaces it negotiates, how a request's body name maps onto one step of the DC sequence, the document
// shape ({ V2G_Message: { Header, Body } }), and PhysicalValue coding (value · 10^Multiplier, int16 value).
// Both standards carry every message, supportedAppProtocol included, in V2GTP payload type 0x8001.

import type { CcsStep as CcsFlowStep } from '../../drivers/iso15118/ccs/protocols.ts';
import { NAMESPACE_DIN, NAMESPACE_ISO2, type V2gDoc } from '../../drivers/iso15118/evcc/messages.ts';

export type CcsProtocol = 'din' | 'iso2';
/** The EXI grammar a frame is coded with: the handshake first, then the negotiated protocol's. */
export type CcsGrammar = 'app' | CcsProtocol;

export const CCS_NAMESPACE: Readonly<Record<CcsProtocol, string>> = { din: NAMESPACE_DIN, iso2: NAMESPACE_ISO2 };
/** Major version of both message sets (DIN SPEC 70121:2014-12 and ISO 15118-2:2014 use 2). */
export const CCS_MAJOR_VERSION = 2;
/** V2GTP payload type of every DIN / -2 message (EXI encoded, ISO 15118-2 Table 10). */
export const CCS_PAYLOAD_TYPE = 0x8001;

/**
 * One step of the DC sequence, whatever its body is called: DIN's ServicePaymentSelection and
 * ContractAuthentication are -2's PaymentServiceSelection and Authorization. The setup steps are the vehicle
 * flow's (after the protocol handshake), then the charge loop and the end.
 */
export type CcsStep = Exclude<CcsFlowStep, 'supportedAppProtocol'> | 'CurrentDemand' | 'WeldingDetection' | 'SessionStop';

const SHARED_STEPS: CcsStep[] = [
  'SessionSetup',
  'ServiceDiscovery',
  'ServiceDetail',
  'ChargeParameterDiscovery',
  'CableCheck',
  'PreCharge',
  'PowerDelivery',
  'CurrentDemand',
  'WeldingDetection',
  'SessionStop',
];

/** Body name (without Req/Res) of each step in each protocol. */
export function bodyName(protocol: CcsProtocol, step: CcsStep): string {
  if (step === 'PaymentSelection') return protocol === 'din' ? 'ServicePaymentSelection' : 'PaymentServiceSelection';
  if (step === 'Authorization') return protocol === 'din' ? 'ContractAuthentication' : 'Authorization';
  return step;
}

/** The step a request body of this protocol is, or undefined for one this DC SECC does not handle. */
export function stepOfBody(protocol: CcsProtocol, body: string): CcsStep | undefined {
  const all: CcsStep[] = [...SHARED_STEPS, 'PaymentSelection', 'Authorization'];
  return all.find((s) => bodyName(protocol, s) === body);
}

/** A V2G_Message document with this header SessionID and one body element. */
export function v2gMessage(sessionId: string, body: string, content: Record<string, unknown>): V2gDoc {
  return { V2G_Message: { Header: { SessionID: sessionId }, Body: { [body]: content } } };
}

/** The body element name and content of a V2G_Message document (undefined when it is not one). */
export function bodyOf(doc: V2gDoc): { name: string; content: Record<string, any>; sessionId: string } | undefined {
  const msg = doc?.V2G_Message;
  const keys = Object.keys(msg?.Body ?? {});
  if (!msg || keys.length !== 1) return undefined;
  return { name: keys[0], content: msg.Body[keys[0]] ?? {}, sessionId: String(msg.Header?.SessionID ?? '') };
}

export interface PhysicalValue {
  Multiplier: number;
  Unit?: string;
  Value: number;
}

/** x as a PhysicalValue: the finest multiplier (from 0.1 up to 10^3) whose value fits int16. */
export function physical(x: number, unit: string): PhysicalValue {
  const v = Number.isFinite(x) ? x : 0;
  for (let m = -1; m < 3; m++) {
    const value = Math.round(v / 10 ** m);
    if (Math.abs(value) <= 32767) return { Multiplier: m, Unit: unit, Value: value };
  }
  return { Multiplier: 3, Unit: unit, Value: Math.max(-32768, Math.min(32767, Math.round(v / 1000))) };
}

/** A PhysicalValue as a number (NaN when absent). */
export function fromPhysical(p: PhysicalValue | undefined): number {
  if (!p || typeof p.Value !== 'number') return Number.NaN;
  return p.Value * 10 ** (p.Multiplier ?? 0);
}

/** A header SessionID that asks for a new session: absent or all zero ('00' in DIN and -2 alike). */
export function isZeroSessionId(id: string): boolean {
  return /^0*$/.test(id);
}
