// The sessions an emulated V2G charger (MCS or CCS) is serving: each connection's serve promise tracked until
// it ends, its result kept in order. A serve that throws is recorded on the timeline and counts as the vehicle
// gone, so a charger bug shows in the evidence instead of an unhandled rejection.

import type { Clock } from '../drivers/core/clock.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import { memoryLinkPair, type MessageLink } from '../drivers/iso15118/evcc/link.ts';

export class ServedSessions<R> {
  readonly results: R[] = [];
  private readonly active = new Set<Promise<R>>();
  private count = 0;

  constructor(
    private readonly timeline: Timeline,
    /** Timeline source (the charger resource's name). */
    private readonly source: string,
  ) {}

  /** The evidence label of the next connection: where it came from, numbered ('memory #2 (#2)'). */
  label(where: string): string {
    this.count++;
    return `${where} (#${this.count})`;
  }

  /** A vehicle in this process connects without sockets: `serve` takes the charger's end, the vehicle's is returned. */
  memoryConnection(clock: Clock, ev: string, serve: (link: MessageLink, where: string) => void): MessageLink {
    const [evEnd, chargerEnd] = memoryLinkPair(clock, { timeline: this.timeline, ev, charger: this.source });
    serve(chargerEnd, `memory #${this.count + 1}`);
    return evEnd;
  }

  track(serve: Promise<R>): void {
    const tracked: Promise<R> = serve
      .catch((e: Error) => {
        this.timeline.record('session', this.source, { role: 'secc', event: 'serve error', error: e.message });
        return { reason: 'peer-closed', session: undefined } as unknown as R;
      })
      .then((r) => {
        this.results.push(r);
        this.active.delete(tracked);
        return r;
      });
    this.active.add(tracked);
  }

  /** Sessions being served right now. */
  get size(): number {
    return this.active.size;
  }

  /** Resolves when every session being served now has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.active]);
  }
}
