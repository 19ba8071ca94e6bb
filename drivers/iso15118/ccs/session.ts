// The EVCC side of a DIN 70121 / ISO 15118-2 DC session (EIM), one method per message pair, walked by the
// vehicle (runUntil, then the charge loop of charge.ts) or step by step by a test. It is built from the -20
// vehicle's blocks: the MessageLink, exchangeOnce (send, wait V2G_EVCC_Msg_Timeout, decode, never throw for
// what the charger does) and the MessageDecorator that records every frame on the timeline as kind 'v2g';
// what is its own is the protocol: the V2G_Message codec, the request bodies and the order of the flow.

import type { Clock } from '../../core/clock.ts';
import type { Limits } from '../../core/limits.ts';
import type { Timeline } from '../../core/timeline.ts';
import { V2gSessionError, type Exchange, type ExchangeOptions } from '../evcc/exchange.ts';
import type { MessageLink } from '../evcc/link.ts';
import { V2gSessionBase } from '../evcc/session-base.ts';
import type { EvPowerPath, EvRequestModel } from '../evcc/vehicle-model.ts';
import type { CcsMessageCodec } from './codec.ts';
import { walkCcsFlow, type CcsFlowHooks } from './flow.ts';
import { appProtocolOffers, PROTOCOL_NAMES, requestName, selectedProtocol } from './protocols.ts';
import type { CcsProtocol, CcsStep, OfferedProtocol } from './protocols.ts';
import * as body from './requests.ts';
import { CcsTimers } from './timers.ts';

/** SessionID of the SessionSetupReq (no session yet): one zero byte, as the real cars send it. */
export const NO_SESSION_ID = '00';
/** EVRESSSOC of a request model that knows no state of charge: mid-range, which no charger reads as full or empty. */
const UNKNOWN_SOC_PCT = 50;
/** CurrentDemand exchanges kept in RAM: enough for a test's look back over the loop; the timeline keeps them all. */
const KEPT_CHARGE_LOOP_EXCHANGES = 200;

export interface CcsSessionOptions {
  clock: Clock;
  timeline: Timeline;
  /** Timeline source (the vehicle resource's name). */
  source: string;
  link: MessageLink;
  codec: CcsMessageCodec;
  /** The limit profile of each protocol (timers, the vehicle's own bands). */
  limits: Record<CcsProtocol, Limits>;
  /** Bench overrides of the timers (ms, by name without 'timer.'). */
  timerOverrides?: Record<string, number>;
  model: EvRequestModel;
  power?: EvPowerPath;
  /** Offered in this order of preference (default -2, then DIN). */
  preference?: OfferedProtocol[];
  /** EVCCID: the vehicle's MAC as 12 hex digits. */
  evccId?: string;
  /** -2: ask ServiceDetail for the charge service (optional in the standard; default off, as most cars). */
  serviceDetail?: boolean;
  /** WeldingDetection after PowerDelivery(Stop) (optional for the vehicle; default on; some real cars skip it). */
  weldingDetection?: boolean;
  /** Clock ms the vehicle was plugged in (CP B): V2G_EVCC_CommunicationSetup_Timeout runs from here to SessionSetupRes. */
  communicationSetupStartMs?: number;
}

export type { CcsFlowHooks };

export class CcsEvccSession extends V2gSessionBase<CcsSessionOptions> {
  sessionId = NO_SESSION_ID;
  /** The protocol supportedAppProtocolRes selected (undefined before). */
  protocol: CcsProtocol | undefined;
  chargeServiceId = 1;
  saScheduleTupleId: number | undefined;
  /** The charger's DC maxima from ChargeParameterDiscoveryRes (V, A, W). */
  evseMax: { voltageV: number; currentA: number; powerW: number } | undefined;
  private stopped = false;
  readonly preference: OfferedProtocol[];

  constructor(o: CcsSessionOptions) {
    super(o);
    this.preference = o.preference ?? ['iso2', 'din'];
  }
  get model(): EvRequestModel {
    return this.o.model;
  }
  get power(): EvPowerPath | undefined {
    return this.o.power;
  }
  get doesWeldingDetection(): boolean {
    return this.o.weldingDetection !== false;
  }

  /** The negotiated protocol's limit profile (the first CCS protocol offered before negotiation). */
  get limits(): Limits {
    const first = this.preference.find((p): p is CcsProtocol => p !== 'iso20-dc') ?? 'iso2';
    return this.o.limits[this.protocol ?? first];
  }

  get timers(): CcsTimers {
    return new CcsTimers(this.limits, this.o.timerOverrides);
  }

  protected msgTimers(): (message: string) => number {
    return this.timers.msgTimeoutMs;
  }

  /** DIN / -2 headers carry no TimeStamp (the codec would drop one): the evidence shows the header as sent. */
  protected header(id?: string): { SessionID: string; TimeStamp: number } {
    return { SessionID: id ?? this.sessionId } as { SessionID: string; TimeStamp: number };
  }

  /** Every DIN / -2 message is a 0x8001 frame: the 'app' grammar slot; the codec knows the negotiated protocol. */
  protected override exchangeDefaults(): ExchangeOptions {
    return { grammar: 'app' };
  }

  /** The charge loop runs for hours: only its latest cycles stay in RAM (the timeline has all). */
  protected remember(ex: Exchange): void {
    if (ex.message === 'CurrentDemand' && this.exchanges.length > KEPT_CHARGE_LOOP_EXCHANGES) {
      const i = this.exchanges.findIndex((x) => x.message === 'CurrentDemand');
      if (i >= 0) this.exchanges.splice(i, 1);
    }
    this.exchanges.push(ex);
  }

  /** DIN / -2 go on with OK* codes only. */
  protected accepts(code: string): boolean {
    return code.startsWith('OK');
  }

  /** DIN / -2 SessionIDs are hex of any case. */
  protected isThisSession(sid: string): boolean {
    return sid.toUpperCase() === this.sessionId;
  }

  /** Repeat a request while the charger answers EVSEProcessing=Ongoing, bounded by a timer of the standard. */
  private async whileOngoing(
    message: string,
    content: () => Record<string, unknown>,
    timer: 'V2G_EVCC_Ongoing_Timeout' | 'V2G_EVCC_CableCheck_Timeout',
  ): Promise<Exchange> {
    const t = this.timers;
    const t0 = this.o.clock.nowMs();
    for (;;) {
      const ex = await this.must(message, content());
      const processing = String(ex.body?.EVSEProcessing ?? 'Finished');
      if (!processing.startsWith('Ongoing')) return ex;
      if (this.o.clock.nowMs() - t0 >= t.get(timer))
        throw new V2gSessionError('timer-expired', `${message}: still ${processing} after ${t.get(timer)} ms (${timer})`, ex);
      await this.o.clock.sleep(t.get('EVCC_Processing_Poll'));
    }
  }

  private request(step: CcsStep): string {
    if (!this.protocol) throw new V2gSessionError('unexpected-response', `${step}: no protocol negotiated (supportedAppProtocol first)`);
    const name = requestName(this.protocol, step);
    if (!name) throw new RangeError(`${PROTOCOL_NAMES[this.protocol]} has no ${step}`);
    return name;
  }

  private ev(ready = true): body.EvState {
    return { ready, soc: this.o.model.soc?.() ?? UNKNOWN_SOC_PCT };
  }

  // ------------------------------------------------------------------------------------------ the steps

  async supportedAppProtocol(): Promise<Exchange> {
    const ex = await this.must('supportedAppProtocol', { AppProtocol: appProtocolOffers(this.preference) }, [
      'OK_SuccessfulNegotiation',
      'OK_SuccessfulNegotiationWithMinorDeviation',
    ]);
    const chosen = selectedProtocol(this.preference, ex.body?.SchemaID);
    if (chosen === undefined) throw new V2gSessionError('unexpected-response', `SchemaID ${ex.body?.SchemaID} is none of our offers`, ex);
    if (chosen === 'iso20-dc')
      throw new V2gSessionError('no-service', 'the charger chose ISO 15118-20: the iso15118-ev vehicle runs that', ex);
    this.protocol = chosen;
    this.o.codec.protocol = chosen;
    this.note('protocol negotiated', { protocol: chosen, name: PROTOCOL_NAMES[chosen] });
    return ex;
  }

  async sessionSetup(): Promise<Exchange> {
    this.request('SessionSetup');
    const ex = await this.must('SessionSetup', { EVCCID: this.o.evccId ?? '02004D43534C' }, [
      'OK',
      'OK_NewSessionEstablished',
      'OK_OldSessionJoined',
    ]);
    const sid = String(ex.body?.Header?.SessionID ?? '').toUpperCase();
    if (!/^[0-9A-F]{2,16}$/.test(sid) || /^0+$/.test(sid))
      throw new V2gSessionError('unexpected-response', `SessionSetupRes SessionID '${sid}' is not a new session id`, ex);
    this.sessionId = sid;
    this.note('session established', { sessionId: sid, responseCode: ex.responseCode });
    const start = this.o.communicationSetupStartMs;
    const bound = this.timers.get('V2G_EVCC_CommunicationSetup_Timeout');
    if (start !== undefined && this.o.clock.nowMs() - start > bound)
      throw new V2gSessionError(
        'timer-expired',
        `SessionSetupRes ${Math.round(this.o.clock.nowMs() - start)} ms after plug-in (V2G_EVCC_CommunicationSetup_Timeout ${bound} ms)`,
        ex,
      );
    return ex;
  }

  async serviceDiscovery(): Promise<Exchange> {
    const ex = await this.must(this.request('ServiceDiscovery'), {});
    const b = ex.body ?? {};
    const options: string[] = (b.PaymentOptionList ?? b.PaymentOptions)?.PaymentOption ?? [];
    if (!options.includes('ExternalPayment'))
      throw new V2gSessionError('no-service', `the charger offers no external payment (EIM): ${options.join(', ')}`, ex);
    const service = b.ChargeService;
    this.chargeServiceId = service?.ServiceID ?? service?.ServiceTag?.ServiceID ?? 1;
    const modes: string[] = service?.SupportedEnergyTransferMode?.EnergyTransferMode ?? [service?.EnergyTransferType].filter(Boolean);
    if (!modes.some((m) => m.startsWith('DC')))
      throw new V2gSessionError('no-service', `the charge service offers no DC energy transfer: ${modes.join(', ')}`, ex);
    return ex;
  }

  /** -2 only, and only when the vehicle asks for it: ServiceDetail of the charge service. */
  async serviceDetail(): Promise<Exchange | undefined> {
    if (this.protocol !== 'iso2' || !this.o.serviceDetail) return undefined;
    return this.must('ServiceDetail', { ServiceID: this.chargeServiceId });
  }

  async paymentSelection(): Promise<Exchange> {
    return this.must(this.request('PaymentSelection'), body.paymentSelectionBody(this.chargeServiceId));
  }

  async authorization(): Promise<Exchange> {
    return this.whileOngoing(this.request('Authorization'), () => ({}), 'V2G_EVCC_Ongoing_Timeout');
  }

  async chargeParameterDiscovery(): Promise<Exchange> {
    const content = () => body.chargeParameterDiscoveryBody(this.protocol!, this.o.model.limits, this.ev(false));
    const ex = await this.whileOngoing(this.request('ChargeParameterDiscovery'), content, 'V2G_EVCC_Ongoing_Timeout');
    const dc = ex.body?.DC_EVSEChargeParameter ?? {};
    this.evseMax = {
      voltageV: body.fromPhysical(dc.EVSEMaximumVoltageLimit),
      currentA: body.fromPhysical(dc.EVSEMaximumCurrentLimit),
      powerW: body.fromPhysical(dc.EVSEMaximumPowerLimit),
    };
    this.saScheduleTupleId = ex.body?.SAScheduleList?.SAScheduleTuple?.[0]?.SAScheduleTupleID;
    return ex;
  }

  async cableCheck(): Promise<Exchange> {
    return this.whileOngoing(this.request('CableCheck'), () => body.cableCheckBody(this.ev()), 'V2G_EVCC_CableCheck_Timeout');
  }

  /**
   * PreChargeReq again and again until the charger's voltage is within the vehicle's match band of its battery
   * (the standards leave that band to the EV: evcc.preChargeMatchV), bounded by V2G_EVCC_PreCharge_Timeout.
   * The vehicle asks for no more than the precharge current IEC 61851-23 allows (precharge.maxCurrentA).
   */
  async preCharge(): Promise<Exchange[]> {
    const t = this.timers;
    const bound = t.get('V2G_EVCC_PreCharge_Timeout');
    const matchV = this.limits.num('evcc.preChargeMatchV');
    const currentA = Math.min(this.limits.num('precharge.maxCurrentA'), this.o.model.limits.maxCurrentA);
    const t0 = this.o.clock.nowMs();
    const out: Exchange[] = [];
    for (;;) {
      const v = await this.batteryVoltage();
      const ex = await this.must(this.request('PreCharge'), body.preChargeBody(this.ev(), v, currentA));
      out.push(ex);
      const evseV = body.fromPhysical(ex.body?.EVSEPresentVoltage);
      this.lastPresent = { currentA: 0, voltageV: evseV };
      if (Math.abs(evseV - v) <= matchV) return out;
      if (this.o.clock.nowMs() - t0 >= bound)
        throw new V2gSessionError('timer-expired', `PreCharge: charger at ${evseV} V, battery at ${v} V after ${bound} ms`, ex);
      await this.o.clock.sleep(t.get('EVCC_Processing_Poll'));
    }
  }

  /** The battery voltage the vehicle measures (battery emulator), else its model's. */
  async batteryVoltage(): Promise<number> {
    if (this.o.power) this.o.model.observe?.(await this.o.power.batteryVoltageV());
    return this.o.model.presentVoltageV();
  }

  async powerDelivery(start: boolean): Promise<Exchange> {
    const ex = await this.must(
      this.request('PowerDelivery'),
      body.powerDeliveryBody(this.protocol!, start, this.ev(), this.saScheduleTupleId),
    );
    if (!start) this.stopped = true;
    return ex;
  }

  async currentDemand(target: { currentA: number; voltageV: number }): Promise<Exchange> {
    const content = body.currentDemandBody(this.protocol!, this.o.model.limits, this.ev(), target);
    const ex = await this.must('CurrentDemand', content);
    this.lastPresent = {
      currentA: body.fromPhysical(ex.body?.EVSEPresentCurrent),
      voltageV: body.fromPhysical(ex.body?.EVSEPresentVoltage),
    };
    return ex;
  }

  /** WeldingDetection until the charger's voltage is below the output-off level, bounded as the real cars do. */
  async weldingDetection(): Promise<Exchange> {
    const t = this.timers;
    const offV = this.limits.num('evcc.outputOffVoltageV');
    const t0 = this.o.clock.nowMs();
    for (;;) {
      const ex = await this.must('WeldingDetection', body.weldingDetectionBody(this.ev(false)));
      const v = body.fromPhysical(ex.body?.EVSEPresentVoltage);
      this.lastPresent = { currentA: 0, voltageV: v };
      if (v <= offV || this.o.clock.nowMs() - t0 >= this.limits.num('evcc.weldingDetectionMaxMs')) return ex;
      await this.o.clock.sleep(t.get('EVCC_Processing_Poll'));
    }
  }

  async sessionStop(): Promise<Exchange> {
    const ex = await this.must('SessionStop', body.sessionStopBody(this.protocol!));
    this.sessionId = NO_SESSION_ID;
    return ex;
  }

  /** Each step of the flow up to and including `last` (PowerDelivery = Start); the hooks run at their steps. */
  runUntil(last: CcsStep, hooks: CcsFlowHooks = {}): Promise<Exchange | undefined> {
    return walkCcsFlow(this, last, hooks);
  }

  // ------------------------------------------------------------------- misbehaviour on purpose (negative tests)

  /** The test breaks this session on purpose: no SessionStop at its end. */
  breaksOnPurpose(why: string): void {
    this.brokenOnPurpose = why;
    this.note('session broken on purpose', { why });
  }

  /** A session is set up and nothing has ended it. */
  get open(): boolean {
    return this.sessionId !== NO_SESSION_ID && !this.o.link.closed && !this.brokenOnPurpose;
  }

  /** End as the standard intends (PowerDelivery(Stop) if power was started, SessionStop), then close TCP. Never throws. */
  async end(reason: string): Promise<string> {
    let how = 'link closed';
    try {
      if (this.open) {
        if (!this.stopped && this.exchanges.some((x) => x.message === 'PowerDelivery' && x.outcome === 'response'))
          await this.powerDelivery(false);
        await this.sessionStop();
        how = 'SessionStop';
      }
    } catch (e) {
      how = `SessionStop failed: ${(e as Error).message}`;
    }
    this.note('session ended', { reason, how });
    await this.o.link.close().catch(() => undefined);
    return how;
  }
}
