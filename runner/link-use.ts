// Which of the bench's vehicle-side network links a test used, so that it carries the capture of those only: a
// CCS2 test gets the PLC link's (SLAC, SDP, DIN/-2), an MCS test the 10BASE-T1S link's, a GB/T test neither.
// A link counts as used when the vehicle transmitted on it during the test body: its SLAC frames (kind 'plc',
// recorded under the link's name) or its V2G messages and SDP (kind 'v2g', under a vehicle resource that names
// the link in the bench file). The idle check before the body runs on every link before every test: it does not
// count, except in a test broken at that precondition: then the links it checked carry what explains it.

import type { Bench } from '../benches/bench.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';

export interface BenchLink {
  /** The link resource's name ('ev-link', 'plc'). */
  name: string;
  /** The vehicle's end of it, where the capture runs. */
  iface: string;
  /** The vehicle resources that talk on it (their names, as timeline sources). */
  vehicles: string[];
}

/** The kinds whose transmissions tell a link was used, and the runner's test events (a failed precondition). */
export const LINK_USE_KINDS = ['plc', 'v2g', 'test'] as const;

/** Every opened resource with a vehicle-side interface, and the vehicles whose bench entry names it. */
export function benchLinks(bench: Pick<Bench, 'resources' | 'config'>): BenchLink[] {
  const entries = Object.entries(bench.config.resources);
  const links: BenchLink[] = [];
  for (const [name, r] of bench.resources) {
    const iface = (r as { evInterface?: unknown }).evInterface;
    if (typeof iface !== 'string') continue;
    const vehicles = entries
      .filter(([, e]) => !e.kind.startsWith('emulated-') && Object.values(e).includes(name))
      .map(([vehicle]) => vehicle);
    links.push({ name, iface, vehicles });
  }
  return links;
}

/** The link an event shows the vehicle transmitting on, if it does. */
function linkOf(links: readonly BenchLink[], e: TimelineEvent): BenchLink | undefined {
  if ((e.data as { dir?: unknown }).dir !== 'tx') return undefined;
  if (e.kind === 'plc') return links.find((l) => l.name === e.source);
  if (e.kind === 'v2g') return links.find((l) => l.vehicles.includes(e.source));
  return undefined;
}

/**
 * The links the test used, from its events (of LINK_USE_KINDS, in order): those the body transmitted on, and
 * when its precondition failed (it has no body), those the precondition transmitted on.
 */
export function linksUsed(
  links: readonly BenchLink[],
  forEach: (fn: (e: TimelineEvent) => boolean | void) => void,
  bodyStartSeq: number,
): BenchLink[] {
  const inBody = new Set<BenchLink>();
  const before = new Set<BenchLink>();
  let preconditionFailed = false;
  forEach((e) => {
    if (e.kind === 'test' && (e.data as { event?: unknown }).event === 'precondition failed') preconditionFailed = true;
    const link = linkOf(links, e);
    if (link) (e.seq > bodyStartSeq ? inBody : before).add(link);
    return inBody.size < links.length; // every link used in the body: nothing more to learn
  });
  return links.filter((l) => inBody.has(l) || (preconditionFailed && before.has(l)));
}
