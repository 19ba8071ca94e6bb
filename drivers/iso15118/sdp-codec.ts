// The SECC Discovery Protocol's two messages (reference §2.1): the request (V2GTP 0x9000, 2 bytes:
// security, transport) and the response (0x9001, 20 bytes: the charger's link-local address, TCP port,
// security, transport). Encode strictly, decode strict about structure and tolerant about values.

import { ReasonedInputError } from '../core/errors.ts';
import { bytesToIpv6, ipv6ToBytes } from './ipv6-text.ts';
import { decodeV2gtp, encodeV2gtp, hex2, PayloadType, V2gtpError } from './v2gtp.ts';

export const SDP_MULTICAST_ADDRESS = 'ff02::1';

export const SdpSecurity = { Tls: 0x00, NoTls: 0x10 } as const;
export const SdpTransport = { Tcp: 0x00, Udp: 0x10 } as const;

export interface SdpRequest {
  security: number;
  transport: number;
}

export interface SdpResponse {
  /** The charger's IPv6 address as text, without scope ('fe80::1'). */
  address: string;
  port: number;
  security: number;
  transport: number;
}

export type SdpErrorReason = 'wrong-payload-type' | 'wrong-length' | 'bad-value' | 'v2gtp';

export class SdpError extends ReasonedInputError<SdpErrorReason> {
  override name = 'SdpError';
  constructor(reason: SdpErrorReason, message: string, where = 'SDP') {
    super(reason, message, where);
  }
}

export function encodeSdpRequest(req: SdpRequest): Uint8Array {
  return encodeV2gtp(PayloadType.SdpRequest, new Uint8Array([req.security & 0xff, req.transport & 0xff]));
}

export function encodeSdpResponse(res: SdpResponse): Uint8Array {
  const payload = new Uint8Array(20);
  payload.set(ipv6ToBytes(res.address), 0);
  payload[16] = (res.port >> 8) & 0xff;
  payload[17] = res.port & 0xff;
  payload[18] = res.security & 0xff;
  payload[19] = res.transport & 0xff;
  return encodeV2gtp(PayloadType.SdpResponse, payload);
}

/** Decode an SDP request datagram (for the charger side). */
export function decodeSdpRequest(datagram: Uint8Array, where = 'SDP request'): SdpRequest {
  const f = decodeFrame(datagram, where);
  if (f.payloadType !== PayloadType.SdpRequest)
    throw new SdpError('wrong-payload-type', `payload type 0x${f.payloadType.toString(16)}, expected 0x9000`, where);
  if (f.payload.length !== 2) throw new SdpError('wrong-length', `payload of ${f.payload.length} bytes, expected 2`, where);
  return { security: f.payload[0], transport: f.payload[1] };
}

/**
 * Decode an SDP response datagram. Strict about the structure (type 0x9001, 20 bytes: anything else
 * cannot be used), tolerant about values: `issues` lists what a suite may want to judge (port outside
 * 49152–65535, address not link-local, unknown security/transport codes).
 */
export function decodeSdpResponse(datagram: Uint8Array, where = 'SDP response'): SdpResponse & { issues: string[] } {
  const f = decodeFrame(datagram, where);
  if (f.payloadType !== PayloadType.SdpResponse)
    throw new SdpError('wrong-payload-type', `payload type 0x${f.payloadType.toString(16)}, expected 0x9001`, where);
  if (f.payload.length !== 20) throw new SdpError('wrong-length', `payload of ${f.payload.length} bytes, expected 20`, where);
  const p = f.payload;
  const address = bytesToIpv6(p.subarray(0, 16));
  const port = (p[16] << 8) | p[17];
  const res = { address, port, security: p[18], transport: p[19] };
  const issues: string[] = [];
  if (!address.startsWith('fe80:')) issues.push(`address ${address} is not link-local (fe80::/10)`);
  if (port < 49152) issues.push(`port ${port} is outside 49152–65535`);
  if (port === 0) issues.push('port 0');
  if (res.security !== SdpSecurity.Tls && res.security !== SdpSecurity.NoTls) issues.push(`unknown security 0x${hex2(res.security)}`);
  if (res.transport !== SdpTransport.Tcp) issues.push(`transport 0x${hex2(res.transport)} is not TCP (0x00)`);
  return { ...res, issues };
}

function decodeFrame(datagram: Uint8Array, where: string) {
  try {
    return decodeV2gtp(datagram, { where, maxPayload: 64 });
  } catch (e) {
    if (e instanceof V2gtpError) throw new SdpError('v2gtp', e.message, where);
    throw e;
  }
}

/** The timeline record of an SDP datagram that could not be read (either side), for the evidence. */
export function malformedSdpRecord(err: SdpError, hex: string, from: string): Record<string, unknown> {
  return { dir: 'rx', protocol: 'SDP', malformed: true, reason: err.reason, error: err.message, hex, from };
}
