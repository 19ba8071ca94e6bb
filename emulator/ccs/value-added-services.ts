// The value-added service the emulated CCS charger offers besides charging, ISO 15118-2 only (DIN 70121 has no
// ServiceDetail): Internet access, listed in ServiceDiscoveryRes (ServiceList) and described in ServiceDetailRes by
// its parameter sets, one per protocol and port, written from ISO 15118-2:2014 8.6.3.6 (Internet service
// parameters: ftp 20 / ftp 21 / http 80 / https 443). The charge service's ServiceDetailRes carries no parameter
// list (optional in -2: a DC charge service has nothing to choose). Fault ccs-service-detail-malformed:
// ./response-faults.ts.

import { CHARGE_SERVICE_ID } from './ccs-responses.ts';
import type { CcsProtocol } from './ccs-protocol.ts';

/** ISO 15118-2 ServiceID of the Internet access service. */
export const INTERNET_SERVICE_ID = 3;

interface ParameterSet {
  ParameterSetID: number;
  Parameter: { '@Name': string; stringValue?: string; intValue?: number }[];
}

const INTERNET_PARAMETER_SETS: ParameterSet[] = [
  ['ftp', 20],
  ['ftp', 21],
  ['http', 80],
  ['https', 443],
].map(([protocol, port], i) => ({
  ParameterSetID: i + 1,
  Parameter: [
    { '@Name': 'Protocol', stringValue: protocol as string },
    { '@Name': 'Port', intValue: port as number },
  ],
}));

/** ServiceDiscoveryRes' ServiceList for the protocol (none in DIN). */
export function offeredServiceList(protocol: CcsProtocol): Record<string, unknown> {
  if (protocol !== 'iso2') return {};
  return { ServiceList: { Service: [{ ServiceID: INTERNET_SERVICE_ID, ServiceCategory: 'Internet', FreeService: true }] } };
}

/** A service this charger describes in ServiceDetailRes: the charge service, and -2's value-added one. */
export function isOfferedService(protocol: CcsProtocol, serviceId: number): boolean {
  return serviceId === CHARGE_SERVICE_ID || (protocol === 'iso2' && serviceId === INTERNET_SERVICE_ID);
}

/** ServiceDetailRes content (besides ResponseCode) for a service asked about. */
export function serviceDetailContent(serviceId: unknown): Record<string, unknown> {
  const id = Number.isInteger(serviceId) ? (serviceId as number) : CHARGE_SERVICE_ID;
  if (id !== INTERNET_SERVICE_ID) return { ServiceID: id };
  return { ServiceID: id, ServiceParameterList: { ParameterSet: INTERNET_PARAMETER_SETS.map((s) => structuredClone(s)) } };
}
