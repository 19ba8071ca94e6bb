// The emulated MCS charger's ISO 15118-20 session state machine (SECC side): one instance per TCP/TLS
// connection. It takes one decoded request and gives back the response, plus whether the connection
// must close afterwards. Sequence rules come from its own table (secc-sequence.ts): a request that is
// not allowed next gets FAILED_SequenceError, a foreign SessionID FAILED_UnknownSession, and after any
// FAILED* response the SECC stops the session and closes the connection. Response bodies are built in
// secc-responses.ts, with the fault switches (faults.ts) that alter what they contain.

import { Prng } from '../power/prng.ts';
import type { Clock } from '../../drivers/core/clock.ts';
import {
  McsParameter,
  ServiceId,
  ZERO_SESSION_ID,
  fromRational,
  grammarOf,
  messageOfRoot,
  rootOf,
  toRational,
  type Grammar,
  type ParameterSet,
  type V2gDoc,
} from '../../drivers/iso15118/evcc/messages.ts';
import type { PowerStagePort } from './power-port.ts';
import type { SeccConfig, SeccDecision } from './secc-config.ts';
import { appProtocolAnswer } from './secc-app-protocol.ts';
import { chargeLoopAnswer } from './secc-charge-loop.ts';
import { chargeParameterMode, clamp, minimalMandatory, offeredServices } from './secc-responses.ts';
import { parameterSets, round1, scheduledControlMode } from './secc-responses.ts';
import { OngoingLoops, giveUp } from './secc-ongoing.ts';
import { NEXT_REQUESTS, SECC_HANDLED_REQUESTS, type SeccState } from './secc-sequence.ts';

export { minimalMandatory, type SeccRatings } from './secc-responses.ts';
export type { SeccConfig, SeccDecision } from './secc-config.ts';

/** The emulated charger counts its cable-check voltage as reached at this fraction of the test voltage. */
const CABLE_CHECK_VOLTAGE_REACHED = 0.95;

/** Session IDs from a seeded generator: unique within a run and the same on every run (a reproducible timeline). */
const sessionIdSource = new Prng(0x15118);
export function newSessionId(): string {
  const word = () =>
    Math.floor(sessionIdSource.next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return (word() + word()).toUpperCase();
}

export class SeccSession {
  sessionId: string | undefined;
  private seq: SeccState = 'WaitForSupportedAppProtocol';
  private authorizationCount = 0;
  private cableCheckStartMs: number | undefined;
  private offered: Map<number, ParameterSet[]> = new Map();
  selectedService: number | undefined;
  controlMode: 'Scheduled' | 'Dynamic' | undefined;
  evMaxVoltageV = Number.NaN;
  private cableCheckV = 0;
  /** Name of the state (the last request handled), for the timeline. */
  state = 'WaitForSupportedAppProtocol';
  ended = false;
  private readonly ongoing: OngoingLoops;

  constructor(
    private readonly cfg: SeccConfig,
    private readonly clock: Clock,
    private readonly power: PowerStagePort,
    /** Delay of the slow-response fault per message: past its performance time, inside the EVCC timeout. */
    private readonly slowResponseDelayMs: (message: string) => number,
  ) {
    this.ongoing = new OngoingLoops(cfg.holds, cfg.faults);
  }

  private fault(name: string): boolean {
    return this.cfg.faults.has(name);
  }

  private get output(): { owner?: unknown } {
    return (this.cfg.output ??= {});
  }

  /** This session drives the output from now on. */
  private claimOutput(): void {
    this.output.owner = this;
  }

  /** Whether this session is the one the output belongs to (what a stop of ours may switch off). */
  get ownsOutput(): boolean {
    return this.output.owner === this;
  }

  /** Switch the output off if it is ours; the session no longer drives it either way. */
  releaseOutput(reason: 'vehicle' | 'charger'): void {
    if (!this.ownsOutput) return;
    this.output.owner = undefined;
    if (this.power.outputEnabled) this.power.stop(reason);
  }

  private header(): { SessionID: string; TimeStamp: number } {
    return { SessionID: this.sessionId ?? ZERO_SESSION_ID, TimeStamp: Math.floor(this.clock.wallMs() / 1000) };
  }

  /** The handler of each request the SECC answers, once the session and sequence checks let it through. */
  private readonly handlers: Record<string, (body: any) => SeccDecision> = {
    SessionSetup: (b) => this.sessionSetup(b),
    AuthorizationSetup: () => this.authorizationSetup(),
    Authorization: (b) => this.authorization(b),
    ServiceDiscovery: () => this.serviceDiscovery(),
    ServiceDetail: (b) => this.serviceDetail(b),
    ServiceSelection: (b) => this.serviceSelection(b),
    DC_ChargeParameterDiscovery: (b) => this.chargeParameterDiscovery(b),
    ScheduleExchange: (b) => this.scheduleExchange(b),
    DC_CableCheck: () => this.cableCheck(),
    DC_PreCharge: (b) => this.preCharge(b),
    PowerDelivery: (b) => this.powerDelivery(b),
    DC_ChargeLoop: (b) => this.chargeLoop(b),
    DC_WeldingDetection: () => this.weldingDetection(),
    SessionStop: (b) => this.sessionStop(b),
  };

  /** Handle one decoded request that arrived with the given grammar (from its V2GTP payload type). */
  handle(doc: V2gDoc, grammar: Grammar): SeccDecision {
    let root: string;
    try {
      root = rootOf(doc);
    } catch {
      return { response: undefined, grammar, close: true, note: 'document without a single root element' };
    }
    const parsed = messageOfRoot(root);
    if (!parsed || parsed.kind !== 'Req' || grammarOf(parsed.message) !== grammar || !SECC_HANDLED_REQUESTS.has(parsed.message))
      return { response: undefined, grammar, close: true, note: `unexpected ${root} in grammar '${grammar}': connection closed` };
    const message = parsed.message;
    const body = doc[root] ?? {};

    if (message === 'supportedAppProtocol') {
      if (!this.allows(message)) return this.fail(message, 'FAILED_SequenceError', body);
      return this.sap(body);
    }
    // Session check (every -20 request after SessionSetup carries the SessionID of the session).
    const sid = String(body.Header?.SessionID ?? '').toUpperCase();
    if (message !== 'SessionSetup' && this.sessionId !== undefined && sid !== this.sessionId && !this.fault('unknown-session-accepted'))
      return this.fail(message, 'FAILED_UnknownSession', body, `SessionID ${sid} is not this session's ${this.sessionId}`);
    if (!this.allows(message) && !this.fault('sequence-error-missing')) {
      const why = `${message}Req not allowed after ${this.seq}; allowed: ${NEXT_REQUESTS[this.seq].join(', ')}`;
      return this.fail(message, 'FAILED_SequenceError', body, why);
    }
    this.state = message;
    const handler = Object.hasOwn(this.handlers, message) ? this.handlers[message] : undefined;
    return handler ? handler(body) : { response: undefined, grammar, close: true, note: `no handler for ${message}` };
  }

  /** Fault answers-after-failed: the ended session goes on for one more request. */
  reopenForFault(): void {
    this.ended = false;
  }

  /** The request just answered decides what may come next (secc-sequence.ts). */
  private go(state: SeccState): void {
    this.seq = state;
  }

  private allows(message: string): boolean {
    return NEXT_REQUESTS[this.seq].includes(message);
  }

  private ok(message: string, content: Record<string, unknown>, extra: Partial<SeccDecision> = {}): SeccDecision {
    // fault wrong-response-code: an OK answer says 'OK_CertificateExpiresSoon' (an OK code that means something else).
    const wrong = content.ResponseCode === 'OK' && message !== 'SessionSetup' && this.fault('wrong-response-code');
    if (wrong) content = { ...content, ResponseCode: 'OK_CertificateExpiresSoon' };
    const response = { [`${message}Res`]: { Header: this.header(), ...content } };
    return { response, grammar: grammarOf(message), close: false, ...this.slow(message), ...extra };
  }

  /** fault slow-response: every answer comes after its performance time (but before the EVCC timeout). */
  private slow(message: string): Partial<SeccDecision> {
    if (!this.fault('slow-response')) return {};
    const delayMs = this.slowResponseDelayMs(message);
    return { delayMs, note: `fault slow-response: answer delayed ${delayMs} ms` };
  }

  /** A FAILED* answer with every mandatory field present, then the session ends. */
  fail(message: string, code: string, reqBody: Record<string, any> = {}, note?: string): SeccDecision {
    this.ended = true;
    this.releaseOutput('charger');
    if (message === 'supportedAppProtocol')
      return { response: { supportedAppProtocolRes: { ResponseCode: 'Failed_NoNegotiation' } }, grammar: 'app', close: true, note };
    const content = { ResponseCode: code, ...minimalMandatory(message, reqBody) };
    return {
      response: { [`${message}Res`]: { Header: this.header(), ...content } },
      grammar: grammarOf(message),
      close: true,
      note: note ?? code,
    };
  }

  private sap(body: any): SeccDecision {
    const a = appProtocolAnswer(body, this.cfg.faults);
    const res = { supportedAppProtocolRes: { ResponseCode: a.code, ...(a.schemaId !== undefined ? { SchemaID: a.schemaId } : {}) } };
    if (a.code === 'Failed_NoNegotiation') {
      this.ended = true;
      return { response: res, grammar: 'app', close: true, note: a.note };
    }
    this.go('supportedAppProtocol');
    this.state = 'supportedAppProtocol';
    return { response: res, grammar: 'app', close: false, note: a.note, ...this.slow('supportedAppProtocol') };
  }

  private sessionSetup(body: any): SeccDecision {
    const asked = String(body.Header?.SessionID ?? ZERO_SESSION_ID).toUpperCase();
    let code: string;
    if (asked !== ZERO_SESSION_ID && this.cfg.pausedSessions.has(asked)) {
      this.sessionId = asked;
      this.cfg.pausedSessions.delete(asked);
      code = 'OK_OldSessionJoined';
    } else {
      this.sessionId = newSessionId();
      code = this.fault('wrong-response-code') ? 'OK' : 'OK_NewSessionEstablished';
    }
    this.go('SessionSetup');
    return this.ok('SessionSetup', { ResponseCode: code, EVSEID: this.cfg.evseId });
  }

  private authorizationSetup(): SeccDecision {
    this.go('AuthorizationSetup');
    return this.ok('AuthorizationSetup', {
      ResponseCode: 'OK',
      AuthorizationServices: ['EIM'],
      CertificateInstallationService: false,
      EIM_ASResAuthorizationMode: {},
    });
  }

  private authorization(body: any): SeccDecision {
    if (body.SelectedAuthorizationService !== 'EIM') {
      return this.fail('Authorization', 'WARNING_AuthorizationSelectionInvalid', body, 'only EIM is offered');
    }
    const held = this.ongoing.answer('Authorization', this.clock.nowMs());
    if (held === 'failed')
      return giveUp(this.cfg.faults, () => this.fail('Authorization', 'FAILED', body, this.ongoing.failNote('Authorization')));
    if (held === 'ongoing') {
      this.go('Authorization.Ongoing');
      return this.ok('Authorization', { ResponseCode: 'OK', EVSEProcessing: 'Ongoing' });
    }
    this.authorizationCount++;
    const finished = this.authorizationCount > this.cfg.authorizationOngoingCount;
    this.go(finished ? 'Authorization.Finished' : 'Authorization.Ongoing');
    return this.ok('Authorization', { ResponseCode: 'OK', EVSEProcessing: finished ? 'Finished' : 'Ongoing' });
  }

  private serviceDiscovery(): SeccDecision {
    const services = offeredServices(this.cfg.services, this.cfg.faults);
    for (const id of services) this.offered.set(id, parameterSets(id, this.cfg.faults));
    this.go('ServiceDiscovery');
    const list = { Service: services.map((id) => ({ ServiceID: id, FreeService: false })) };
    return this.ok('ServiceDiscovery', { ResponseCode: 'OK', ServiceRenegotiationSupported: false, EnergyTransferServiceList: list });
  }

  private serviceDetail(body: any): SeccDecision {
    const id = Number(body.ServiceID);
    const sets = this.offered.get(id);
    if (!sets) return this.fail('ServiceDetail', 'FAILED_ServiceIDInvalid', body, `service ${id} was not offered`);
    this.go('ServiceDetail');
    return this.ok('ServiceDetail', { ResponseCode: 'OK', ServiceID: id, ServiceParameterList: { ParameterSet: sets } });
  }

  private serviceSelection(body: any): SeccDecision {
    const sel = body.SelectedEnergyTransferService ?? {};
    const sets = this.offered.get(Number(sel.ServiceID));
    const set = sets?.find((s) => s.ParameterSetID === Number(sel.ParameterSetID));
    if (!set)
      return this.fail(
        'ServiceSelection',
        'FAILED_ServiceSelectionInvalid',
        body,
        `service ${sel.ServiceID} set ${sel.ParameterSetID} not offered`,
      );
    this.selectedService = Number(sel.ServiceID);
    const cm = set.Parameter.find((x) => x['@Name'] === 'ControlMode')?.intValue;
    this.controlMode = cm === McsParameter.ControlMode.Dynamic ? 'Dynamic' : 'Scheduled';
    this.go('ServiceSelection');
    return this.ok('ServiceSelection', { ResponseCode: 'OK' });
  }

  private chargeParameterDiscovery(body: any): SeccDecision {
    const bptService = this.selectedService === ServiceId.MCS_BPT || this.selectedService === ServiceId.DC_BPT;
    const hasBpt = 'BPT_DC_CPDReqEnergyTransferMode' in body;
    const hasPlain = 'DC_CPDReqEnergyTransferMode' in body;
    if ((bptService && !hasBpt) || (!bptService && !hasPlain))
      return this.fail(
        'DC_ChargeParameterDiscovery',
        'FAILED_WrongChargeParameter',
        body,
        'energy transfer mode does not match the selected service',
      );
    const ev = body.DC_CPDReqEnergyTransferMode ?? body.BPT_DC_CPDReqEnergyTransferMode;
    this.evMaxVoltageV = fromRational(ev.EVMaximumVoltage);
    if (Number.isFinite(this.evMaxVoltageV))
      this.power.setVehicleLimits?.({ maxVoltageV: this.evMaxVoltageV, maxCurrentA: fromRational(ev.EVMaximumChargeCurrent) });
    this.go('DC_ChargeParameterDiscovery');
    return this.ok('DC_ChargeParameterDiscovery', {
      ResponseCode: 'OK',
      ...chargeParameterMode(this.cfg.ratings, bptService, this.cfg.faults),
    });
  }

  private scheduleExchange(body: any): SeccDecision {
    const wantsDynamic = 'Dynamic_SEReqControlMode' in body;
    if ((wantsDynamic && this.controlMode !== 'Dynamic') || (!wantsDynamic && this.controlMode === 'Dynamic'))
      return this.fail(
        'ScheduleExchange',
        'FAILED',
        body,
        `ScheduleExchangeReq control mode does not match the selected ${this.controlMode} mode`,
      );
    const held = this.ongoing.answer('ScheduleExchange', this.clock.nowMs());
    if (held === 'failed')
      return giveUp(this.cfg.faults, () => this.fail('ScheduleExchange', 'FAILED', body, this.ongoing.failNote('ScheduleExchange')));
    this.go(held === 'ongoing' ? 'ScheduleExchange.Ongoing' : 'ScheduleExchange.Finished');
    const mode = wantsDynamic
      ? { Dynamic_SEResControlMode: {} }
      : scheduledControlMode(Math.floor(this.clock.wallMs() / 1000), this.cfg.ratings.maxPowerW);
    const processing = held === 'ongoing' ? 'Ongoing' : 'Finished';
    return this.ok('ScheduleExchange', { ResponseCode: 'OK', EVSEProcessing: processing, ...mode });
  }

  private cableCheck(): SeccDecision {
    const now = this.clock.nowMs();
    if (this.cableCheckStartMs === undefined) {
      this.cableCheckStartMs = now;
      // Insulation test at the lower of the EV's and the charger's maximum voltage.
      this.cableCheckV = Math.min(
        this.cfg.ratings.maxVoltageV,
        Number.isFinite(this.evMaxVoltageV) ? this.evMaxVoltageV : this.cfg.ratings.maxVoltageV,
      );
      this.claimOutput();
      this.power.cableCheck(this.cableCheckV);
    } else if (!this.ownsOutput || !this.power.outputEnabled) {
      // Our test voltage was switched off behind our back (another session took the connector, a
      // protection tripped): the insulation test cannot finish, so say so now instead of Ongoing forever.
      return this.fail('DC_CableCheck', 'FAILED', {}, 'output disabled during the cable check: insulation test aborted');
    }
    // Finished once the test voltage is up (the stage slews to it) and the insulation was watched long enough.
    const atVoltage = (this.power.measured?.() ?? this.power.present()).voltageV >= CABLE_CHECK_VOLTAGE_REACHED * this.cableCheckV;
    const done = now - this.cableCheckStartMs >= this.cfg.cableCheckMs && atVoltage;
    if (done && !this.power.isolationOk()) return this.fail('DC_CableCheck', 'FAILED', {}, 'insulation fault');
    this.go(done ? 'DC_CableCheck.Finished' : 'DC_CableCheck.Ongoing');
    return this.ok('DC_CableCheck', { ResponseCode: 'OK', EVSEProcessing: done ? 'Finished' : 'Ongoing' });
  }

  private preCharge(body: any): SeccDecision {
    const target = clamp(fromRational(body.EVTargetVoltage), 0, this.cfg.ratings.maxVoltageV);
    this.claimOutput();
    this.power.precharge(target);
    // [V2G20-2005]/[V2G20-2006]: after EVProcessing=Ongoing only another DC_PreChargeReq; after Finished, PowerDeliveryReq.
    this.go(body.EVProcessing === 'Finished' ? 'DC_PreCharge.Finished' : 'DC_PreCharge.Ongoing');
    return this.ok('DC_PreCharge', { ResponseCode: 'OK', EVSEPresentVoltage: toRational(round1(this.power.present().voltageV)) });
  }

  private powerDelivery(body: any): SeccDecision {
    const progress = body.ChargeProgress;
    if (progress === 'Start') {
      this.claimOutput();
      this.power.startCharging();
      this.go('PowerDelivery.Start');
    } else if (progress === 'Stop') {
      if (this.ownsOutput) this.power.stop('vehicle');
      this.go('PowerDelivery.Stop');
    } else {
      return this.fail('PowerDelivery', 'FAILED', body, `ChargeProgress ${progress} not supported by the emulator`);
    }
    return this.ok('PowerDelivery', { ResponseCode: 'OK' });
  }

  private chargeLoop(body: any): SeccDecision {
    const a = chargeLoopAnswer(body, this.cfg.ratings, this.power, this.cfg.faults);
    if ('error' in a) return this.fail('DC_ChargeLoop', 'FAILED', body, a.error);
    this.go('DC_ChargeLoop');
    return this.ok('DC_ChargeLoop', a.content);
  }

  private weldingDetection(): SeccDecision {
    this.go('DC_WeldingDetection');
    return this.ok('DC_WeldingDetection', { ResponseCode: 'OK', EVSEPresentVoltage: toRational(round1(this.power.present().voltageV)) });
  }

  private sessionStop(body: any): SeccDecision {
    this.releaseOutput('vehicle');
    if (body.ChargingSession === 'Pause' && this.sessionId) this.cfg.pausedSessions.add(this.sessionId);
    this.ended = true;
    this.go('SessionStop');
    return this.ok('SessionStop', { ResponseCode: 'OK' }, { close: true });
  }
}
