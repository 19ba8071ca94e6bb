// Fault switches of the emulated MCS charger (ISO 15118-20 SECC side). One per handshake assertion of
// suites/mcs/handshake.spec.ts: with the switch on, exactly the tests in `catches` must fail, in the
// named Allure category, and every other test of the suite must still pass. The ids are the suite's
// testCaseIds (suites/mcs/handshake-ids.ts) written out: the emulator never imports suites, and the
// self-validation reports an id here that no test carries.

import type { FaultSwitch } from '../fault-catalogue.ts';
import { SECC_HANDLED_REQUESTS } from './secc-sequence.ts';

function fault(
  name: string,
  category: FaultSwitch['category'],
  catches: string[],
  description: string,
  checks: string[],
  more: Partial<FaultSwitch> = {},
): FaultSwitch {
  return { name, category, catches, description, checks, component: 'mcs-charger', suite: 'mcs', ...more };
}

/** The power tests that charge in Dynamic control mode (they judge what it advertises in each Dynamic DC_ChargeLoopRes). */
const FULL_POWER = 'MCS-RAMP-FULL-001';
const LONG_SESSION = 'MCS-SESSION-LONG-001';

/** The -20 requests this SECC answers (its own table), whose per-message checks a fault names one by one. */
const DC_REQUESTS = [...SECC_HANDLED_REQUESTS].filter((m) => m !== 'supportedAppProtocol');

export const MCS_FAULTS: FaultSwitch[] = [
  fault(
    'wrong-response-code',
    'protocol violation',
    ['TC_SECC_CMN_VTB_CommonMessageFlow_001', 'TC_SECC_DC_VTB_PreCharge_SequenceError_002'],
    'answers a new SessionSetupReq with OK instead of OK_NewSessionEstablished, an exact protocol match with ' +
      'OK_SuccessfulNegotiationWithMinorDeviation, and every other OK answer with OK_CertificateExpiresSoon',
    ['supportedAppProtocol', ...DC_REQUESTS].map((m) => `${m}Res ResponseCode`).concat('DC_PreChargeReq(Ongoing) accepted'),
  ),
  fault(
    'dynamic-mode-missing',
    'protocol violation',
    ['TC_SECC_DC_VTB_ChargeLoop_Dynamic_001', FULL_POWER, LONG_SESSION],
    'offers only Scheduled control mode parameter sets (no Dynamic set for any energy service), ' +
      'so a vehicle cannot select Dynamic control',
    ['Dynamic charging session'],
    // The full-power and long-session tests charge in Dynamic mode: with no Dynamic set they cannot start (broken).
    { outcomes: { [FULL_POWER]: 'bench fault', [LONG_SESSION]: 'bench fault' } },
  ),
  fault(
    'slow-response',
    'timing violation',
    ['TC_SECC_CMN_VTB_PerformanceTime_001'],
    'answers every request after its SECC performance time (but before the EVCC timeout)',
    ['supportedAppProtocol', ...DC_REQUESTS].map((m) => `${m}Res response time (worst)`),
  ),
  fault(
    'sequence-error-missing',
    'protocol violation',
    ['TC_SECC_CMN_VTB_PowerDelivery_SequenceError_001', 'TC_SECC_DC_VTB_PreCharge_SequenceError_002'],
    'accepts requests out of order (no FAILED_SequenceError), ' +
      'e.g. PowerDeliveryReq right after SessionSetup or after DC_PreChargeReq(Ongoing)',
    ['PowerDeliveryReq out of order', 'PowerDeliveryReq while pre-charge is Ongoing'],
  ),
  fault(
    'unknown-session-accepted',
    'protocol violation',
    ['TC_SECC_CMN_VTB_AuthorizationSetup_UnknownSession_001'],
    'answers requests carrying a foreign SessionID as if it were the session (no FAILED_UnknownSession)',
    ['AuthorizationSetupReq with a foreign SessionID'],
  ),
  fault(
    'ignores-sequence-timeout',
    'timing violation',
    // The 0.5 s after a DC_ChargeLoopRes is the same timer's value in the loop ([V2G20-1500]): a charger without the
    // timer also keeps delivering to a vehicle silent mid-loop.
    ['TC_SECC_CMN_VTB_SequenceTimeout_001', 'TC_SECC_DC_VTB_ChargeLoop_SequenceTimeout_001'],
    'never stops the session when V2G_SECC_Sequence_Timeout expires (nor its 0.5 s in the charge loop); the TCP connection stays open',
    ['connection closed after the last request (vehicle silent since)', 'output disabled after the vehicle went silent in the charge loop'],
  ),
  fault(
    'v2gtp-payload-type-unchecked',
    'protocol violation',
    ['TC_SECC_CMN_VTB_V2GTP_PayloadType_001'],
    'ignores the V2GTP payload type: answers a CommonMessages request framed as DC (0x8004) instead of closing the connection',
    ['CommonMessages request framed as DC (0x8004)'],
  ),
  fault(
    'accepts-unsupported-app-protocol',
    'protocol violation',
    ['TC_SECC_CMN_VTB_supportedAppProtocol_002'],
    'answers OK_SuccessfulNegotiation to a supportedAppProtocolReq offering only namespaces it does not support',
    ['only DIN 70121 offered to an ISO 15118-20 charger'],
  ),
  fault(
    'accepts-no-client-cert',
    'protocol violation',
    ['TC_SECC_CMN_VTB_TLS_ClientCertificate_001'],
    'TLS server does not request a client certificate: completes the handshake with a vehicle that offers none',
    ['TLS handshake without a client certificate'],
  ),
  fault(
    'tls-untrusted-chain',
    'protocol violation',
    ['TC_SECC_CMN_VTB_TLS_ServerChain_001'],
    'serves an SECC certificate chain that is not rooted in the V2G root',
    ["charger's chain verifies against the V2G root"],
  ),
  fault(
    'no-mcs-service',
    'protocol violation',
    ['TC_SECC_CMN_VTB_ServiceDiscovery_MCS_001', 'TC_SECC_CMN_VTB_ServiceDetail_MCS_001'],
    'offers only DC (service 2) in ServiceDiscoveryRes, not MCS (8)',
    ['ServiceDiscoveryRes offers MCS (8)'],
    // With no MCS service there are no MCS parameter sets to judge: that test cannot judge (broken).
    { outcomes: { TC_SECC_CMN_VTB_ServiceDetail_MCS_001: 'bench fault' } },
  ),
  fault(
    'bad-parameter-set',
    'protocol violation',
    ['TC_SECC_CMN_VTB_ServiceDetail_MCS_001'],
    "MCS ServiceDetailRes parameter sets lack 'Connector' and pair Scheduled control with MobilityNeedsMode 2",
    ['service 8 parameter sets well-formed'],
  ),
  fault(
    'rational-without-exponent',
    'protocol violation',
    ['TC_SECC_DC_VTB_ChargeParameterDiscovery_Rational_001'],
    'advertises its maximum power (3.75 MW) with exponent 0, saturated to 32767 W, instead of scaling with the exponent',
    ['EVSEMaximumChargePower vs rating *'],
  ),
  fault(
    'sdp-port-outside-dynamic-range',
    'protocol violation',
    ['TC_SECC_SDP_VTB_Discovery_001'],
    'serves TCP/TLS on port 15119 and advertises it in SDPRes (outside the dynamic range 49152-65535)',
    ['SDP advertised port'],
  ),
  fault(
    'ratings-understated',
    'protocol violation',
    ['TC_SECC_DC_VTB_ChargeParameterDiscovery_Rational_001'],
    'advertises its maximum current and voltage 10 % below its ratings in DC_ChargeParameterDiscoveryRes',
    ['EVSEMaximumChargeCurrent vs rating *', 'EVSEMaximumVoltage vs rating *'],
  ),
  fault(
    'dynamic-loop-answered-scheduled',
    'protocol violation',
    ['TC_SECC_DC_VTB_ChargeLoop_Dynamic_001', FULL_POWER, LONG_SESSION],
    'answers DC_ChargeLoopReq of a Dynamic session with the Scheduled control-mode part',
    ['DC_ChargeLoopRes in Dynamic control mode'],
    // Those tests judge the maxima of each Dynamic DC_ChargeLoopRes: with none on the wire they cannot judge (broken).
    { outcomes: { [FULL_POWER]: 'bench fault', [LONG_SESSION]: 'bench fault' } },
  ),
  fault(
    'mcs-scheduled-set-missing',
    'protocol violation',
    ['TC_SECC_CMN_VTB_ServiceDiscovery_MCS_001', 'TC_SECC_CMN_VTB_ServiceDetail_MCS_001'],
    'describes the MCS services with a Dynamic parameter set only (no Scheduled one), so a Scheduled vehicle cannot select MCS',
    ['MCS service detail and selection', 'service 8 offers a Scheduled parameter set'],
  ),
  fault(
    'sdp-first-request-ignored',
    'protocol violation',
    ['TC_SECC_SDP_VTB_Discovery_001'],
    'the SDP server ignores the first SDP request of each vehicle (answers only the repeat)',
    ['SDP answered on the first request'],
  ),
  fault(
    'answers-after-failed',
    'protocol violation',
    ['TC_SECC_CMN_VTB_PowerDelivery_SequenceError_001'],
    'after a FAILED answer still processes (and answers) one more request before it closes the connection',
    ['no request processed after the FAILED answer'],
  ),
  fault(
    'slow-close-after-error',
    'protocol violation',
    ['TC_SECC_CMN_VTB_PowerDelivery_SequenceError_001', 'TC_SECC_CMN_VTB_V2GTP_PayloadType_001'],
    'after a FAILED answer or a wrongly framed request keeps the connection open 2 s past the bound the suite allows ' +
      '(secc.closeAfterFailedMs / secc.malformedV2gtpCloseMs), processing nothing',
    ['connection closed after the FAILED answer', 'connection closed after the wrongly framed request'],
  ),
  fault(
    'answers-after-sequence-timeout',
    'protocol violation',
    ['TC_SECC_CMN_VTB_SequenceTimeout_001'],
    'when V2G_SECC_Sequence_Timeout runs out still processes (and answers) one more request before it closes the connection',
    ['no request processed after the sequence timeout'],
  ),
  fault(
    'charge-loop-timeout-missing',
    'timing violation',
    ['TC_SECC_DC_VTB_ChargeLoop_SequenceTimeout_001'],
    'keeps the general 60 s V2G_SECC_Sequence_Timeout after a DC_ChargeLoopRes instead of 0.5 s, as Josev and libiso15118 do: ' +
      'a vehicle silent mid-loop keeps getting current',
    ['output disabled after the vehicle went silent in the charge loop'],
  ),
  fault(
    'closes-early-after-stop',
    'timing violation',
    ['TC_SECC_CMN_VTB_SessionStop_CloseWait_001'],
    'closes the TCP connection at once after SessionStopRes instead of waiting 5 s for the vehicle to close it ([V2G20-1633])',
    ['connection closed after SessionStopRes'],
  ),
  fault(
    'communication-setup-unbounded',
    'timing violation',
    ['TC_SECC_CMN_VTB_CommunicationSetup_001'],
    'has no CommunicationSetup timer: a connection on which no session is set up stays open until the 60 s sequence timeout',
    ['connection closed with no communication setup after TCP/TLS'],
  ),
  fault(
    'authorization-ongoing-forever',
    'timing violation',
    ['TC_SECC_CMN_VTB_Authorization_OngoingLimit_001'],
    'while the bench withholds EIM authorization, answers AuthorizationReq Ongoing for ever instead of FAILED after its Ongoing limit',
    ['Authorization answered Ongoing for'],
  ),
  fault(
    'schedule-ongoing-forever',
    'timing violation',
    ['TC_SECC_CMN_VTB_ScheduleExchange_OngoingLimit_001'],
    'while the bench delays the schedule, answers ScheduleExchangeReq Ongoing for ever instead of FAILED after its Ongoing limit',
    ['ScheduleExchange answered Ongoing for'],
  ),
  fault(
    'ongoing-limit-without-failed',
    'protocol violation',
    ['TC_SECC_CMN_VTB_Authorization_OngoingLimit_001', 'TC_SECC_CMN_VTB_ScheduleExchange_OngoingLimit_001'],
    'ends an Authorization or ScheduleExchange it kept Ongoing past its limit by closing the connection, without the FAILED answer',
    ['AuthorizationRes after the Ongoing limit', 'ScheduleExchangeRes after the Ongoing limit'],
  ),
  fault(
    'advertised-limits-frozen',
    'current-control violation',
    [LONG_SESSION],
    'keeps advertising its ratings in every Dynamic DC_ChargeLoopRes (EVSEMaximumChargePower/Current) while a site cap ' +
      'or derating limits what it delivers: the vehicle is never told the lower limit',
    ['EVSEMaximumChargePower on the wire after the site cap (* kW)'],
  ),
];

export const MCS_FAULT_NAMES = new Set(MCS_FAULTS.map((f) => f.name));
