// The emulated SECC's answer to supportedAppProtocolReq: the offered -20 DC namespace of major version 1
// with the best priority; OK_SuccessfulNegotiation for an exact 1.0, WithMinorDeviation otherwise; nothing it
// supports → Failed_NoNegotiation. Faults: accepts-unsupported-app-protocol (takes the first offer anyway),
// wrong-response-code (claims a minor deviation for an exact match).

import { NAMESPACE_DC } from '../../drivers/iso15118/evcc/messages.ts';

export interface AppProtocolAnswer {
  code: 'OK_SuccessfulNegotiation' | 'OK_SuccessfulNegotiationWithMinorDeviation' | 'Failed_NoNegotiation';
  schemaId?: number;
  note?: string;
}

export function appProtocolAnswer(body: Record<string, any>, faults: ReadonlySet<string>): AppProtocolAnswer {
  const offers: any[] = Array.isArray(body.AppProtocol) ? body.AppProtocol : [];
  const dc = offers.filter((p) => p.ProtocolNamespace === NAMESPACE_DC && p.VersionNumberMajor === 1);
  const ours = dc.sort((a, b) => a.Priority - b.Priority)[0];
  if (!ours) {
    if (faults.has('accepts-unsupported-app-protocol') && offers.length > 0)
      return { code: 'OK_SuccessfulNegotiation', schemaId: offers[0].SchemaID, note: 'fault: accepted an unsupported protocol' };
    return { code: 'Failed_NoNegotiation', note: 'no supported protocol offered' };
  }
  const exact = ours.VersionNumberMinor === 0 && !faults.has('wrong-response-code');
  return { code: exact ? 'OK_SuccessfulNegotiation' : 'OK_SuccessfulNegotiationWithMinorDeviation', schemaId: ours.SchemaID };
}
