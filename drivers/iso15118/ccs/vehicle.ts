// The truck's CCS2 port as a vehicle (resource kind 'ccs-ev'): after SLAC on its PLC link it finds the charger
// (SDP; TLS 1.2 for -2 when its bench setting asks, connect.ts), connects over IPv6 link-local TCP or TLS and runs
// DIN 70121 / ISO 15118-2 DC sessions — whole
// (startCharging → stop) or step by step (openSession) for negative tests. CP goes B when plugged in, C from
// CableCheck through PowerDelivery(Stop), back to B once the charger's output is off (charge.ts).
// SDP and the TCP connect bound are the same for -2 and -20: their limits come from the iso15118-20 profile,
// which cites the -2 clauses for them.

import type { Clock } from '../../core/clock.ts';
import { BenchFault } from '../../core/errors.ts';
import { HarnessLatency } from '../../core/harness-latency.ts';
import { Limits } from '../../core/limits.ts';
import type { Timeline } from '../../core/timeline.ts';
import type { CpPilot } from '../../pilot/cp.ts';
import { join } from 'node:path';
import type { MessageLink } from '../evcc/link.ts';
import { memoryEndpoint } from '../evcc/memory-endpoint.ts';
import { ConstantRequestModel, type ConstantRequestSettings, type EvPowerPath, type EvRequestModel } from '../evcc/vehicle-model.ts';
import { CcsChargeLoop } from './charge.ts';
import { connectCcsCharger } from './connect.ts';
import { offersOverTls, wantsTls } from './tls.ts';
import { CcsMessageCodec } from './codec.ts';
import { LIMIT_PROFILE, type CcsProtocol, type OfferedProtocol } from './protocols.ts';
import { CcsEvccSession } from './session.ts';

export const CCS_EV_KIND = 'ccs-ev';

export interface CcsVehicleSettings {
  /** In-process: the emulated CCS charger resource to connect to without sockets. */
  memory?: string;
  /** Offered in supportedAppProtocolReq in this order of preference (default -2, then DIN). */
  protocols?: OfferedProtocol[];
  evccId?: string;
  /** -2: ask ServiceDetail for the charge service (default off). */
  serviceDetail?: boolean;
  /** WeldingDetection after the stop (default on). */
  weldingDetection?: boolean;
  /** The default request model (a fixed pack voltage and request) when no profile model is set. */
  request?: ConstantRequestSettings;
  /** Ask for TLS 1.2 in SDP for sessions that may run ISO 15118-2 (default false; DIN never uses TLS). */
  tls?: boolean;
  /** Write each TLS session's keys (SSLKEYLOGFILE format) into the run folder (default false). */
  keylog?: boolean;
}

export interface CcsVehicleContext {
  clock: Clock;
  timeline: Timeline;
  /** Bench timer overrides (ms). */
  timers?: Record<string, number>;
  /** The vehicle's end of the PLC link (after SLAC), for SDP and TCP. */
  network?: { interface: string; address?: string; slac: () => Promise<{ joined: boolean; stoppedAt?: string }> };
  pilot?: CpPilot;
  power?: EvPowerPath;
  /** Timeline source of the battery emulator's samples (the trace the suites judge against). */
  powerSource?: string;
  maxCurrentA?: number;
  /** The run's folder, where TLS key logs go. */
  runDir?: string;
  /** A lab's V2G root PEM files for -2 TLS (default the generated -2 test PKI's root). */
  v2gRootFiles?: string[];
}

export class CcsVehicle {
  readonly kind = CCS_EV_KIND;
  readonly profiles: Record<CcsProtocol, Limits> = { din: Limits.load(LIMIT_PROFILE.din), iso2: Limits.load(LIMIT_PROFILE.iso2) };
  private readonly transport = Limits.load('iso15118-20');
  model: EvRequestModel;
  private current: CcsChargeLoop | undefined;
  private readonly sessions = new Set<CcsEvccSession>();
  /** The vehicle's own latency (how late its timers fire): the uncertainty of the timing verdicts on its wire stamps. */
  readonly latency = new HarnessLatency();
  /** Every TLS key log written, in order (a test attaches the ones its sessions wrote). */
  readonly sessionKeylogs: string[] = [];
  private connections = 0;

  constructor(
    readonly name: string,
    readonly settings: CcsVehicleSettings,
    readonly ctx: CcsVehicleContext,
  ) {
    this.model = new ConstantRequestModel(settings.request);
  }

  /** The charge running now, if any. */
  get charging(): CcsChargeLoop | undefined {
    return this.current?.running ? this.current : undefined;
  }

  get pilot(): CpPilot | undefined {
    return this.ctx.pilot;
  }

  setModel(model: EvRequestModel): void {
    this.model = model;
  }

  /**
   * SLAC + SDP + TCP (or TLS 1.2, see connect.ts) on the PLC link, or the in-process endpoint. Returns the
   * protocols to offer on it: inside TLS not DIN, which has no TLS.
   */
  async connect(offers: readonly OfferedProtocol[]): Promise<{ link: MessageLink; offers: OfferedProtocol[] }> {
    if (this.settings.memory) {
      const ep = memoryEndpoint(this.settings.memory);
      if (!ep) throw new BenchFault(`${this.name}: no in-process charger '${this.settings.memory}' to connect to`, this.name);
      return { link: ep.connect(this.name), offers: [...offers] };
    }
    const net = this.ctx.network;
    if (!net) throw new BenchFault(`${this.name}: neither 'plc' nor 'memory' set: nothing to talk on`, this.name);
    const slac = await net.slac();
    if (!slac.joined) throw new BenchFault(`${this.name}: SLAC did not match a charger (stopped at ${slac.stoppedAt})`, this.name);
    const n = ++this.connections;
    const keylogFile = this.settings.keylog && this.ctx.runDir ? join(this.ctx.runDir, 'keylogs', `${this.name}-${n}.keylog`) : undefined;
    const c = await connectCcsCharger({
      clock: this.ctx.clock,
      timeline: this.ctx.timeline,
      source: this.name,
      interface: net.interface,
      address: net.address,
      limits: this.transport,
      askTls: wantsTls(this.settings.tls, offers),
      keylogFile,
      v2gRootFiles: this.ctx.v2gRootFiles,
    });
    if (c.keylogFile) this.sessionKeylogs.push(c.keylogFile);
    return { link: c.link, offers: c.tls ? offersOverTls(offers) : [...offers] };
  }

  /** Plugged in (CP B) and connected, nothing sent yet: for step-by-step and negative tests. */
  async openSession(o: { protocols?: OfferedProtocol[] } = {}): Promise<CcsEvccSession> {
    await this.ctx.pilot?.setVehicleState('B');
    const communicationSetupStartMs = this.ctx.clock.nowMs();
    const { link, offers } = await this.connect(o.protocols ?? this.settings.protocols ?? ['iso2', 'din']);
    const session = new CcsEvccSession({
      clock: this.ctx.clock,
      timeline: this.ctx.timeline,
      source: this.name,
      link,
      codec: new CcsMessageCodec(),
      limits: this.profiles,
      timerOverrides: this.ctx.timers,
      model: this.model,
      power: this.ctx.power,
      preference: offers,
      evccId: this.settings.evccId,
      serviceDetail: this.settings.serviceDetail,
      weldingDetection: this.settings.weldingDetection,
      communicationSetupStartMs,
    });
    this.sessions.add(session);
    return session;
  }

  /** supportedAppProtocol … PowerDelivery(Start); the CurrentDemand loop then runs on its own. */
  async startCharging(o: { protocols?: OfferedProtocol[] } = {}): Promise<CcsChargeLoop> {
    if (this.current?.running) throw new BenchFault(`${this.name}: a charging session is already running; stop it first`, this.name);
    const session = await this.openSession(o);
    try {
      await session.runUntil('PowerDelivery', {
        beforeCableCheck: () => this.ctx.pilot?.setVehicleState('C') ?? Promise.resolve(),
        // Pre-charge matched: the vehicle closes its contactors, then asks for power.
        beforePowerDelivery: async () => void (await this.ctx.power?.setContactors(true)),
      });
    } catch (e) {
      await this.ctx.power?.setContactors(false);
      await this.ctx.pilot?.setVehicleState('B');
      await session.end(`start failed: ${(e as Error).message}`);
      throw e;
    }
    this.current = new CcsChargeLoop({ session, pilot: this.ctx.pilot, maxCurrentA: this.ctx.maxCurrentA, latency: this.latency });
    return this.current;
  }

  /** The vehicle's safe state: stop a running charge the standard's way, end open sessions, contactors open, CP B. */
  async safeState(): Promise<void> {
    const loop = this.current;
    this.current = undefined;
    if (loop?.running) await loop.stop().catch(() => undefined);
    for (const s of this.sessions) await s.end('safe state');
    this.sessions.clear();
    await this.ctx.power?.setContactors(false);
    const cp = this.ctx.pilot;
    if (cp && ['C', 'D'].includes((await cp.read()).state)) await cp.setVehicleState('B');
  }
}
