// The charger's side of SDP (used by the emulated charger): answer each request on the link with our
// address and port, with hooks that make it misbehave on purpose (the emulator's fault switches).

import dgram from 'node:dgram';
import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { decodeSdpRequest, encodeSdpResponse, malformedSdpRecord, SDP_MULTICAST_ADDRESS, SdpTransport } from './sdp-codec.ts';
import type { SdpError, SdpRequest, SdpResponse } from './sdp-codec.ts';
import { PayloadType, toHex } from './v2gtp.ts';

/** Misbehaviour hooks for the emulated charger (fault switches map onto these). */
export interface SdpServerBehaviour {
  /** Ignore the first N requests (Infinity: never answer). */
  ignoreRequests?: number;
  /** Ignore the first request of each discovery (the one after an answered request, or the very first). */
  ignoreFirstOfEachDiscovery?: boolean;
  /** While this names a reason (a session held on the connector), requests go unanswered, as a busy charger does. */
  busy?: () => string | undefined;
  /** Answer after this many clock ms. */
  delayMs?: number;
  /** Override fields of the otherwise correct response (wrong port, security, address …). */
  override?: Partial<SdpResponse>;
  /** Replace the whole datagram (malformed V2GTP, wrong payload type, wrong length …). */
  rawResponse?: (correct: Uint8Array) => Uint8Array;
}

export interface SdpServerOptions {
  clock: Clock;
  timeline: Timeline;
  source?: string;
  /** Interface to serve on ('mcs-evse0'); requests arriving on other interfaces are not seen. */
  interface: string;
  /** What we announce: our link-local address (no scope) and TCP/TLS port. */
  address: string;
  port: number;
  /** Security we offer; `answerRequested` answers with whatever the vehicle asked for (when we support both). */
  security: number | 'answerRequested';
  /** The port announced with each security, where TLS and TCP listen apart (-2 chargers offering both); default `port`. */
  portFor?: (security: number) => number;
  serverPort: number;
  behaviour?: SdpServerBehaviour;
}

export class SdpServer {
  private sock: dgram.Socket | undefined;
  private seen = 0;
  private answeredLast = true;
  behaviour: SdpServerBehaviour;

  constructor(private readonly o: SdpServerOptions) {
    this.behaviour = o.behaviour ?? {};
  }

  /** Requests received so far (valid or not). */
  get requestsSeen(): number {
    return this.seen;
  }

  async start(): Promise<void> {
    const source = this.o.source ?? 'secc';
    const sock = dgram.createSocket({ type: 'udp6', reuseAddr: true });
    sock.on('message', (msg, rinfo) => this.onRequest(sock, msg, rinfo, source));
    sock.on('error', (e) => this.o.timeline.record('link', source, { event: 'sdp-error', error: e.message }));
    // Binding to the scoped multicast group binds the socket to the interface (Linux sets the bound
    // device from the scope id): with both veth ends in one namespace we only see requests that really
    // crossed the link to our end.
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ port: this.o.serverPort, address: `${SDP_MULTICAST_ADDRESS}%${this.o.interface}`, exclusive: false }, () => {
        sock.off('error', reject);
        resolve();
      });
    }).catch((e: NodeJS.ErrnoException) => {
      throw new BenchFault(
        `SDP server on ${this.o.interface}: cannot bind UDP port ${this.o.serverPort} (${e.code ?? e.message}); is the link up? (scripts/veth-link.sh status)`,
        source,
        { cause: e },
      );
    });
    this.sock = sock;
    this.o.timeline.record('link', source, {
      event: 'sdp-listen',
      interface: this.o.interface,
      port: this.o.serverPort,
      announces: `[${this.o.address}]:${this.o.port}`,
    });
  }

  private onRequest(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo, source: string): void {
    this.seen++;
    const hex = msg.toString('hex');
    let req: SdpRequest;
    try {
      req = decodeSdpRequest(new Uint8Array(msg), `SDP request from [${rinfo.address}]:${rinfo.port}`);
    } catch (e) {
      const err = e as SdpError;
      // A request we cannot read is dropped without an answer.
      this.o.timeline.record('v2g', source, malformedSdpRecord(err, hex, rinfo.address));
      return;
    }
    this.o.timeline.record('v2g', source, {
      dir: 'rx',
      protocol: 'SDP',
      payloadType: PayloadType.SdpRequest,
      sdp: req,
      hex,
      from: rinfo.address,
    });
    const b = this.behaviour;
    const firstOfDiscovery = b.ignoreFirstOfEachDiscovery && this.answeredLast;
    const busy = b.busy?.();
    const faultHook = this.seen <= (b.ignoreRequests ?? 0);
    const why = faultHook ? 'fault hook ignoreRequests' : busy ? `busy: ${busy}` : firstOfDiscovery ? 'first request of a discovery' : '';
    this.answeredLast = why === '';
    if (why) return void this.o.timeline.record('session', source, { event: 'sdp-request-ignored', request: this.seen, why });
    const security = this.o.security === 'answerRequested' ? req.security : this.o.security;
    const res: SdpResponse = {
      address: this.o.address,
      port: this.o.portFor?.(security) ?? this.o.port,
      security,
      transport: SdpTransport.Tcp,
      ...b.override,
    };
    let bytes = encodeSdpResponse(res);
    if (b.rawResponse) bytes = b.rawResponse(bytes);
    const send = () => {
      if (!this.sock) return;
      this.o.timeline.record('v2g', source, {
        dir: 'tx',
        protocol: 'SDP',
        payloadType: PayloadType.SdpResponse,
        sdp: res,
        hex: toHex(bytes),
        to: rinfo.address,
      });
      sock.send(bytes, rinfo.port, rinfo.address);
    };
    if (b.delayMs) this.o.clock.setTimer(b.delayMs, send);
    else send();
  }

  async close(): Promise<void> {
    const s = this.sock;
    this.sock = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
