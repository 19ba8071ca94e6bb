// The emulated MCS charger (resource kind 'emulated-mcs-charger'): the SECC side of ISO 15118-20 on the
// emulated T1S link — SDP server, TCP/TLS 1.3 server with mutual authentication, one SeccSession per
// connection (any number, one after another or at once) — driving a power stage attached to the
// emulated battery emulator's DC bus. Ratings come from the bench file. Fault switches: ./faults.ts.
// Also reachable in-process without sockets (memory endpoint) for unit tests.

import { join } from 'node:path';
import type { Clock } from '../../drivers/core/clock.ts';
import type { ChargerControl } from '../../drivers/core/charger-control.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { V2gServer } from '../../drivers/iso15118/v2g-server.ts';
import { loadMessageCodec, type MessageCodec } from '../../drivers/iso15118/evcc/codec.ts';
import type { MessageLink } from '../../drivers/iso15118/evcc/link.ts';
import type { MemoryEndpoint } from '../../drivers/iso15118/evcc/memory-endpoint.ts';
import { ServiceId } from '../../drivers/iso15118/evcc/messages.ts';
import { loadSessionTimers, msgTimeoutMs, performanceLimitName, type SessionTimers } from '../../drivers/iso15118/evcc/timers.ts';
import { SdpSecurity } from '../../drivers/iso15118/sdp.ts';
import type { TlsEndMaterial } from '../../drivers/iso15118/pki/bench-tls.ts';
import { chargerServerTls } from '../../drivers/iso15118/pki/charger-server.ts';
import type { MemoryTlsServer } from '../../drivers/iso15118/memory-tls.ts';
import type { TlsServerSettings } from '../../drivers/iso15118/tls-policy.ts';
import type { Resource } from '../../drivers/core/resource.ts';
import { IdealPowerStage, type PowerStagePort } from './power-port.ts';
import type { SeccConfig, SeccRatings } from './secc-session.ts';
import { serveSeccConnection, type ServeResult } from './secc-server.ts';
import { advertisedDcRatings, ServingCharger } from '../serving-charger.ts';

export const EMULATED_MCS_CHARGER_KIND = 'emulated-mcs-charger';

export interface McsChargerSettings {
  /** Resource name of the veth link whose charger end we serve on; or 'memory' (in-process only). */
  link?: string;
  /** Explicit interface/address when there is no link resource (standalone emulate on another netdev). */
  interface?: string;
  address?: string;
  /** TCP/TLS port; 0 or absent picks a free one in 49152–65535. */
  port?: number;
  /** TLS 1.3 with mutual authentication (default true; false = plain TCP, SDP security 0x10). */
  tls?: boolean;
  /** Write an NSS key log of the charger side (default false: the vehicle writes one). */
  keylog?: boolean;
  evseId?: string;
  /** Energy services offered (default [8 MCS, 2 DC]). */
  services?: number[];
  cableCheckMs?: number;
  authorizationOngoingCount?: number;
  /** Resource name of the emulated battery emulator whose DC bus our power stage drives. */
  battery?: string;
  codec?: 'auto' | 'exi' | 'json';
  /**
   * 'strict' (default, CI): a session ends at once when the vehicle drops it, TCP closes at once after
   * FAILED. 'realistic': like mature open-source SECCs — a dropped session is held (output as it was,
   * SDP unanswered) until its sequence timeout, TCP closes 5 s after FAILED / a framing error / a stop.
   */
  behaviour?: 'strict' | 'realistic';
  /** Power-stage parameter overrides (emulator only). */
  powerStage?: Record<string, number>;
  seed?: number;
}

export interface ChargerContext {
  clock: Clock;
  timeline: Timeline;
  ratings: { maxVoltageV: number; minVoltageV?: number; maxCurrentA: number; maxPowerW: number };
  faults: ReadonlySet<string>;
  /** Timer overrides (bench `timers`). */
  timers?: Record<string, number>;
  limits?: Limits;
  runDir?: string;
  /** The power stage to drive; IdealPowerStage when absent. */
  power?: PowerStagePort;
  /** Resolve a veth link's charger end by resource name. */
  linkEnd?: (name: string) => { interface: string; address: string } | undefined;
  /** A lab PKI from the bench (SECC chain + key, roots it verifies the vehicle with); absent = the generated test PKI. */
  tls?: TlsEndMaterial;
}

export class EmulatedMcsCharger extends ServingCharger<ServeResult> implements Resource, MemoryEndpoint {
  readonly kind = EMULATED_MCS_CHARGER_KIND;
  private unplug = new AbortController();
  readonly config: SeccConfig;
  readonly timers: SessionTimers;
  readonly limits: Limits;

  private constructor(
    name: string,
    readonly settings: McsChargerSettings,
    private readonly ctx: ChargerContext,
    readonly codec: MessageCodec,
    power: PowerStagePort,
  ) {
    super(name, ctx.clock, ctx.timeline, power);
    this.limits = ctx.limits && ctx.limits.has('timer.V2G_SECC_Sequence_Timeout') ? ctx.limits : Limits.load('iso15118-20');
    this.timers = loadSessionTimers(this.limits, ctx.timers);
    const ratings: SeccRatings = { ...advertisedDcRatings(ctx.ratings), minPowerW: 0 };
    this.config = {
      evseId: settings.evseId ?? 'DE*MHL*E0001*1',
      ratings,
      services: settings.services ?? [ServiceId.MCS, ServiceId.DC],
      cableCheckMs: settings.cableCheckMs ?? 300,
      authorizationOngoingCount: settings.authorizationOngoingCount ?? 1,
      faults: ctx.faults,
      pausedSessions: new Set(),
      output: {},
      holds: { authorization: false, schedule: false },
    };
  }

  /** Start serving: memory endpoint always; SDP + TCP/TLS server when a link/interface is configured. */
  static async start(name: string, settings: McsChargerSettings, ctx: ChargerContext): Promise<EmulatedMcsCharger> {
    const codec = await loadMessageCodec(settings.codec ?? 'auto');
    const c = new EmulatedMcsCharger(name, settings, ctx, codec, ctx.power ?? new IdealPowerStage());
    await c.startServing(settings, { codec: codec.name, ratings: c.config.ratings, services: c.config.services, faults: [...ctx.faults] });
    return c;
  }

  protected async listen(): Promise<void> {
    const s = this.settings;
    const at = this.serveAt(s, this.ctx.linkEnd);
    const tls = s.tls !== false;
    const faults = this.ctx.faults;
    const server = new V2gServer({
      clock: this.ctx.clock,
      timeline: this.ctx.timeline,
      source: this.name,
      ...at,
      // fault sdp-port-outside-dynamic-range: a fixed port below 49152, reachable, but not one SDP may advertise.
      port: faults.has('sdp-port-outside-dynamic-range') ? 15119 : (s.port ?? 0),
      keylogFile: this.keylogFile(),
      tls: tls ? await this.tlsServerSettings() : undefined,
    });
    server.on('handshakeError', () => undefined); // recorded by the server on the timeline
    await this.serveTcp(server);
    await this.serveSdp(at, {
      security: tls ? SdpSecurity.Tls : SdpSecurity.NoTls,
      serverPort: this.limits.num('sdp.serverPort'),
      behaviour: { ignoreFirstOfEachDiscovery: faults.has('sdp-first-request-ignored'), busy: () => this.busyReason() },
    });
  }

  /** The charger's own key log, when its settings ask for one (`keylog: true`). */
  private keylogFile(): string | undefined {
    return this.settings.keylog && this.ctx.runDir ? join(this.ctx.runDir, `keylog-${this.name}.txt`) : undefined;
  }

  /** Its TLS server: the bench's PKI or the test PKI, with the faults that change what it presents or asks for. */
  private tlsServerSettings(): Promise<TlsServerSettings> {
    const faults = this.ctx.faults;
    return chargerServerTls(this.ctx.tls, {
      untrustedChain: faults.has('tls-untrusted-chain'),
      requestClientCertificate: !faults.has('accepts-no-client-cert'),
    });
  }

  /** The in-process link runs the same TLS as the socket server (unless `tls: false`). */
  protected override async memoryTlsServer(): Promise<MemoryTlsServer | undefined> {
    if (this.settings.tls === false) return undefined;
    return { settings: await this.tlsServerSettings(), keylogFile: this.keylogFile() };
  }

  protected serve(link: MessageLink, label: string): void {
    const p = serveSeccConnection(link, {
      ...this.connectionBasics(label),
      codec: this.codec,
      config: this.config,
      sequenceTimeoutMs: this.timers.V2G_SECC_Sequence_Timeout,
      // fault charge-loop-timeout-missing: the general sequence timeout in the loop too (as Josev and libiso15118 do).
      chargeLoopSequenceTimeoutMs: this.ctx.faults.has('charge-loop-timeout-missing')
        ? undefined
        : this.timers['V2G_SECC_Sequence_Timeout.DC_ChargeLoop'],
      closeAtOnceAfterStop: this.ctx.faults.has('closes-early-after-stop'),
      // fault communication-setup-unbounded: no timer before SessionSetup but the sequence timeout (as libiso15118).
      communicationSetupMs: this.ctx.faults.has('communication-setup-unbounded')
        ? undefined
        : this.timers.V2G_SECC_CommunicationSetup_Performance_Time,
      // Past the performance time, still inside the EVCC's timeout: only the timing check may notice.
      slowResponseDelayMs: (m) => (this.limits.get(performanceLimitName(this.limits, m)).hi! + msgTimeoutMs(this.timers, m)) / 2,
      behaviour: this.settings.behaviour ?? 'strict',
      // Past the bound the suite allows for the close after FAILED / a framing error: only those checks notice.
      slowCloseMs: this.ctx.faults.has('slow-close-after-error') ? this.slowCloseMs() : undefined,
      unplugged: () => this.unplug.signal,
    });
    this.sessions.track(p);
  }

  private slowCloseMs(): number {
    const bound = Math.max(this.limits.get('secc.closeAfterFailedMs').hi ?? 0, this.limits.get('secc.malformedV2gtpCloseMs').hi ?? 0);
    return bound + 2000;
  }

  /** Why the one connector cannot take a new vehicle now (realistic mode: any session still served). */
  busyReason(): string | undefined {
    if (this.settings.behaviour !== 'realistic' || this.sessions.size === 0) return undefined;
    return `${this.sessions.size} session(s) still held or closing`;
  }

  /** The vehicle was unplugged (CE to A): a session held for a vanished vehicle ends now. */
  vehicleUnplugged(): void {
    this.unplug.abort();
    this.unplug = new AbortController();
  }

  /** What a lab does through the charger's own remote interface: site power cap, charger stop, E-stop. */
  get chargerControl(): ChargerControl {
    const power = this.power;
    const holds = this.config.holds!;
    return {
      setSitePowerCapW: (capW) => power.setSitePowerCapW?.(capW),
      stop: (reason) => power.stop(reason),
      // What a lab's operator does at an EIM reader or its backend: nobody presents the ID, no schedule yet.
      withholdAuthorization: (on) => void (holds.authorization = on),
      delaySchedule: (on) => void (holds.schedule = on),
    };
  }

  identity(): Record<string, string> {
    return { charger: `emulated MCS charger (${this.codec.name})`, evseId: this.config.evseId, services: this.config.services.join(',') };
  }
}
