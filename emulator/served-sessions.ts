// The sessions an emulated V2G charger (MCS or CCS) is serving: each connection's serve promise tracked until
// it ends, its result kept in order. A serve that throws is recorded on the timeline and counts as the vehicle
// gone, so a charger bug shows in the evidence instead of an unhandled rejection.

import type { Clock } from '../drivers/core/clock.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import type { TLSSocket } from 'node:tls';
import { memoryLinkPair, type MessageLink } from '../drivers/iso15118/evcc/link.ts';
import { memoryTlsLinkPair, type MemoryTlsClient, type MemoryTlsServer } from '../drivers/iso15118/memory-tls.ts';

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

  /** The same over TLS: `serve` takes the charger's end once the server's handshake accepted the vehicle. */
  memoryTlsConnection(
    clock: Clock,
    ev: string,
    tls: { client: MemoryTlsClient; server: MemoryTlsServer },
    serve: (link: MessageLink, where: string) => void,
  ): Promise<{ link: MessageLink; socket: TLSSocket }> {
    const rec = { clock, timeline: this.timeline, ev, charger: this.source };
    return memoryTlsLinkPair(rec, tls.client, tls.server, (link) => serve(link, `memory tls #${this.count + 1}`));
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
