// The emulated CCS charger's session state machine (SECC side of DIN SPEC 70121 and ISO 15118-2 DC, EIM):
// one instance per TCP connection. It takes one decoded request and gives back the response and whether the
// connection closes afterwards. supportedAppProtocol picks DIN or -2 by the vehicle's priority among what the
// charger offers; from then on every request must carry the session's SessionID (else FAILED_UnknownSession)
// and come in the order of ccs-sequence.ts (else FAILED_SequenceError); after a FAILED* answer the session
// ends and the connection closes. The power stage (cable check, precharge, charge loop) is the MCS charger's
// PowerStagePort: the same emulated stage and battery. Fault switches: ./faults.ts.

import type { Clock } from '../../drivers/core/clock.ts';
import type { V2gDoc } from '../../drivers/iso15118/evcc/messages.ts';
import type { PowerStagePort } from '../mcs/power-port.ts';
import { newSessionId } from '../mcs/secc-session.ts';
import {
  bodyName,
  bodyOf,
  CCS_MAJOR_VERSION,
  CCS_NAMESPACE,
  fromPhysical,
  isZeroSessionId,
  stepOfBody,
  v2gMessage,
  type CcsGrammar,
  type CcsProtocol,
  type CcsStep,
} from './ccs-protocol.ts';
import { CCS_NEXT_STEPS, type CcsState } from './ccs-sequence.ts';
import { CCS_FAULT } from './faults.ts';
import { CHARGE_SERVICE_ID, dcEvseStatus, DC_TRANSFER_MODES, type CcsRatings, type IsolationLevel } from './ccs-responses.ts';
import { answerContent, type AnswerContext } from './ccs-answers.ts';
import { isOfferedService } from './value-added-services.ts';

export interface CcsSeccConfig {
  evseId: string;
  /** The protocols offered (the vehicle's priority decides among them). */
  protocols: CcsProtocol[];
  ratings: CcsRatings;
  /** How long the insulation test runs before CableCheck is Finished (clock ms). */
  cableCheckMs: number;
  /** How many authorization requests are answered Ongoing before Finished (EIM: the customer at the reader). */
  authorizationOngoingCount: number;
  faults: ReadonlySet<string>;
  /** The delay of fault ccs-currentdemand-slow: past the SECC performance time, inside the vehicle's timeout. */
  slowCurrentDemandMs: Readonly<Record<CcsProtocol, number>>;
  /** Sessions paused by the vehicle (-2 SessionStop Pause), by SessionID, shared across connections. */
  pausedSessions: Set<string>;
  /** The one connector's output belongs to the session that last energized it (shared across connections). */
  output: { owner?: unknown };
}

export interface CcsDecision {
  response: V2gDoc | undefined;
  grammar: CcsGrammar;
  close: boolean;
  delayMs?: number;
  note?: string;
}

/** The charger counts its cable-check voltage as reached at this fraction of the test voltage. */
const CABLE_CHECK_VOLTAGE_REACHED = 0.95;

export class CcsSeccSession {
  protocol: CcsProtocol | undefined;
  sessionId: string | undefined;
  private seq: CcsState = 'WaitForSupportedAppProtocol';
  /** The step last handled, for the timeline. */
  state = 'WaitForSupportedAppProtocol';
  ended = false;
  isolation: IsolationLevel = 'Invalid';
  private authorizations = 0;
  private cableCheckStartMs: number | undefined;
  private cableCheckV = 0;
  evMaxVoltageV = Number.NaN;

  constructor(
    private readonly cfg: CcsSeccConfig,
    private readonly clock: Clock,
    readonly power: PowerStagePort,
  ) {}

  /** The grammar the next request is coded with. */
  get grammar(): CcsGrammar {
    return this.protocol ?? 'app';
  }

  get ownsOutput(): boolean {
    return this.cfg.output.owner === this;
  }

  /** Switch the output off if it is ours. */
  releaseOutput(reason: 'vehicle' | 'charger'): void {
    if (!this.ownsOutput) return;
    this.cfg.output.owner = undefined;
    if (this.power.outputEnabled) this.power.stop(reason);
  }

  private claimOutput(): void {
    this.cfg.output.owner = this;
  }

  private fault(name: string): boolean {
    return this.cfg.faults.has(name);
  }

  handle(doc: V2gDoc): CcsDecision {
    if (this.protocol === undefined) return this.appProtocol(doc);
    const protocol = this.protocol;
    const body = bodyOf(doc);
    const step = body && stepOfBody(protocol, body.name.replace(/Req$/, ''));
    if (!body || !step || !body.name.endsWith('Req'))
      return { response: undefined, grammar: protocol, close: true, note: `not a ${protocol} DC request: connection closed` };
    const req = body.content;
    const sid = body.sessionId.toUpperCase();
    if (step !== 'SessionSetup' && sid !== this.sessionId)
      return this.fail(step, 'FAILED_UnknownSession', `SessionID ${sid} is not this session's ${this.sessionId}`);
    const allowed = CCS_NEXT_STEPS[this.seq];
    if (!allowed.includes(step) && !this.fault(CCS_FAULT.sequenceErrorMissing))
      return this.fail(
        step,
        'FAILED_SequenceError',
        `${bodyName(protocol, step)}Req not allowed after ${this.seq}; allowed: ${allowed.join(', ')}`,
      );
    this.state = step;
    switch (step) {
      case 'SessionSetup':
        return this.sessionSetup(sid);
      case 'ServiceDiscovery':
        return this.ok(step, 'ServiceDiscovery');
      case 'ServiceDetail':
        if (!isOfferedService(protocol, Number(req.ServiceID)))
          return this.fail(step, 'FAILED_ServiceIDInvalid', `service ${req.ServiceID} not offered`);
        return this.ok(step, 'ServiceDetail', {}, req);
      case 'PaymentSelection':
        return this.paymentSelection(req);
      case 'Authorization':
        return this.authorization();
      case 'ChargeParameterDiscovery':
        return this.chargeParameterDiscovery(req);
      case 'CableCheck':
        return this.cableCheck();
      case 'PreCharge':
        return this.preCharge(req);
      case 'PowerDelivery':
        return this.powerDelivery(req);
      case 'CurrentDemand':
        return this.ok(step, 'CurrentDemand', this.fault(CCS_FAULT.currentDemandSlow) ? this.slow() : {}, req);
      case 'WeldingDetection':
        return this.ok(step, 'WeldingDetection');
      case 'SessionStop':
        this.releaseOutput('vehicle');
        // -2 ChargingSession=Pause: the session may be resumed on a later connection (DIN has no pause).
        if (req.ChargingSession === 'Pause' && this.sessionId) this.cfg.pausedSessions.add(this.sessionId);
        this.ended = true;
        return this.ok(step, 'SessionStop', { close: true });
    }
  }

  /** supportedAppProtocolReq: the offered namespace of ours (major 2) with the best (lowest) priority. */
  private appProtocol(doc: V2gDoc): CcsDecision {
    const req = doc.supportedAppProtocolReq;
    if (!req) return { response: undefined, grammar: 'app', close: true, note: 'expected supportedAppProtocolReq: connection closed' };
    const offers: any[] = Array.isArray(req.AppProtocol) ? req.AppProtocol : [];
    const ours = offers
      .filter((p) => p.VersionNumberMajor === CCS_MAJOR_VERSION && this.cfg.protocols.some((x) => CCS_NAMESPACE[x] === p.ProtocolNamespace))
      .sort((a, b) => a.Priority - b.Priority)[0];
    if (!ours) {
      this.ended = true;
      const res = { supportedAppProtocolRes: { ResponseCode: 'Failed_NoNegotiation' } };
      return { response: res, grammar: 'app', close: true, note: 'no protocol of ours offered' };
    }
    this.protocol = this.cfg.protocols.find((x) => CCS_NAMESPACE[x] === ours.ProtocolNamespace);
    this.seq = 'supportedAppProtocol';
    this.state = 'supportedAppProtocol';
    const code = ours.VersionNumberMinor === 0 ? 'OK_SuccessfulNegotiation' : 'OK_SuccessfulNegotiationWithMinorDeviation';
    const res = { supportedAppProtocolRes: { ResponseCode: code, SchemaID: ours.SchemaID } };
    return { response: res, grammar: 'app', close: false, note: `negotiated ${this.protocol}` };
  }

  /** A zero SessionID asks for a new session; a paused one's ID resumes it (OK_OldSessionJoined); any other gets a new one. */
  private sessionSetup(asked: string): CcsDecision {
    const fresh = isZeroSessionId(asked) || !this.cfg.pausedSessions.has(asked);
    this.cfg.pausedSessions.delete(asked);
    this.sessionId = fresh ? newSessionId() : asked;
    this.seq = 'SessionSetup';
    // fault ccs-wrong-response-code: a new session answered OK instead of OK_NewSessionEstablished.
    const code = fresh && !this.fault(CCS_FAULT.wrongResponseCode) ? 'OK_NewSessionEstablished' : fresh ? 'OK' : 'OK_OldSessionJoined';
    return this.answer('SessionSetup', code, answerContent(this.context(), 'SessionSetup', {}), {});
  }

  private paymentSelection(req: Record<string, any>): CcsDecision {
    if (req.SelectedPaymentOption !== 'ExternalPayment')
      return this.fail('PaymentSelection', 'FAILED_PaymentSelectionInvalid', `payment ${req.SelectedPaymentOption}: only EIM is offered`);
    const services: any[] = req.SelectedServiceList?.SelectedService ?? [];
    if (!services.some((s) => Number(s.ServiceID) === CHARGE_SERVICE_ID)) {
      const code = this.protocol === 'din' ? 'FAILED_ServiceSelectionInvalid' : 'FAILED_NoChargeServiceSelected';
      return this.fail('PaymentSelection', code, 'the charge service (1) was not selected');
    }
    return this.ok('PaymentSelection', 'PaymentSelection');
  }

  private authorization(): CcsDecision {
    this.authorizations++;
    const finished = this.authorizations > this.cfg.authorizationOngoingCount;
    return this.ok('Authorization', finished ? 'Authorization.Finished' : 'Authorization.Ongoing');
  }

  private chargeParameterDiscovery(req: Record<string, any>): CcsDecision {
    const mode = req.RequestedEnergyTransferMode ?? req.EVRequestedEnergyTransferType;
    if (!DC_TRANSFER_MODES.has(mode) || !req.DC_EVChargeParameter) {
      const code = this.protocol === 'din' ? 'FAILED_WrongEnergyTransferType' : 'FAILED_WrongEnergyTransferMode';
      return this.fail('ChargeParameterDiscovery', code, `energy transfer ${mode} is not one of this DC charger's`);
    }
    const ev = req.DC_EVChargeParameter;
    this.evMaxVoltageV = fromPhysical(ev.EVMaximumVoltageLimit);
    if (Number.isFinite(this.evMaxVoltageV))
      this.power.setVehicleLimits?.({ maxVoltageV: this.evMaxVoltageV, maxCurrentA: fromPhysical(ev.EVMaximumCurrentLimit) });
    return this.ok('ChargeParameterDiscovery', 'ChargeParameterDiscovery.Finished');
  }

  private cableCheck(): CcsDecision {
    const now = this.clock.nowMs();
    // fault ccs-cablecheck-skips-isolation: Finished at once, no test voltage, isolation never measured.
    if (this.fault(CCS_FAULT.cableCheckSkipsIsolation)) return this.ok('CableCheck', 'CableCheck.Finished');
    if (this.cableCheckStartMs === undefined) {
      this.cableCheckStartMs = now;
      // Insulation test at the lower of the EV's and the charger's maximum voltage.
      const evMax = Number.isFinite(this.evMaxVoltageV) ? this.evMaxVoltageV : this.cfg.ratings.maxVoltageV;
      this.cableCheckV = Math.min(this.cfg.ratings.maxVoltageV, evMax);
      this.claimOutput();
      this.power.cableCheck(this.cableCheckV);
    } else if (!this.ownsOutput || !this.power.outputEnabled) {
      return this.fail('CableCheck', 'FAILED', 'output disabled during the cable check: insulation test aborted');
    }
    const atVoltage = this.power.present().voltageV >= CABLE_CHECK_VOLTAGE_REACHED * this.cableCheckV;
    const done = now - this.cableCheckStartMs >= this.cfg.cableCheckMs && atVoltage;
    if (done && !this.power.isolationOk()) {
      this.isolation = 'Fault';
      return this.fail('CableCheck', 'FAILED', 'insulation fault');
    }
    if (done) this.isolation = 'Valid';
    return this.ok('CableCheck', done ? 'CableCheck.Finished' : 'CableCheck.Ongoing');
  }

  private preCharge(req: Record<string, any>): CcsDecision {
    const target = Math.max(0, Math.min(fromPhysical(req.EVTargetVoltage) || 0, this.cfg.ratings.maxVoltageV));
    this.claimOutput();
    this.power.precharge(target);
    return this.ok('PreCharge', 'PreCharge');
  }

  private powerDelivery(req: Record<string, any>): CcsDecision {
    const progress = this.protocol === 'din' ? (req.ReadyToChargeState ? 'Start' : 'Stop') : req.ChargeProgress;
    if (progress === 'Start') {
      if (this.seq !== 'PreCharge' && !this.fault(CCS_FAULT.sequenceErrorMissing))
        return this.fail('PowerDelivery', 'FAILED_SequenceError', `PowerDelivery(Start) not allowed after ${this.seq}`);
      this.claimOutput();
      this.power.startCharging();
      return this.ok('PowerDelivery', 'PowerDelivery.Start');
    }
    if (this.ownsOutput) this.power.stop('vehicle');
    return this.ok('PowerDelivery', progress === 'Renegotiate' ? 'PowerDelivery.Renegotiate' : 'PowerDelivery.Stop');
  }

  private slow(): Partial<CcsDecision> {
    const delayMs = this.cfg.slowCurrentDemandMs[this.protocol!];
    return { delayMs, note: `fault ${CCS_FAULT.currentDemandSlow}: answer delayed ${delayMs} ms` };
  }

  /** An OK answer for this step; the sequence moves to `next`. */
  private ok(step: CcsStep, next: CcsState, extra: Partial<CcsDecision> = {}, input: Record<string, any> = {}): CcsDecision {
    this.seq = next;
    // fault ccs-wrong-response-code: an OK answer says OK_CertificateExpiresSoon (an OK code meaning something else).
    const code = this.fault(CCS_FAULT.wrongResponseCode) ? 'OK_CertificateExpiresSoon' : 'OK';
    return this.answer(step, code, answerContent(this.context(), step, input), extra);
  }

  /** A FAILED* answer with every mandatory field, then the session ends and the connection closes. */
  fail(step: CcsStep, code: string, note: string): CcsDecision {
    this.ended = true;
    this.releaseOutput('charger');
    return this.answer(step, code, answerContent(this.context(), step, {}), { close: true, note });
  }

  private answer(step: CcsStep, code: string, content: Record<string, unknown>, extra: Partial<CcsDecision>): CcsDecision {
    const protocol = this.protocol!;
    const response = v2gMessage(this.sessionId ?? '00', `${bodyName(protocol, step)}Res`, { ResponseCode: code, ...content });
    return { response, grammar: protocol, close: false, ...extra };
  }

  private context(): AnswerContext {
    // In energy transfer with the output switched off (a trip, the charger's own stop): EVSE_Shutdown.
    const transfer = this.seq === 'PowerDelivery.Start' || this.seq === 'CurrentDemand';
    const code = transfer && !this.power.outputEnabled ? 'EVSE_Shutdown' : 'EVSE_Ready';
    return {
      protocol: this.protocol!,
      evseId: this.cfg.evseId,
      ratings: this.cfg.ratings,
      power: this.power,
      status: dcEvseStatus(this.isolation, code),
      processing: this.seq.endsWith('.Ongoing') && !this.ended ? 'Ongoing' : 'Finished',
      nowS: Math.floor(this.clock.wallMs() / 1000),
    };
  }
}
