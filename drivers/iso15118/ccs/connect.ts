// The CCS2 vehicle's way from a matched PLC link to a message link: SDP asking the security its bench
// setting and the session's protocols call for (0x00 TLS only for a session that may run -2; DIN has no
// TLS), then TCP or TLS 1.2 as the charger's answer says. ISO 15118-2 lets a charger answer 0x10 to a TLS
// request (TLS is optional there): the vehicle honours that and records it ('sdp-security' on the timeline),
// so a bench that wants TLS sees it was not given. A TLS answer to a vehicle that cannot speak TLS for this
// session ends the connection attempt with a typed error: what the charger said is recorded, nothing is lost.

import type { Clock } from '../../core/clock.ts';
import { InputError } from '../../core/errors.ts';
import type { Limits } from '../../core/limits.ts';
import type { Timeline } from '../../core/timeline.ts';
import { ConnectionMessageLink, type MessageLink } from '../evcc/link.ts';
import { discoverSecc, SdpSecurity } from '../sdp.ts';
import { connectV2g } from '../v2g-client.ts';
import { vehicleIso2Tls } from './tls.ts';

export interface CcsConnectOptions {
  clock: Clock;
  timeline: Timeline;
  source: string;
  interface: string;
  address?: string;
  /** The SDP and TCP/TLS bounds (the iso15118-20 profile, which cites the -2 clauses for them). */
  limits: Limits;
  /** Ask for TLS (the bench wants it and the session may run -2). */
  askTls: boolean;
  /** Where this connection's TLS session keys go (SSLKEYLOGFILE format), when it runs TLS. */
  keylogFile?: string;
  /** PEM files of the V2G root(s) the charger's chain must lead to (default the generated -2 test root). */
  v2gRootFiles?: readonly string[];
}

export interface CcsConnection {
  link: MessageLink;
  /** The connection runs TLS 1.2. */
  tls: boolean;
  /** The key log written for it, when it runs TLS and one was asked for. */
  keylogFile?: string;
}

const label = (security: number) => (security === SdpSecurity.Tls ? 'TLS' : security === SdpSecurity.NoTls ? 'no TLS' : 'unknown');

/** The charger answered SDP with TLS to a vehicle that cannot speak TLS in this session. */
export class SdpSecurityMismatch extends InputError {
  override name = 'SdpSecurityMismatch';
}

export async function connectCcsCharger(o: CcsConnectOptions): Promise<CcsConnection> {
  const at = { clock: o.clock, timeline: o.timeline, source: o.source };
  const requested = o.askTls ? SdpSecurity.Tls : SdpSecurity.NoTls;
  const sdp = await discoverSecc({
    ...at,
    interface: o.interface,
    localAddress: o.address,
    security: requested,
    // The charger's answer decides (ISO 15118-2: TLS is optional); it is recorded below either way.
    acceptOtherSecurity: true,
    waitMs: o.limits.num('sdp.requestWaitMs'),
    maxRequests: o.limits.num('sdp.maxRequests'),
    serverPort: o.limits.num('sdp.serverPort'),
  });
  const tls = sdp.security === SdpSecurity.Tls;
  const honoured = tls ? o.askTls : sdp.security === SdpSecurity.NoTls;
  o.timeline.record('link', o.source, {
    event: 'sdp-security',
    requested: label(requested),
    answered: label(sdp.security),
    ...(o.askTls && !tls ? { note: 'the vehicle asked for TLS and the charger offers none: the session runs without TLS' } : {}),
  });
  if (!honoured)
    throw new SdpSecurityMismatch(
      `the charger answered SDP with security ${label(sdp.security)} (0x${sdp.security.toString(16).padStart(2, '0')}) ` +
        `to a request for ${label(requested)}, which this session cannot speak (DIN SPEC 70121 has no TLS)`,
      `${o.source} SDP`,
    );
  const conn = await connectV2g({
    ...at,
    host: sdp.address,
    port: sdp.port,
    interface: o.interface,
    tls: tls ? await vehicleIso2Tls(o.v2gRootFiles) : undefined,
    keylogFile: tls ? o.keylogFile : undefined,
    timeoutMs: o.limits.num(tls ? 'tls.handshakeTimeoutMs' : 'tcp.connectTimeoutMs'),
  });
  return { link: new ConnectionMessageLink(conn, o.clock, { sdp }), tls, keylogFile: tls ? o.keylogFile : undefined };
}
