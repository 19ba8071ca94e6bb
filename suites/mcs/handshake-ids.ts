// testCaseIds of suites/mcs/handshake.spec.ts: the requirement each test carries, stable across renames.
// Data only. The emulator's fault catalogue names the same ids as string literals (it must not import
// suites); the self-validation reports a catalogue id that no test carries.

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
  // suites/mcs/session-timing.spec.ts
  closeWaitAfterStop: 'TC_SECC_CMN_VTB_SessionStop_CloseWait_001',
  chargeLoopSequenceTimeout: 'TC_SECC_DC_VTB_ChargeLoop_SequenceTimeout_001',
  communicationSetup: 'TC_SECC_CMN_VTB_CommunicationSetup_001',
} as const;
