// SECC Discovery Protocol (SDP): the vehicle multicasts an SDP request (V2GTP 0x9000, 2 bytes: security,
// transport) to FF02::1 port 15118 on the link and the charger answers (0x9001, 20 bytes: its link-local
// address, TCP port, security, transport). The EVCC waits a fixed time per request and gives up after a
// bounded number of requests; both numbers come from the limit profile (reference §2.1).
//
// Client (the vehicle) and server (the emulated charger, with fault hooks) live here together because
// they share the message codec.

import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Clock } from '../core/clock.ts';
import { BenchFault, InputError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { decodeV2gtp, encodeV2gtp, PayloadType, toHex, V2gtpError } from './v2gtp.ts';

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

export class SdpError extends InputError {
  override name = 'SdpError';
  constructor(
    readonly reason: SdpErrorReason,
    message: string,
    where = 'SDP',
  ) {
    super(`${reason}: ${message}`, where);
  }
}

/** The charger never answered: every request of the bounded series went unanswered. */
export class SdpNoResponse extends Error {
  override name = 'SdpNoResponse';
  constructor(
    readonly requests: number,
    readonly waitMs: number,
    readonly where: string,
    /** Responses received but rejected (malformed, wrong security …), for the evidence. */
    readonly rejected: string[],
  ) {
    super(`${where}: no valid SDP response after ${requests} requests (${waitMs} ms wait each)${rejected.length ? `; rejected: ${rejected.join('; ')}` : ''}`);
  }
}

// ------------------------------------------------------------------------------------------------ codec

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
  if (f.payloadType !== PayloadType.SdpRequest) throw new SdpError('wrong-payload-type', `payload type 0x${f.payloadType.toString(16)}, expected 0x9000`, where);
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
  if (f.payloadType !== PayloadType.SdpResponse) throw new SdpError('wrong-payload-type', `payload type 0x${f.payloadType.toString(16)}, expected 0x9001`, where);
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

export function ipv6ToBytes(text: string): Uint8Array {
  const addr = text.split('%')[0];
  if (!isIPv6(addr)) throw new RangeError(`not an IPv6 address: ${text}`);
  const groupsOf = (part: string): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        // Embedded IPv4 (::ffff:192.0.2.1) takes two groups.
        const o = g.split('.').map(Number);
        out.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const hs = groupsOf(head);
  const ts = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? hs : [...hs, ...Array<number>(8 - hs.length - ts.length).fill(0), ...ts];
  const out = new Uint8Array(16);
  groups.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** RFC 5952 text form (lower case, longest zero run compressed). */
export function bytesToIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

// ----------------------------------------------------------------------------------------------- client

export interface SdpDiscoverOptions {
  clock: Clock;
  timeline: Timeline;
  source?: string;
  /** Interface the link is on ('mcs-ev0'). */
  interface: string;
  /** Our link-local address on it; default: any (the kernel picks). */
  localAddress?: string;
  security: number;
  transport?: number;
  /** limits sdp.requestWaitMs. */
  waitMs: number;
  /** limits sdp.maxRequests. */
  maxRequests: number;
  /** Port the charger listens on (limits sdp.serverPort, 15118). */
  serverPort: number;
  /** Multicast group; default FF02::1. */
  group?: string;
  /** Accept a response whose security differs from the request (default false: keep asking). */
  acceptOtherSecurity?: boolean;
  signal?: AbortSignal;
}

export interface SdpDiscovery extends SdpResponse {
  issues: string[];
  /** How many requests were sent. */
  requests: number;
  /** From sending the request that was answered to the answer (clock ms). */
  responseTimeMs: number;
  /** The datagram as received, for the evidence. */
  hex: string;
}

/**
 * Discover the charger: send SDP requests, wait `waitMs` on the clock for a valid answer after each,
 * stop after `maxRequests`. Malformed or mismatching answers are recorded and ignored (the EVCC keeps
 * asking, as a real vehicle would). Throws SdpNoResponse when nothing valid came.
 */
export async function discoverSecc(o: SdpDiscoverOptions): Promise<SdpDiscovery> {
  const source = o.source ?? 'evcc';
  const group = `${o.group ?? SDP_MULTICAST_ADDRESS}%${o.interface}`;
  const where = `${source} SDP on ${o.interface}`;
  const req: SdpRequest = { security: o.security, transport: o.transport ?? SdpTransport.Tcp };
  const request = encodeSdpRequest(req);
  const sock = dgram.createSocket({ type: 'udp6' });
  const rejected: string[] = [];
  let waiting: ((r: SdpDiscovery) => void) | undefined;
  let sentAt = 0;
  let requests = 0;
  sock.on('message', (msg, rinfo) => {
    const hex = msg.toString('hex');
    let res: SdpResponse & { issues: string[] };
    try {
      res = decodeSdpResponse(new Uint8Array(msg), `${where} from [${rinfo.address}]:${rinfo.port}`);
    } catch (e) {
      const err = e as SdpError;
      rejected.push(err.message);
      o.timeline.record('v2g', source, { dir: 'rx', protocol: 'SDP', malformed: true, reason: err.reason, error: err.message, hex, from: rinfo.address });
      return;
    }
    o.timeline.record('v2g', source, { dir: 'rx', protocol: 'SDP', payloadType: PayloadType.SdpResponse, sdp: res, hex, from: rinfo.address });
    if (res.security !== req.security && !o.acceptOtherSecurity) {
      rejected.push(`security 0x${hex2(res.security)} does not match the requested 0x${hex2(req.security)}`);
      return;
    }
    waiting?.({ ...res, requests, responseTimeMs: (o.clock.now() - sentAt) / 1e6, hex });
  });
  sock.on('error', () => undefined); // send errors are reported through send's callback
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ port: 0, address: o.localAddress ? `${o.localAddress}%${o.interface}` : '::' }, () => {
        sock.off('error', reject);
        resolve();
      });
    }).catch((e: NodeJS.ErrnoException) => {
      throw new BenchFault(`${where}: cannot open the UDP socket (${e.code ?? e.message}); is '${o.interface}' up with ${o.localAddress ?? 'a link-local address'}? (scripts/veth-link.sh status)`, source, { cause: e });
    });
    try {
      sock.setMulticastInterface(`::%${o.interface}`);
    } catch (e) {
      throw new BenchFault(`${where}: interface '${o.interface}' is not usable for multicast (${(e as Error).message})`, source, { cause: e });
    }
    sock.setMulticastLoopback(false);
    for (requests = 1; requests <= o.maxRequests; requests++) {
      if (o.signal?.aborted) throw o.signal.reason;
      const answered = new Promise<SdpDiscovery | undefined>((resolve) => {
        waiting = resolve;
        // An answer read during a stall of this process counts before the wait is judged over (connection.ts).
        const t = o.clock.setTimer(o.waitMs, () => setImmediate(() => resolve(undefined)));
        o.signal?.addEventListener('abort', () => (t.cancel(), resolve(undefined)), { once: true });
      });
      sentAt = o.clock.now();
      o.timeline.record('v2g', source, { dir: 'tx', protocol: 'SDP', payloadType: PayloadType.SdpRequest, sdp: { ...req, attempt: requests }, hex: toHex(request), to: group });
      await new Promise<void>((resolve, reject) =>
        sock.send(request, o.serverPort, group, (err) =>
          err ? reject(new BenchFault(`${where}: cannot send the SDP request (${(err as NodeJS.ErrnoException).code ?? err.message}); is the link up?`, source, { cause: err })) : resolve(),
        ),
      );
      const got = await answered;
      waiting = undefined;
      if (got) return got;
    }
    throw new SdpNoResponse(o.maxRequests, o.waitMs, where, rejected);
  } finally {
    sock.close();
  }
}

// ----------------------------------------------------------------------------------------------- server

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
      throw new BenchFault(`SDP server on ${this.o.interface}: cannot bind UDP port ${this.o.serverPort} (${e.code ?? e.message}); is the link up? (scripts/veth-link.sh status)`, source, { cause: e });
    });
    this.sock = sock;
    this.o.timeline.record('link', source, { event: 'sdp-listen', interface: this.o.interface, port: this.o.serverPort, announces: `[${this.o.address}]:${this.o.port}` });
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
      this.o.timeline.record('v2g', source, { dir: 'rx', protocol: 'SDP', malformed: true, reason: err.reason, error: err.message, hex, from: rinfo.address });
      return;
    }
    this.o.timeline.record('v2g', source, { dir: 'rx', protocol: 'SDP', payloadType: PayloadType.SdpRequest, sdp: req, hex, from: rinfo.address });
    const b = this.behaviour;
    const firstOfDiscovery = b.ignoreFirstOfEachDiscovery && this.answeredLast;
    const busy = b.busy?.();
    const faultHook = this.seen <= (b.ignoreRequests ?? 0);
    const why = faultHook ? 'fault hook ignoreRequests' : busy ? `busy: ${busy}` : firstOfDiscovery ? 'first request of a discovery' : '';
    this.answeredLast = why === '';
    if (why) return void this.o.timeline.record('session', source, { event: 'sdp-request-ignored', request: this.seen, why });
    const res: SdpResponse = {
      address: this.o.address,
      port: this.o.port,
      security: this.o.security === 'answerRequested' ? req.security : this.o.security,
      transport: SdpTransport.Tcp,
      ...b.override,
    };
    let bytes = encodeSdpResponse(res);
    if (b.rawResponse) bytes = b.rawResponse(bytes);
    const send = () => {
      if (!this.sock) return;
      this.o.timeline.record('v2g', source, { dir: 'tx', protocol: 'SDP', payloadType: PayloadType.SdpResponse, sdp: res, hex: toHex(bytes), to: rinfo.address });
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

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
