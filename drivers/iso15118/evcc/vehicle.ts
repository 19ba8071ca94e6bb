// The ISO 15118-20 vehicle (resource kind 'iso15118-ev'): finds the charger (SDP), connects (TCP or
// TLS 1.3 with its OEM client chain), and runs EVCC sessions — whole (startCharging → stop) or step by
// step (openSession) for negative tests. It drives CE through the pilot: B while talking, C from
// cable check through PowerDelivery(Stop), back to B once the charger's output is off.

import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../../core/clock.ts';
import { BenchFault } from '../../core/errors.ts';
import { HarnessLatency } from '../../core/harness-latency.ts';
import { Limits } from '../../core/limits.ts';
import type { Timeline } from '../../core/timeline.ts';
import type { TlsEndMaterial } from '../pki/bench-tls.ts';
import { vehicleClientTls } from '../pki/vehicle-client.ts';
import type { TlsClientSettings } from '../tls-policy.ts';
import { connectV2g } from '../v2g-client.ts';
import { discoverSecc, SdpSecurity, type SdpDiscovery } from '../sdp.ts';
import { verifyServerChain, type ChainVerdict } from './chain-check.ts';
import { awaitIdleCharger } from './charger-idle.ts';
import { ChargeLoop, type CePort, type ChargingSession } from './charging.ts';
import { loadMessageCodec, type MessageCodec } from './codec.ts';
import { ConnectionMessageLink, type MessageLink } from './link.ts';
import { memoryEndpoint } from './memory-endpoint.ts';
import { EvccSession, type ControlMode, type EvccSessionOptions } from './session.ts';
import { loadSessionTimers, type SessionTimers } from './timers.ts';
import { ConstantRequestModel, type ConstantRequestSettings, type EvPowerPath, type EvRequestModel } from './vehicle-model.ts';

export const ISO15118_EV_KIND = 'iso15118-ev';

export interface VehicleSettings {
  /** Resource name of the link (veth-link / ethernet-link) the vehicle talks on. */
  link?: string;
  /** Or the interface directly (with localAddress). */
  interface?: string;
  localAddress?: string;
  /** In-process: connect to this emulated charger's memory endpoint instead of the network. */
  memory?: string;
  /** Resource name of the CE/ID pilot. */
  pilot?: string;
  /** Resource name of the battery emulator that is this vehicle's battery + contactors (its requests then follow the bench's vehicle profile). */
  battery?: string;
  /** TLS 1.3 with mutual authentication (default true). */
  tls?: boolean;
  /** Write an NSS key log per connection into the run folder (default true). */
  keylog?: boolean;
  /**
   * 'enforce' (default): the TLS handshake trusts only the V2G root. 'record': it also trusts
   * `alsoTrust` (e.g. the test PKI's foreign root) so other tests can run against a charger with a test
   * chain; our own chain verdict against the V2G root is recorded for the handshake suite to judge.
   */
  serverChain?: 'enforce' | 'record';
  alsoTrust?: Array<'test-pki-foreign-root' | string>;
  controlMode?: ControlMode;
  /** Energy services in order of preference (default [8, 9, 2]). */
  services?: number[];
  evccId?: string;
  codec?: 'auto' | 'exi' | 'json';
  /** The default request model's settings (a fixed pack voltage and request) when no profile model is set. */
  request?: ConstantRequestSettings;
}

export interface VehicleContext {
  clock: Clock;
  timeline: Timeline;
  limits?: Limits;
  timers?: Record<string, number>;
  runDir?: string;
  /** Resolve a link resource's vehicle end. */
  linkEnd?: (name: string) => { interface: string; address: string } | undefined;
  /** The CE/ID pilot (resource). */
  pilot?: CePort;
  /** Bench safety cap. */
  maxCurrentA?: number;
  /** The bench's PKI, loaded and checked when the bench opened; absent = the generated test PKI. */
  tls?: TlsEndMaterial;
  /** The vehicle's battery, contactors and inlet measurement (a battery emulator). */
  power?: EvPowerPath;
}

export interface ConnectOptions {
  /** Override the vehicle's TLS setting for this connection. */
  tls?: boolean;
  /** Offer no client certificate (negative test). Default: offer the OEM chain. */
  clientCertificate?: boolean;
}

export interface Connected {
  link: MessageLink;
  sdp?: SdpDiscovery;
  chain?: ChainVerdict;
  keylogFile?: string;
}

export class Iso15118Vehicle {
  readonly kind = ISO15118_EV_KIND;
  readonly timers: SessionTimers;
  readonly limits: Limits;
  model: EvRequestModel;
  private current: ChargeLoop | undefined;
  private connections = 0;
  /** Sessions opened and not yet ended (endSessions() ends them). */
  private readonly sessions = new Set<EvccSession>();
  /** Key log of the last connection (attach it to the test). */
  lastKeylogFile: string | undefined;
  /** Every key log written, in order (a test attaches the ones it caused). */
  readonly keylogFiles: string[] = [];
  /** The vehicle's own latency (how late its timers fire): the uncertainty of the timing verdicts on its wire stamps. */
  readonly latency = new HarnessLatency();

  constructor(
    readonly name: string,
    readonly settings: VehicleSettings,
    readonly ctx: VehicleContext,
    readonly codec: MessageCodec,
  ) {
    this.limits = ctx.limits && ctx.limits.has('timer.V2G_EVCC_Msg_Timeout') ? ctx.limits : Limits.load('iso15118-20');
    this.timers = loadSessionTimers(this.limits, ctx.timers);
    this.model = new ConstantRequestModel(settings.request);
  }

  static async create(name: string, settings: VehicleSettings, ctx: VehicleContext): Promise<Iso15118Vehicle> {
    return new Iso15118Vehicle(name, settings, ctx, await loadMessageCodec(settings.codec ?? 'auto'));
  }

  /** The CE/ID pilot, when the bench has one. */
  get pilot(): CePort | undefined {
    return this.ctx.pilot;
  }

  /** Talks over the network (SDP/TCP/TLS), not the in-process endpoint. */
  get networked(): boolean {
    return !this.settings.memory;
  }

  /** Its connections run TLS: on the network unless `tls: false`; in process only with `tls: true` (connectInProcess). */
  get speaksTls(): boolean {
    return this.networked ? this.settings.tls !== false : this.settings.tls === true;
  }

  /** Use another request model (a battery/profile model) from now on. */
  setModel(model: EvRequestModel): void {
    this.model = model;
  }

  /** SDP + TCP/TLS, or the in-process endpoint. */
  async connect(o: ConnectOptions = {}): Promise<Connected> {
    this.connections++;
    const s = this.settings;
    if (s.memory) return this.connectInProcess(s.memory, o);
    const useTls = o.tls ?? s.tls !== false;
    const iface = this.networkInterface().interface;
    const sdp = await this.discover(useTls, this.limits.num('sdp.maxRequests'));
    let tls: TlsClientSettings | undefined;
    let v2gRootFiles: string[] = [];
    if (useTls) ({ settings: tls, v2gRootFiles } = await vehicleClientTls(this.ctx.tls, { ...s, clientCertificate: o.clientCertificate }));
    const keylogFile = useTls ? this.nextKeylogFile() : undefined;
    const conn = await connectV2g({
      clock: this.ctx.clock,
      timeline: this.ctx.timeline,
      source: this.name,
      host: sdp.address,
      port: sdp.port,
      interface: iface,
      tls,
      timeoutMs: this.limits.num(useTls ? 'tls.handshakeTimeoutMs' : 'tcp.connectTimeoutMs'),
      keylogFile,
    });
    this.lastKeylogFile = keylogFile;
    if (keylogFile) this.keylogFiles.push(keylogFile);
    let chain: ChainVerdict | undefined;
    if (useTls) {
      chain = verifyServerChain(conn.socket as TLSSocket, v2gRootFiles);
      this.ctx.timeline.record('link', this.name, { event: 'server-chain', ...chain });
    }
    return { link: new ConnectionMessageLink(conn, this.ctx.clock, { sdp, chain }), sdp, chain, keylogFile };
  }

  /** This connection's NSS key log in the run folder, unless the settings turn key logs off. */
  private nextKeylogFile(): string | undefined {
    if (this.settings.keylog === false || !this.ctx.runDir) return undefined;
    return join(this.ctx.runDir, 'keylogs', `${this.name}-${this.connections}.keylog`);
  }

  /**
   * The emulated charger in this process, without SDP: plain V2GTP, or with `tls: true` the same TLS 1.3 as on a
   * socket (certificates, policy, key log, chain verdict) over the in-memory link (memory-tls.ts).
   */
  private async connectInProcess(charger: string, o: ConnectOptions): Promise<Connected> {
    const ep = memoryEndpoint(charger);
    if (!ep) throw new BenchFault(`${this.name}: no in-process charger '${charger}' to connect to`, this.name);
    // In process, TLS is asked for explicitly: unit tests' vehicles without a `tls` setting talk plain.
    if (!(o.tls ?? this.settings.tls === true)) return { link: ep.connect(this.name) };
    const choice = { ...this.settings, clientCertificate: o.clientCertificate };
    const { settings, v2gRootFiles } = await vehicleClientTls(this.ctx.tls, choice);
    const keylogFile = this.nextKeylogFile();
    this.lastKeylogFile = keylogFile;
    if (keylogFile) this.keylogFiles.push(keylogFile);
    const { link, socket } = await ep.connectTls(this.name, { settings, keylogFile, timeoutMs: this.limits.num('tls.handshakeTimeoutMs') });
    const chain = verifyServerChain(socket, v2gRootFiles);
    this.ctx.timeline.record('link', this.name, { event: 'server-chain', ...chain });
    link.info.chain = chain;
    return { link, chain, keylogFile };
  }

  private networkInterface(): { interface: string; address?: string } {
    const s = this.settings;
    const end = s.link ? this.ctx.linkEnd?.(s.link) : undefined;
    const iface = s.interface ?? end?.interface;
    if (!iface) throw new BenchFault(`${this.name}: no interface (set 'link' or 'interface')`, this.name);
    return { interface: iface, address: s.localAddress ?? end?.address };
  }

  /** One SDP discovery on the vehicle's interface (SdpNoResponse when nothing answers). */
  private discover(useTls: boolean, maxRequests: number): Promise<SdpDiscovery> {
    const net = this.networkInterface();
    return discoverSecc({
      clock: this.ctx.clock,
      timeline: this.ctx.timeline,
      source: this.name,
      interface: net.interface,
      localAddress: net.address,
      security: useTls ? SdpSecurity.Tls : SdpSecurity.NoTls,
      waitMs: this.limits.num('sdp.requestWaitMs'),
      maxRequests,
      serverPort: this.limits.num('sdp.serverPort'),
    });
  }

  /** A connected session, nothing sent yet: for step-by-step and negative tests. */
  async openSession(
    o: ConnectOptions & {
      controlMode?: ControlMode;
      services?: number[];
      appProtocols?: EvccSessionOptions['appProtocols'];
      resumeSessionId?: string;
    } = {},
  ): Promise<EvccSession & { connected: Connected }> {
    const connected = await this.connect(o);
    // V2G_EVCC_CommunicationSetup_Timeout runs from TCP/TLS established (Table 221).
    const communicationSetupStartMs = this.ctx.clock.nowMs();
    const session = new EvccSession({
      communicationSetupStartMs,
      establishedAtNs: this.ctx.clock.now(),
      clock: this.ctx.clock,
      timeline: this.ctx.timeline,
      source: this.name,
      codec: this.codec,
      link: connected.link,
      timers: this.timers,
      limits: this.limits,
      model: this.model,
      servicePreference: o.services ?? this.settings.services,
      controlMode: o.controlMode ?? this.settings.controlMode,
      evccId: this.settings.evccId,
      appProtocols: o.appProtocols,
      power: this.ctx.power,
    });
    // Resuming a paused session: SessionSetupReq carries the old SessionID (OK_OldSessionJoined expected).
    if (o.resumeSessionId) session.sessionId = o.resumeSessionId.toUpperCase();
    this.sessions.add(session);
    return Object.assign(session, { connected });
  }

  /** SDP … PowerDelivery(Start); the charge loop then runs on its own. */
  async startCharging(
    o: ConnectOptions & { controlMode?: ControlMode; services?: number[]; keepLoopRecords?: number } = {},
  ): Promise<ChargingSession> {
    if (this.current?.running) throw new BenchFault(`${this.name}: a charging session is already running; stop it first`, this.name);
    await this.ctx.pilot?.setCe('B');
    const evcc = await this.openSession(o);
    try {
      await evcc.runUntil('PowerDelivery', {
        beforeCableCheck: async () => void (await this.ctx.pilot?.setCe('C')),
        // Pre-charge matched: the vehicle closes its contactors, then asks for power.
        beforePowerDelivery: async () => void (await this.ctx.power?.setContactors(true)),
      });
    } catch (e) {
      await this.ctx.power?.setContactors(false);
      await this.ctx.pilot?.setCe('B');
      await evcc.link.close().catch(() => undefined);
      throw e;
    }
    const loop = new ChargeLoop({
      evcc,
      model: this.model,
      limits: this.limits,
      ce: this.ctx.pilot,
      maxCurrentA: this.ctx.maxCurrentA,
      latency: this.latency,
      keepLoopRecords: o.keepLoopRecords,
      onStateChange: (event, data) => this.ctx.timeline.record('session', this.name, { role: 'evcc', event, ...data }),
    });
    this.current = loop;
    return loop;
  }

  /** The running charging session, if any. */
  get charging(): ChargingSession | undefined {
    return this.current?.running ? this.current : undefined;
  }

  /**
   * End every session this vehicle opened as the standard intends: SessionStop(Terminate) for an open
   * one (unless its test broke it on purpose), then close TCP. One line per session of what was done.
   */
  async endSessions(reason: string): Promise<string[]> {
    const out: string[] = [];
    for (const s of [...this.sessions]) {
      if (this.current?.running && this.current.evcc === s) continue; // stop() ends it the charging way
      this.sessions.delete(s);
      out.push(await s.end(reason));
    }
    return out;
  }

  /** Safe state: stop a running charge the standard way (CE leaves C after the output is off), end open sessions. */
  async safeState(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    if (c?.running) await c.stop().catch(() => undefined);
    await this.endSessions('safe state');
    if (!c?.running) {
      await this.ctx.pilot?.setCe('B');
      await this.ctx.power?.setContactors(false).catch(() => undefined);
    }
  }

  /** Precondition of the next test: the charger is idle and answers SDP (see charger-idle.ts). */
  async awaitChargerIdle(previousTest: string): Promise<string> {
    if (!this.networked) return `in-process charger '${this.settings.memory}': a new connection is always served`;
    const useTls = this.settings.tls !== false;
    return awaitIdleCharger(
      {
        clock: this.ctx.clock,
        limits: this.limits,
        sequenceTimeoutMs: this.timers.V2G_SECC_Sequence_Timeout,
        pilot: this.ctx.pilot,
        discover: (max) => this.discover(useTls, max),
        source: this.name,
      },
      previousTest,
    );
  }
}
