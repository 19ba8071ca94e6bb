// Fault switches of the emulated MCS charger (ISO 15118-20 SECC side). One per handshake assertion of
// suites/mcs/handshake.spec.ts: with the switch on, exactly the tests in `catches` must fail, in the
// named Allure category, and every other test of the suite must still pass. Keep the ids in sync
// with HANDSHAKE_TEST_IDS (the suite imports them from here).

import type { FaultSwitch } from '../fault-catalogue.ts';

/** testCaseIds of suites/mcs/handshake.spec.ts (the requirement each test carries). */
export const HANDSHAKE_TEST_IDS = {
  goodCase: 'TC_SECC_CMN_VTB_CommonMessageFlow_001',
  dynamicMode: 'TC_SECC_DC_VTB_ChargeLoop_Dynamic_001',
  performanceTime: 'TC_SECC_CMN_VTB_PerformanceTime_001',
  sequenceErrorEarly: 'TC_SECC_CMN_VTB_PowerDelivery_SequenceError_001',
  sequenceErrorPreCharge: 'TC_SECC_DC_VTB_PreCharge_SequenceError_002',
  unknownSession: 'TC_SECC_CMN_VTB_AuthorizationSetup_UnknownSession_001',
  sequenceTimeout: 'TC_SECC_CMN_VTB_SequenceTimeout_001',
  malformedV2gtp: 'TC_SECC_CMN_VTB_V2GTP_PayloadType_001',
  unsupportedAppProtocol: 'TC_SECC_CMN_VTB_supportedAppProtocol_002',
  tlsNoClientCert: 'TC_SECC_CMN_VTB_TLS_ClientCertificate_001',
  tlsChainRoot: 'TC_SECC_CMN_VTB_TLS_ServerChain_001',
  mcsService: 'TC_SECC_CMN_VTB_ServiceDiscovery_MCS_001',
  mcsParameterSets: 'TC_SECC_CMN_VTB_ServiceDetail_MCS_001',
  rationalLimits: 'TC_SECC_DC_VTB_ChargeParameterDiscovery_Rational_001',
  sdp: 'TC_SECC_SDP_VTB_Discovery_001',
} as const;

const T = HANDSHAKE_TEST_IDS;
const base = { component: 'mcs-charger' as const, suite: 'mcs' };

export const MCS_FAULTS: FaultSwitch[] = [
  { ...base, name: 'wrong-response-code', category: 'protocol violation', catches: [T.goodCase], description: "answers a new SessionSetupReq with ResponseCode OK instead of OK_NewSessionEstablished" },
  { ...base, name: 'dynamic-mode-missing', category: 'protocol violation', catches: [T.dynamicMode], description: 'offers only Scheduled control mode parameter sets (no Dynamic set for any energy service), so a vehicle cannot select Dynamic control' },
  { ...base, name: 'slow-response', category: 'timing violation', catches: [T.performanceTime], description: 'answers ServiceDiscoveryReq after the SECC performance time (but before the EVCC timeout)' },
  { ...base, name: 'sequence-error-missing', category: 'protocol violation', catches: [T.sequenceErrorEarly, T.sequenceErrorPreCharge], description: 'accepts requests out of order (no FAILED_SequenceError), e.g. PowerDeliveryReq right after SessionSetup or after DC_PreChargeReq(Ongoing)' },
  { ...base, name: 'unknown-session-accepted', category: 'protocol violation', catches: [T.unknownSession], description: 'answers requests carrying a foreign SessionID as if it were the session (no FAILED_UnknownSession)' },
  { ...base, name: 'ignores-sequence-timeout', category: 'timing violation', catches: [T.sequenceTimeout], description: 'never stops the session when V2G_SECC_Sequence_Timeout expires; the TCP connection stays open' },
  { ...base, name: 'v2gtp-payload-type-unchecked', category: 'protocol violation', catches: [T.malformedV2gtp], description: 'ignores the V2GTP payload type: answers a CommonMessages request framed as DC (0x8004) instead of closing the connection' },
  { ...base, name: 'accepts-unsupported-app-protocol', category: 'protocol violation', catches: [T.unsupportedAppProtocol], description: 'answers OK_SuccessfulNegotiation to a supportedAppProtocolReq offering only namespaces it does not support' },
  { ...base, name: 'accepts-no-client-cert', category: 'protocol violation', catches: [T.tlsNoClientCert], description: 'TLS server does not request a client certificate: completes the handshake with a vehicle that offers none' },
  { ...base, name: 'tls-untrusted-chain', category: 'protocol violation', catches: [T.tlsChainRoot], description: 'serves an SECC certificate chain that is not rooted in the V2G root' },
  { ...base, name: 'no-mcs-service', category: 'protocol violation', catches: [T.mcsService], description: 'offers only DC (service 2) in ServiceDiscoveryRes, not MCS (8)' },
  { ...base, name: 'bad-parameter-set', category: 'protocol violation', catches: [T.mcsParameterSets], description: "MCS ServiceDetailRes parameter sets lack 'Connector' and pair Scheduled control with MobilityNeedsMode 2" },
  { ...base, name: 'rational-without-exponent', category: 'protocol violation', catches: [T.rationalLimits], description: 'advertises its maximum power (3.75 MW) with exponent 0, saturated to 32767 W, instead of scaling with the exponent' },
  { ...base, name: 'sdp-first-request-ignored', category: 'protocol violation', catches: [T.sdp], description: 'the SDP server ignores the first SDP request of each vehicle (answers only the repeat)' },
];

export const MCS_FAULT_NAMES = new Set(MCS_FAULTS.map((f) => f.name));
