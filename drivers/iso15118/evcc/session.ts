// The EVCC side of an ISO 15118-20 DC/MCS session, one method per message pair, so a test can walk it
// (runUntil(message), end()) or go step by step and misbehave on purpose (exchange() with any message,
// SessionID or payload type; sendRaw(); pause(); dropLink()). Frames go on the timeline via the link.
// exchange() never throws for what the charger does (timeout, close, FAILED): it returns the outcome to
// judge. The normal flow's steps throw a V2gSessionError when the answer does not let the session go on.

import type { Limits } from '../../core/limits.ts';
import { NAMESPACE_DC, ServiceId, ZERO_SESSION_ID, fromRational, type ParameterSet } from './messages.ts';
import { walkFlow, type FlowHooks, type FlowStep } from './flow.ts';
import { V2gSessionBase } from './session-base.ts';
import type { EvccSessionOptions } from './session-options.ts';
import {
  chargeLoopBody,
  chargeParameterDiscoveryBody,
  powerDeliveryBody,
  preChargeBody,
  scheduleExchangeBody,
  type ControlMode,
} from './request-builders.ts';
import { chooseParameterSet } from './service-choice.ts';
import type { SessionTimers } from './timers.ts';
import type { EvPowerPath, EvRequestModel } from './vehicle-model.ts';
import { V2gSessionError, type Exchange } from './exchange.ts';
import { endSession, sessionIsOpen } from './session-end.ts';
import { waitForClose, type CloseWait } from './wait-for-close.ts';

/** Charge-loop exchanges an EVCC session keeps in RAM (remember()). */
const KEEP_LOOP_EXCHANGES = 100;

export { V2gSessionError, type Exchange, type ExchangeOptions, type ExchangeOutcome, type V2gSessionErrorKind } from './exchange.ts';
export { NORMAL_FLOW, type FlowStep } from './flow.ts';
export type { EvccSessionOptions } from './session-options.ts';
export type { ControlMode };

export class EvccSession extends V2gSessionBase<EvccSessionOptions> {
  sessionId = ZERO_SESSION_ID;
  /** What the charger offered / we chose. */
  offeredServices: number[] = [];
  serviceDetails = new Map<number, ParameterSet[]>();
  selected: { serviceId: number; parameterSetId: number; controlMode: ControlMode } | undefined;
  evseLimits: Record<string, number> = {};
  scheduleTupleId: number | undefined;
  readonly controlModeWanted: ControlMode;

  constructor(o: EvccSessionOptions) {
    super(o);
    this.controlModeWanted = o.controlMode ?? 'Scheduled';
  }

  get timers(): SessionTimers {
    return this.o.timers;
  }
  /** Clock ns the TCP/TLS connection was established (V2G_EVCC_CommunicationSetup_Timeout starts here, Table 221). */
  get establishedAtNs(): number | undefined {
    return this.o.establishedAtNs;
  }

  protected header(sessionId = this.sessionId): { SessionID: string; TimeStamp: number } {
    return { SessionID: sessionId, TimeStamp: Math.floor(this.o.clock.wallMs() / 1000) };
  }

  // ------------------------------------------------------------------------------------ raw exchanges

  protected msgTimers(): SessionTimers {
    return this.o.timers;
  }

  /**
   * A charge loop runs for hours: of its cycles only the latest KEEP_LOOP_EXCHANGES stay in RAM (the timeline
   * has every one). The setup exchanges before it are kept whole.
   */
  protected remember(ex: Exchange): void {
    const xs = this.exchanges;
    const k = xs.length - KEEP_LOOP_EXCHANGES;
    if (ex.message === 'DC_ChargeLoop' && k >= 0 && xs[k].message === 'DC_ChargeLoop') xs.splice(k, 1);
    xs.push(ex);
  }

  /** Wait until the charger closes the connection (or timeoutMs passes); ms it took, or undefined. */
  waitForClose(timeoutMs: number): Promise<CloseWait> {
    return waitForClose(this.o.link, this.o.clock, timeoutMs);
  }

  /** -20 goes on with OK* and WARNING* codes. */
  protected accepts(code: string): boolean {
    return code.startsWith('OK') || code.startsWith('WARNING');
  }

  protected isThisSession(sid: string): boolean {
    return sid === this.sessionId;
  }

  /** Repeat a request while the charger says Ongoing, bounded by a timer of the standard. */
  private async whileOngoing(
    message: string,
    content: () => Record<string, unknown>,
    timerName: keyof SessionTimers,
    field = 'EVSEProcessing',
  ): Promise<Exchange> {
    const bound = this.o.timers[timerName] as number;
    const t0 = this.o.clock.nowMs();
    for (;;) {
      const ex = await this.must(message, content());
      if (ex.body?.[field] !== 'Ongoing' && ex.body?.[field] !== 'Ongoing_WaitingForCustomerInteraction') return ex;
      if (this.o.clock.nowMs() - t0 >= bound)
        throw new V2gSessionError('timer-expired', `${message}: still Ongoing after ${bound} ms (${String(timerName)})`, ex);
      await this.o.clock.sleep(this.o.timers.EVCC_Processing_Poll);
    }
  }

  // --------------------------------------------------------------------------------------- the steps

  async supportedAppProtocol(): Promise<Exchange> {
    const offers = this.o.appProtocols ?? [
      { ProtocolNamespace: NAMESPACE_DC, VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 },
    ];
    return this.must('supportedAppProtocol', { AppProtocol: offers }, [
      'OK_SuccessfulNegotiation',
      'OK_SuccessfulNegotiationWithMinorDeviation',
    ]);
  }

  async sessionSetup(): Promise<Exchange> {
    const ex = await this.must('SessionSetup', { EVCCID: this.o.evccId ?? 'MCSHIL0000000001' }, [
      'OK',
      'OK_NewSessionEstablished',
      'OK_OldSessionJoined',
    ]);
    const sid = String(ex.body?.Header?.SessionID ?? '');
    if (!/^[0-9A-F]{16}$/i.test(sid) || sid === ZERO_SESSION_ID)
      throw new V2gSessionError('unexpected-response', `SessionSetupRes SessionID '${sid}' is not a new 8-byte session id`, ex);
    this.sessionId = sid.toUpperCase();
    this.note('session established', { sessionId: this.sessionId, responseCode: ex.responseCode });
    const start = this.o.communicationSetupStartMs;
    if (start !== undefined && this.o.clock.nowMs() - start > this.o.timers.V2G_EVCC_CommunicationSetup_Timeout)
      throw new V2gSessionError(
        'timer-expired',
        `SessionSetupRes ${(this.o.clock.nowMs() - start).toFixed(0)} ms after communication setup began (V2G_EVCC_CommunicationSetup_Timeout ${this.o.timers.V2G_EVCC_CommunicationSetup_Timeout} ms)`,
        ex,
      );
    return ex;
  }

  async authorizationSetup(): Promise<Exchange> {
    const ex = await this.must('AuthorizationSetup', {});
    const services: string[] = ex.body?.AuthorizationServices ?? [];
    if (!services.includes('EIM'))
      throw new V2gSessionError('no-service', `the charger offers no EIM authorization (${services.join(', ')})`, ex);
    return ex;
  }

  async authorization(): Promise<Exchange> {
    return this.whileOngoing(
      'Authorization',
      () => ({ SelectedAuthorizationService: 'EIM', EIM_AReqAuthorizationMode: {} }),
      'V2G_EVCC_Ongoing_Timeout',
    );
  }

  async serviceDiscovery(): Promise<Exchange> {
    const ex = await this.must('ServiceDiscovery', {});
    this.offeredServices = (ex.body?.EnergyTransferServiceList?.Service ?? []).map((s: { ServiceID: number }) => s.ServiceID);
    return ex;
  }

  /** ServiceDetail for one service (default: every offered service we could use). */
  async serviceDetail(serviceId?: number): Promise<Exchange[]> {
    const ids = serviceId !== undefined ? [serviceId] : this.preference().filter((id) => this.offeredServices.includes(id));
    const out: Exchange[] = [];
    for (const id of ids) {
      const ex = await this.must('ServiceDetail', { ServiceID: id });
      this.serviceDetails.set(id, ex.body?.ServiceParameterList?.ParameterSet ?? []);
      out.push(ex);
    }
    return out;
  }

  private preference(): number[] {
    return this.o.servicePreference ?? [ServiceId.MCS, ServiceId.MCS_BPT, ServiceId.DC];
  }

  /** Choose the first preferred offered service and the parameter set with the wanted control mode. */
  async serviceSelection(choice?: { serviceId: number; parameterSetId: number }): Promise<Exchange> {
    const picked = chooseParameterSet(choice, this.controlModeWanted, this.preference(), this.offeredServices, this.serviceDetails);
    if (!picked) {
      const why = `no offered service (${this.offeredServices.join(', ')}) has a ${this.controlModeWanted} parameter set`;
      throw new V2gSessionError('no-service', why);
    }
    const { controlMode: mode, ...sel } = picked;
    const ex = await this.must('ServiceSelection', {
      SelectedEnergyTransferService: { ServiceID: sel.serviceId, ParameterSetID: sel.parameterSetId },
    });
    this.selected = { ...sel, controlMode: mode };
    this.note('service selected', this.selected);
    return ex;
  }

  private get isBpt(): boolean {
    return this.selected?.serviceId === ServiceId.MCS_BPT || this.selected?.serviceId === ServiceId.DC_BPT;
  }

  async chargeParameterDiscovery(): Promise<Exchange> {
    const content = chargeParameterDiscoveryBody(this.o.model.limits, this.isBpt);
    const ex = await this.must('DC_ChargeParameterDiscovery', content);
    const res = ex.body?.DC_CPDResEnergyTransferMode ?? ex.body?.BPT_DC_CPDResEnergyTransferMode ?? {};
    this.evseLimits = {};
    for (const [k, v] of Object.entries(res))
      if (v && typeof v === 'object') this.evseLimits[k] = fromRational(v as { Exponent: number; Value: number });
    return ex;
  }

  async scheduleExchange(): Promise<Exchange> {
    const content = () => scheduleExchangeBody(this.o.model.limits, this.selected?.controlMode);
    const ex = await this.whileOngoing('ScheduleExchange', content, 'V2G_EVCC_Ongoing_Timeout');
    this.scheduleTupleId = ex.body?.Scheduled_SEResControlMode?.ScheduleTuple?.[0]?.ScheduleTupleID;
    return ex;
  }

  async cableCheck(): Promise<Exchange> {
    return this.whileOngoing('DC_CableCheck', () => ({}), 'V2G_EVCC_CableCheck_Timeout');
  }

  /** PreCharge until the charger's voltage is within the match band of the battery, then once with Finished. */
  async preCharge(): Promise<Exchange[]> {
    const bound = this.o.timers.V2G_EVCC_PreCharge_Timeout;
    const matchV = this.o.limits.num('evcc.preChargeMatchV');
    const t0 = this.o.clock.nowMs();
    const out: Exchange[] = [];
    for (;;) {
      const v = await this.batteryVoltage();
      const ex = await this.must('DC_PreCharge', preChargeBody(v, 'Ongoing'));
      out.push(ex);
      const evseV = fromRational(ex.body?.EVSEPresentVoltage);
      this.lastPresent = { currentA: 0, voltageV: evseV };
      if (Math.abs(evseV - v) <= matchV) break;
      if (this.o.clock.nowMs() - t0 >= bound)
        throw new V2gSessionError(
          'timer-expired',
          `DC_PreCharge: charger at ${evseV} V, battery at ${v} V after ${bound} ms (V2G_EVCC_PreCharge_Timeout)`,
          ex,
        );
      await this.o.clock.sleep(this.o.timers.EVCC_Processing_Poll);
    }
    const v = await this.batteryVoltage();
    out.push(await this.must('DC_PreCharge', preChargeBody(v, 'Finished')));
    return out;
  }

  /** The battery voltage the vehicle measures (battery emulator), else its model's. */
  private async batteryVoltage(): Promise<number> {
    if (this.o.power) this.o.model.observe?.(await this.o.power.batteryVoltageV());
    return this.o.model.presentVoltageV();
  }

  get power(): EvPowerPath | undefined {
    return this.o.power;
  }

  get model(): EvRequestModel {
    return this.o.model;
  }

  get limits(): Limits {
    return this.o.limits;
  }

  async powerDelivery(progress: 'Start' | 'Stop'): Promise<Exchange> {
    return this.must('PowerDelivery', powerDeliveryBody(this.o.model.limits, progress, this.selected?.controlMode, this.scheduleTupleId));
  }

  /** One DC_ChargeLoop exchange with this target (the charge loop calls it each cycle). */
  async chargeLoopOnce(target: { currentA: number; voltageV: number }): Promise<Exchange> {
    const body = chargeLoopBody(
      this.o.model.limits,
      this.selected?.controlMode,
      target,
      this.o.model.presentVoltageV(),
      this.o.model.soc?.(),
    );
    const ex = await this.must('DC_ChargeLoop', body);
    this.lastPresent = { currentA: fromRational(ex.body?.EVSEPresentCurrent), voltageV: fromRational(ex.body?.EVSEPresentVoltage) };
    return ex;
  }

  /** WeldingDetection until the charger's voltage is below the safe level (output off), bounded by the Ongoing timer. */
  async weldingDetection(): Promise<Exchange> {
    const safeV = this.o.limits.num('evcc.outputOffVoltageV');
    const t0 = this.o.clock.nowMs();
    for (;;) {
      const probe = await this.must('DC_WeldingDetection', { EVProcessing: 'Ongoing' });
      const v = fromRational(probe.body?.EVSEPresentVoltage);
      this.lastPresent = { currentA: 0, voltageV: v };
      if (v <= safeV || this.o.clock.nowMs() - t0 >= this.o.timers.V2G_EVCC_Ongoing_Timeout) break;
      await this.o.clock.sleep(this.o.timers.EVCC_Processing_Poll);
    }
    return this.must('DC_WeldingDetection', { EVProcessing: 'Finished' });
  }

  async sessionStop(kind: 'Terminate' | 'Pause' = 'Terminate'): Promise<Exchange> {
    return this.must('SessionStop', { ChargingSession: kind });
  }

  /**
   * Walk the normal flow from supportedAppProtocol up to and including `last` (PowerDelivery = Start),
   * each step as its method does it; the hooks run just before DC_CableCheck / PowerDelivery.
   */
  async runUntil(last: FlowStep, hooks: FlowHooks = {}): Promise<Exchange | undefined> {
    return walkFlow(this, last, hooks);
  }

  /** The test breaks this session on purpose (FAILED path, timeout, framing error): no SessionStop at its end. */
  breaksOnPurpose(why: string): void {
    this.brokenOnPurpose = why;
    this.note('session broken on purpose: the next test waits for the charger to be idle', { why });
  }

  /** Whether a SessionStop would still mean something: a session is set up and nothing has ended it. */
  get open(): boolean {
    return sessionIsOpen(this);
  }

  /** End the session as the standard intends (SessionStop(Terminate) when open), then close TCP. Never throws. */
  async end(reason: string): Promise<string> {
    return endSession(this, reason);
  }
}
