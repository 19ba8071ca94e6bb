// What an emulated V2G charger (MCS or CCS) does as a resource whatever protocol it serves: the sessions it
// serves (in-process vehicles too), its SDP and TCP servers, its safe state and its top-down close. Each
// charger keeps its own protocol: how it listens and how one connection is served.

import type { TLSSocket } from 'node:tls';
import type { Clock } from '../drivers/core/clock.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import { BenchFault } from '../drivers/core/errors.ts';
import { ConnectionMessageLink, type MessageLink } from '../drivers/iso15118/evcc/link.ts';
import type { MemoryTlsClient, MemoryTlsServer } from '../drivers/iso15118/memory-tls.ts';
import { registerMemoryEndpoint, unregisterMemoryEndpoint } from '../drivers/iso15118/evcc/memory-endpoint.ts';
import { SdpServer, type SdpServerOptions } from '../drivers/iso15118/sdp.ts';
import type { V2gServer } from '../drivers/iso15118/v2g-server.ts';
import type { PowerStagePort } from './mcs/power-port.ts';
import { ServedSessions } from './served-sessions.ts';

/** Where a charger's settings say to serve: a link resource's charger end, or an explicit interface/address. */
export interface ServeAtSettings {
  link?: string;
  interface?: string;
  address?: string;
}

/** Resolve a link's charger end by resource name. */
export type LinkEndOf = (name: string) => { interface: string; address: string } | undefined;

/** The bench's DC ratings as both emulated chargers advertise them: no lower current, 150 V floor unless rated. */
export function advertisedDcRatings(r: { maxVoltageV: number; minVoltageV?: number; maxCurrentA: number; maxPowerW: number }) {
  return {
    maxVoltageV: r.maxVoltageV,
    minVoltageV: r.minVoltageV ?? 150,
    maxCurrentA: r.maxCurrentA,
    minCurrentA: 0,
    maxPowerW: r.maxPowerW,
  };
}

export abstract class ServingCharger<R> {
  protected readonly sessions: ServedSessions<R>;
  protected server: V2gServer | undefined;
  protected sdp: SdpServer | undefined;
  port = 0;
  address: string | undefined;
  interface: string | undefined;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly timeline: Timeline,
    readonly power: PowerStagePort,
  ) {
    this.sessions = new ServedSessions(timeline, name);
  }

  /** In-process vehicles reach it from now on, its start is on the timeline, and it listens when its settings say where. */
  protected async startServing(settings: ServeAtSettings, started: Record<string, unknown>): Promise<void> {
    registerMemoryEndpoint(this.name, this);
    this.timeline.record('session', this.name, { role: 'secc', event: 'charger started', ...started });
    if (settings.link !== 'memory' && (settings.link || settings.interface)) await this.listen();
  }

  /** SDP and TCP (TLS) servers on the interface the settings name. */
  protected abstract listen(): Promise<void>;

  /** What each served connection is given whatever its protocol: where to record, its label, the power stage. */
  protected connectionBasics(label: string): {
    clock: Clock;
    timeline: Timeline;
    source: string;
    connection: string;
    power: PowerStagePort;
  } {
    return { clock: this.clock, timeline: this.timeline, source: this.name, connection: this.sessions.label(label), power: this.power };
  }

  /**
   * Where to serve: the settings' own interface and address, else the charger end of their link. A BenchFault
   * when there is neither.
   */
  protected serveAt(s: ServeAtSettings, linkEnd?: LinkEndOf): { interface: string; address: string } {
    const end = s.link ? linkEnd?.(s.link) : undefined;
    this.interface = s.interface ?? end?.interface;
    this.address = s.address ?? end?.address;
    if (!this.interface || !this.address)
      throw new BenchFault(`${this.name}: no interface/address to serve on (link '${s.link ?? ''}' has no charger end)`, this.name);
    return { interface: this.interface, address: this.address };
  }

  /** Serve every TCP connection `server` accepts, from now on (its port once it listens). */
  protected async serveTcp(server: V2gServer): Promise<number> {
    this.server = server;
    server.on('connection', (conn) => this.serve(new ConnectionMessageLink(conn, this.clock), conn.where));
    this.port = await server.listen();
    return this.port;
  }

  /** Answer SDP on where the TCP server listens (serveTcp first): security, UDP port and behaviour are the charger's. */
  protected async serveSdp(
    at: { interface: string; address: string },
    how: Pick<SdpServerOptions, 'security' | 'serverPort' | 'behaviour' | 'portFor'>,
  ) {
    this.sdp = new SdpServer({ clock: this.clock, timeline: this.timeline, source: this.name, ...at, port: this.port, ...how });
    await this.sdp.start();
  }

  /** Serve one vehicle connection (the label says where it came from). */
  protected abstract serve(link: MessageLink, label: string): void;

  /** MemoryEndpoint: a vehicle in this process connects without sockets. */
  connect(evSource: string): MessageLink {
    return this.sessions.memoryConnection(this.clock, evSource, (link, where) => this.serve(link, where));
  }

  /** MemoryEndpoint: the same over TLS 1.3, as the charger serves it on a socket (its certificates, faults, key log). */
  async connectTls(evSource: string, client: MemoryTlsClient): Promise<{ link: MessageLink; socket: TLSSocket }> {
    const server = await this.memoryTlsServer();
    if (!server)
      throw new BenchFault(`${this.name}: the vehicle '${evSource}' asks for TLS, the charger serves none (tls: false)`, this.name);
    return this.sessions.memoryTlsConnection(this.clock, evSource, { client, server }, (link, where) => this.serve(link, where));
  }

  /** The TLS this charger serves on its in-process link; none by default. */
  protected async memoryTlsServer(): Promise<MemoryTlsServer | undefined> {
    return undefined;
  }

  /** Every session served so far, in the order they ended. */
  get results(): R[] {
    return this.sessions.results;
  }

  /** Resolves when every session being served now has ended. */
  async settled(): Promise<void> {
    await this.sessions.settled();
  }

  /** Sessions being served right now. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  async safeState(): Promise<void> {
    if (this.power.outputEnabled) this.power.stop('charger');
  }

  async close(): Promise<void> {
    unregisterMemoryEndpoint(this.name, this);
    await this.sdp?.close();
    await this.server?.close();
    this.sdp = undefined;
    this.server = undefined;
  }
}
