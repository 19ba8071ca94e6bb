// The emulated CCS charger (resource kind 'emulated-ccs-charger'): the SECC side of DIN SPEC 70121 and
// ISO 15118-2 DC on the CCS2 port's emulated PLC link (after SLAC, IPv6 link-local on the link's charger end):
// SDP server, plain TCP server, and with `tls` a TLS 1.2 server for -2 (ccs-tls.ts) that SDP announces to a
// vehicle asking for TLS (0x00), the TCP one to a vehicle asking for none (0x10); one CcsSeccSession per
// connection (over TLS only -2 is selected: DIN has no TLS), driving a power stage on an emulated battery's
// DC bus like the MCS charger.
// Also reachable in-process without sockets (memory endpoint) for the virtual bench and unit tests.

import { join } from 'node:path';
import type { Clock } from '../../drivers/core/clock.ts';
import type { ChargerControl } from '../../drivers/core/charger-control.ts';
import { Limits } from '../../drivers/core/limits.ts';
import type { Resource } from '../../drivers/core/resource.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { ConnectionMessageLink, type MessageLink } from '../../drivers/iso15118/evcc/link.ts';
import type { MemoryEndpoint } from '../../drivers/iso15118/evcc/memory-endpoint.ts';
import { SdpSecurity } from '../../drivers/iso15118/sdp.ts';
import { V2gServer } from '../../drivers/iso15118/v2g-server.ts';
import { IdealPowerStage, type PowerStagePort } from '../mcs/power-port.ts';
import type { CcsProtocol } from './ccs-protocol.ts';
import type { CcsRatings } from './ccs-responses.ts';
import { serveCcsConnection, type CcsServeResult } from './ccs-server.ts';
import { advertisedDcRatings, ServingCharger } from '../serving-charger.ts';
import type { CcsSeccConfig } from './ccs-session.ts';
import { ccsServerTls } from './ccs-tls.ts';

export const EMULATED_CCS_CHARGER_KIND = 'emulated-ccs-charger';

/** This charger's timing: V2G_SECC_Sequence_Timeout is 60 s in DIN 70121 and ISO 15118-2 alike; SDP on UDP 15118. */
export const CCS_SECC_TIMING = { sequenceTimeoutMs: 60_000, sdpServerPort: 15118 } as const;

/** Each protocol's limit profile (fixtures/limits), where the charge loop's performance time and timeout are. */
const PROFILE: Readonly<Record<CcsProtocol, string>> = { din: 'din70121', iso2: 'iso15118-2' };

/**
 * The delay of fault ccs-currentdemand-slow per protocol: halfway between the CurrentDemandRes performance
 * time and the vehicle's CurrentDemand timeout, so only the timing check may notice.
 */
function slowCurrentDemandMs(p: CcsProtocol): number {
  const limits = Limits.load(PROFILE[p]);
  return (limits.get('secc.performanceTime.CurrentDemand').hi! + limits.num('timer.V2G_EVCC_Msg_Timeout.CurrentDemand')) / 2;
}

export interface CcsChargerSettings {
  /** Resource name of the link whose charger end we serve on; or 'memory' (in-process only). */
  link?: string;
  /** Explicit interface/address when there is no link resource (standalone emulate on another netdev). */
  interface?: string;
  address?: string;
  /** TCP port; 0 or absent picks a free one in 49152–65535. */
  port?: number;
  evseId?: string;
  /** The protocols offered (default both); the vehicle's supportedAppProtocol priority picks one. */
  protocols?: CcsProtocol[];
  cableCheckMs?: number;
  authorizationOngoingCount?: number;
  /** Offer ISO 15118-2 over TLS 1.2 besides plain TCP (default false); SDP answers what the vehicle asks for. */
  tls?: boolean;
  /** Write the charger side's TLS session keys (SSLKEYLOGFILE format) into the run folder (default false). */
  keylog?: boolean;
}

export interface CcsChargerContext {
  clock: Clock;
  timeline: Timeline;
  ratings: { maxVoltageV: number; minVoltageV?: number; maxCurrentA: number; maxPowerW: number };
  faults: ReadonlySet<string>;
  /** The power stage to drive; IdealPowerStage when absent. */
  power?: PowerStagePort;
  /** Resolve a link's charger end by resource name. */
  linkEnd?: (name: string) => { interface: string; address: string } | undefined;
  /** The run's folder (the charger's key log goes there). */
  runDir?: string;
}

export class EmulatedCcsCharger extends ServingCharger<CcsServeResult> implements Resource, MemoryEndpoint {
  readonly kind = EMULATED_CCS_CHARGER_KIND;
  readonly config: CcsSeccConfig;
  private tlsServer: V2gServer | undefined;
  /** The TLS 1.2 port SDP announces with security 0x00 (0 while none listens). */
  tlsPort = 0;

  private constructor(
    name: string,
    readonly settings: CcsChargerSettings,
    private readonly ctx: CcsChargerContext,
    power: PowerStagePort,
  ) {
    super(name, ctx.clock, ctx.timeline, power);
    const ratings: CcsRatings = {
      ...advertisedDcRatings(ctx.ratings),
      // What the emulated stage holds (power-stage-params: offset 0.5 A, gain error 0.5 %, ripple 1 A peak) with margin.
      currentRegulationToleranceA: 5,
      peakCurrentRippleA: 2,
    };
    this.config = {
      evseId: settings.evseId ?? 'DE*MHL*E0002*1',
      protocols: settings.protocols ?? ['iso2', 'din'],
      ratings,
      cableCheckMs: settings.cableCheckMs ?? 300,
      authorizationOngoingCount: settings.authorizationOngoingCount ?? 1,
      faults: ctx.faults,
      slowCurrentDemandMs: { din: slowCurrentDemandMs('din'), iso2: slowCurrentDemandMs('iso2') },
      pausedSessions: new Set(),
      output: {},
    };
  }

  /** Start serving: memory endpoint always; SDP + TCP server when a link/interface is configured. */
  static async start(name: string, settings: CcsChargerSettings, ctx: CcsChargerContext): Promise<EmulatedCcsCharger> {
    const c = new EmulatedCcsCharger(name, settings, ctx, ctx.power ?? new IdealPowerStage());
    await c.startServing(settings, {
      protocols: c.config.protocols,
      ratings: c.config.ratings,
      faults: [...ctx.faults].filter((f) => f.startsWith('ccs-')),
    });
    return c;
  }

  protected async listen(): Promise<void> {
    const s = this.settings;
    const at = this.serveAt(s, this.ctx.linkEnd);
    const rec = { clock: this.ctx.clock, timeline: this.ctx.timeline, source: this.name };
    await this.serveTcp(new V2gServer({ ...rec, ...at, port: s.port ?? 0 }));
    if (s.tls) {
      const keylogFile = s.keylog && this.ctx.runDir ? join(this.ctx.runDir, `keylog-${this.name}.txt`) : undefined;
      const server = new V2gServer({ ...rec, ...at, port: 0, keylogFile, tls: await ccsServerTls(this.ctx.faults) });
      server.on('handshakeError', () => undefined); // recorded by the server on the timeline
      server.on('connection', (conn) => this.serve(new ConnectionMessageLink(conn, this.ctx.clock), conn.where));
      this.tlsServer = server;
      this.tlsPort = await server.listen();
    }
    await this.serveSdp(at, {
      security: s.tls ? 'answerRequested' : SdpSecurity.NoTls,
      portFor: (security) => (security === SdpSecurity.Tls && this.tlsPort ? this.tlsPort : this.port),
      serverPort: CCS_SECC_TIMING.sdpServerPort,
    });
  }

  override async close(): Promise<void> {
    await super.close();
    await this.tlsServer?.close();
    this.tlsServer = undefined;
  }

  protected serve(link: MessageLink, label: string): void {
    const p = serveCcsConnection(link, {
      ...this.connectionBasics(label),
      // Inside TLS only -2: DIN SPEC 70121 has no TLS.
      config: link.info.tls ? { ...this.config, protocols: this.config.protocols.filter((x) => x !== 'din') } : this.config,
      sequenceTimeoutMs: CCS_SECC_TIMING.sequenceTimeoutMs,
      firstMessageTimeoutMs: CCS_SECC_TIMING.sequenceTimeoutMs,
    });
    this.sessions.track(p);
  }

  /** What a lab does through the charger's own remote interface: site power cap, charger stop. */
  get chargerControl(): ChargerControl {
    return { setSitePowerCapW: (capW) => this.power.setSitePowerCapW?.(capW), stop: (reason) => this.power.stop(reason) };
  }

  identity(): Record<string, string> {
    return {
      charger: 'emulated CCS charger (DIN 70121 / ISO 15118-2 DC)',
      evseId: this.config.evseId,
      protocols: this.config.protocols.join(','),
      transport: this.settings.tls ? 'TCP; TLS 1.2 for ISO 15118-2' : 'TCP',
    };
  }
}
