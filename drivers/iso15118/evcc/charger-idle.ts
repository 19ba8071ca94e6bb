// The precondition of every ISO 15118 test against a real charger: the charger is idle and answers a new
// session. After a test that broke a session (or a vehicle that vanished), a charger may hold the old
// session until its V2G_SECC_Sequence_Timeout and then wait 5 s more [V2G20-1633], answering no SDP
// meanwhile. So: use the bench's reset means where it has one (a CE unplug cycle: A, then back to B),
// then ask SDP until it answers, bounded by the sequence timeout plus a margin from the limit profile.

import type { Clock } from '../../core/clock.ts';
import { BenchFault } from '../../core/errors.ts';
import type { Limits } from '../../core/limits.ts';
import type { CeIdPilot } from '../../pilot/ce-id.ts';
import { SdpNoResponse, type SdpDiscovery } from '../sdp.ts';

/** How long CE stays at A in the unplug cycle: long enough for a charger to see the vehicle gone. */
const UNPLUG_HOLD_MS = 200;

export interface IdleProbe {
  clock: Clock;
  limits: Limits;
  /** The charger's sequence timeout as this bench knows it (limit profile or bench override). */
  sequenceTimeoutMs: number;
  pilot?: CeIdPilot;
  /** One SDP discovery with at most this many requests (throws SdpNoResponse when unanswered). */
  discover(maxRequests: number): Promise<SdpDiscovery>;
  /** Who waits, for the BenchFault. */
  source: string;
}

/** Resolve with what was done once the charger answers SDP; BenchFault when it does not within the bound. */
export async function awaitIdleCharger(p: IdleProbe, previousTest: string): Promise<string> {
  const boundMs = p.sequenceTimeoutMs + p.limits.num('evcc.chargerIdleMarginMs');
  const waitMs = p.limits.num('sdp.requestWaitMs');
  const t0 = p.clock.nowMs();
  const did: string[] = [];
  if (p.pilot) {
    await p.pilot.setCe('A');
    await p.clock.sleep(UNPLUG_HOLD_MS);
    await p.pilot.setCe('B');
    did.push(`CE unplug cycle (A for ${UNPLUG_HOLD_MS} ms, back to B)`);
  }
  let requests = 0;
  for (;;) {
    const left = boundMs - (p.clock.nowMs() - t0);
    const max = Math.max(1, Math.min(p.limits.num('sdp.maxRequests'), Math.ceil(left / waitMs)));
    try {
      const d = await p.discover(max);
      requests += d.requests;
      did.push(`SDP answered after ${Math.round(p.clock.nowMs() - t0)} ms (${requests} request${requests === 1 ? '' : 's'})`);
      return did.join('; ');
    } catch (e) {
      if (!(e instanceof SdpNoResponse)) throw e;
      requests += max;
      if (p.clock.nowMs() - t0 >= boundMs) {
        const why = `no SDP answer to ${requests} requests in ${Math.round(p.clock.nowMs() - t0)} ms (bound: sequence timeout + margin)`;
        throw new BenchFault(`charger did not return to idle after ${previousTest}: ${why}`, p.source);
      }
    }
  }
}
