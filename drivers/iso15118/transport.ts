// One-call set-ups of the whole transport for each side, numbers from the limit profile:
//   vehicle: SDP discovery → TCP → TLS 1.3 (when the charger offers it) → a V2gConnection;
//   charger: TCP/TLS listener + SDP server announcing it.
// The session engines use these; tests that need one step at a time use sdp.ts / v2g-client.ts / v2g-server.ts.

import type { Clock } from '../core/clock.ts';
import type { Limits } from '../core/limits.ts';
import type { Timeline } from '../core/timeline.ts';
import type { FrameDecorator, V2gConnection } from './connection.ts';
import type { TlsClientSettings, TlsServerSettings } from './tls-policy.ts';
import { connectV2g } from './v2g-client.ts';
import { V2gServer } from './v2g-server.ts';
import { discoverSecc, SdpSecurity, SdpServer, type SdpDiscovery, type SdpServerBehaviour } from './sdp.ts';

export interface EvTransportOptions {
  clock: Clock;
  timeline: Timeline;
  /** Profile with sdp.* and tls.* / tcp.* limits (iso15118-20). */
  limits: Limits;
  /** The vehicle's interface ('mcs-ev0'). */
  interface: string;
  /** TLS settings; when omitted the vehicle asks for no-TLS (SDP security 0x10). */
  tls?: TlsClientSettings;
  keylogFile?: string;
  decorate?: FrameDecorator;
  source?: string;
  /** Override the SDP request count (negative tests); default limits sdp.maxRequests. */
  maxSdpRequests?: number;
  signal?: AbortSignal;
}

export interface EvTransport {
  discovery: SdpDiscovery;
  connection: V2gConnection;
}

export async function openEvTransport(o: EvTransportOptions): Promise<EvTransport> {
  // Every part of the transport runs on the same clock and records under the same source.
  const at = { clock: o.clock, timeline: o.timeline, source: o.source ?? 'evcc' };
  const discovery = await discoverSecc({
    ...at,
    interface: o.interface,
    security: o.tls ? SdpSecurity.Tls : SdpSecurity.NoTls,
    waitMs: o.limits.num('sdp.requestWaitMs'),
    maxRequests: o.maxSdpRequests ?? o.limits.num('sdp.maxRequests'),
    serverPort: o.limits.num('sdp.serverPort'),
    signal: o.signal,
  });
  const connection = await connectV2g({
    ...at,
    host: discovery.address,
    port: discovery.port,
    interface: o.interface,
    tls: discovery.security === SdpSecurity.Tls ? o.tls : undefined,
    keylogFile: o.keylogFile,
    decorate: o.decorate,
    maxPayload: o.limits.has('v2gtp.maxPayloadBytes') ? o.limits.num('v2gtp.maxPayloadBytes') : undefined,
    timeoutMs: o.tls ? o.limits.num('tls.handshakeTimeoutMs') : o.limits.num('tcp.connectTimeoutMs'),
  });
  return { discovery, connection };
}

export interface SeccTransportOptions {
  clock: Clock;
  timeline: Timeline;
  limits: Limits;
  /** The charger's interface ('mcs-evse0') and its link-local address there ('fe80::1'). */
  interface: string;
  address: string;
  /** TCP/TLS port; 0 = a free one in 49152–65535. */
  port?: number;
  /** TLS server settings; omit for a TCP-only charger. */
  tls?: TlsServerSettings;
  keylogFile?: string;
  decorate?: FrameDecorator;
  sdpBehaviour?: SdpServerBehaviour;
  source?: string;
}

export interface SeccTransport {
  server: V2gServer;
  sdp: SdpServer;
  port: number;
  close(): Promise<void>;
}

/** Listen for V2G connections and announce them via SDP. Listen on 'connection' of `server`. */
export async function startSeccTransport(o: SeccTransportOptions): Promise<SeccTransport> {
  // Every part of the transport runs on the same clock and records under the same source.
  const at = { clock: o.clock, timeline: o.timeline, source: o.source ?? 'secc' };
  const server = new V2gServer({
    ...at,
    address: o.address,
    interface: o.interface,
    port: o.port ?? 0,
    tls: o.tls,
    keylogFile: o.keylogFile,
    decorate: o.decorate,
    maxPayload: o.limits.has('v2gtp.maxPayloadBytes') ? o.limits.num('v2gtp.maxPayloadBytes') : undefined,
  });
  const port = await server.listen();
  const sdp = new SdpServer({
    ...at,
    interface: o.interface,
    address: o.address,
    port,
    security: o.tls ? SdpSecurity.Tls : SdpSecurity.NoTls,
    serverPort: o.limits.num('sdp.serverPort'),
    behaviour: o.sdpBehaviour,
  });
  try {
    await sdp.start();
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    sdp,
    port,
    async close() {
      await sdp.close();
      await server.close();
    },
  };
}
