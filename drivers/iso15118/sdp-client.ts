// The vehicle's side of SDP: multicast a request to FF02::1 port 15118 on the link, wait a fixed time
// for the charger's answer, repeat a bounded number of times; both numbers come from the limit profile
// (reference §2.1).

import dgram from 'node:dgram';
import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { decodeSdpResponse, encodeSdpRequest, malformedSdpRecord, SDP_MULTICAST_ADDRESS, SdpTransport } from './sdp-codec.ts';
import type { SdpError, SdpRequest, SdpResponse } from './sdp-codec.ts';
import { hex2, PayloadType, toHex } from './v2gtp.ts';

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
    super(
      `${where}: no valid SDP response after ${requests} requests (${waitMs} ms wait each)${rejected.length ? `; rejected: ${rejected.join('; ')}` : ''}`,
    );
  }
}

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
      o.timeline.record('v2g', source, malformedSdpRecord(err, hex, rinfo.address));
      return;
    }
    o.timeline.record('v2g', source, {
      dir: 'rx',
      protocol: 'SDP',
      payloadType: PayloadType.SdpResponse,
      sdp: res,
      hex,
      from: rinfo.address,
    });
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
      throw new BenchFault(
        `${where}: cannot open the UDP socket (${e.code ?? e.message}); is '${o.interface}' up with ${o.localAddress ?? 'a link-local address'}? (scripts/veth-link.sh status)`,
        source,
        { cause: e },
      );
    });
    try {
      sock.setMulticastInterface(`::%${o.interface}`);
    } catch (e) {
      throw new BenchFault(`${where}: interface '${o.interface}' is not usable for multicast (${(e as Error).message})`, source, {
        cause: e,
      });
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
      o.timeline.record('v2g', source, {
        dir: 'tx',
        protocol: 'SDP',
        payloadType: PayloadType.SdpRequest,
        sdp: { ...req, attempt: requests },
        hex: toHex(request),
        to: group,
      });
      await new Promise<void>((resolve, reject) =>
        sock.send(request, o.serverPort, group, (err) =>
          err
            ? reject(
                new BenchFault(
                  `${where}: cannot send the SDP request (${(err as NodeJS.ErrnoException).code ?? err.message}); is the link up?`,
                  source,
                  { cause: err },
                ),
              )
            : resolve(),
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
