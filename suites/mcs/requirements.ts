// The requirement each MCS test checks, keyed as the suite's id tables (handshake-ids.ts, ongoing-limits-ids.ts,
// power-ids.ts, long-session-ids.ts, full-power-ids.ts): the labels the report files it under. A test declares its
// row with requirement(R.key) (suites/support/requirements.ts). A clause the limit profile names is read from there.

import { requirementTable } from '../support/requirements.ts';
import { HANDSHAKE_TEST_IDS } from './handshake-ids.ts';
import { FULL_POWER_TEST_IDS } from './full-power-ids.ts';
import { LONG_SESSION_TEST_IDS } from './long-session-ids.ts';
import { ONGOING_LIMIT_TEST_IDS } from './ongoing-limits-ids.ts';
import { POWER_TEST_IDS } from './power-ids.ts';
import { EPIC as V2G_EPIC, SEQ_CLAUSE, v2gLimits } from './handshake-support.ts';
import { EPIC as POWER_EPIC } from './power-support.ts';

const limitClause = (name: string): string | undefined => v2gLimits.get(name).clause;
const RAMP = 'IEC 61851-23:2014 101.2.1 (response to a changed current request)';

/** The ISO 15118-20 handshake, error handling, transport, session timers and Ongoing limits. */
const V2G_IDS = { ...HANDSHAKE_TEST_IDS, ...ONGOING_LIMIT_TEST_IDS };
export const V2G_REQUIREMENTS = requirementTable(V2G_EPIC, V2G_IDS, {
  goodCase: { feature: 'Good case', story: 'CommonMessageFlow: SAP … SessionStop', clause: SEQ_CLAUSE, severity: 'blocker' },
  performanceTime: {
    feature: 'Timing',
    story: 'V2G_SECC_Msg_Performance_Time per message',
    clause: 'ISO 15118-20:2022 [V2G20-1502] Table 217; Table 215',
    severity: 'critical',
  },
  mcsService: {
    feature: 'MCS services',
    story: 'ServiceDiscovery / ServiceSelection of MCS',
    clause: 'ISO 15118-20:2022/Amd 1 (MCS service ID 8; reference §1.4)',
    severity: 'blocker',
  },
  mcsParameterSets: {
    feature: 'MCS services',
    story: 'ServiceDetail parameter sets',
    clause: 'ISO 15118-20:2022/Amd 1 MCS ServiceDetail parameters (reference §1.4)',
    severity: 'critical',
  },
  dynamicMode: {
    feature: 'MCS services',
    story: 'Dynamic control mode session',
    clause: 'ISO 15118-20:2022 Dynamic control mode (Dynamic_DC_CLReq/ResControlMode)',
    severity: 'normal',
  },
  rationalLimits: {
    feature: 'Charge parameters',
    story: 'RationalNumber ratings',
    clause: 'ISO 15118-20:2022 RationalNumberType; DC_CPDResEnergyTransferMode',
    severity: 'critical',
  },
  sequenceErrorEarly: {
    feature: 'Error handling',
    story: 'Sequence error',
    clause: 'ISO 15118-20:2022 FAILED_SequenceError; reference §2.2',
    severity: 'critical',
  },
  sequenceErrorPreCharge: {
    feature: 'Error handling',
    story: 'Sequence error after PreCharge Ongoing',
    clause: 'ISO 15118-20:2022 [V2G20-2005]/[V2G20-2006] (quoted in EVerest#2305)',
    severity: 'critical',
  },
  unknownSession: {
    feature: 'Error handling',
    story: 'Unknown session',
    clause: 'ISO 15118-20:2022 FAILED_UnknownSession',
    severity: 'critical',
  },
  sequenceTimeout: {
    feature: 'Timeouts',
    story: 'V2G_SECC_Sequence_Timeout',
    clause: limitClause('timer.V2G_SECC_Sequence_Timeout'),
    severity: 'normal',
  },
  malformedV2gtp: {
    feature: 'V2GTP',
    story: 'Payload type does not match the message',
    clause: 'ISO 15118-20:2022 V2GTP header check (payload type per namespace, Table 12)',
    severity: 'normal',
  },
  unsupportedAppProtocol: {
    feature: 'Error handling',
    story: 'supportedAppProtocol without -20 DC',
    clause: 'ISO 15118-20:2022 / ISO 15118-2 supportedAppProtocolRes Failed_NoNegotiation',
    severity: 'normal',
  },
  tlsNoClientCert: {
    feature: 'TLS',
    story: 'Mutual authentication: no client certificate',
    clause: 'ISO 15118-20:2022 [V2G20-2400] CertificateRequest (TLS 1.3 mutual authentication)',
    severity: 'critical',
  },
  tlsChainRoot: {
    feature: 'TLS',
    story: 'SECC certificate chain',
    clause: 'ISO 15118-20:2022 [V2G20-2338] (V2G root), secp521r1 [V2G20-2674]',
    severity: 'critical',
  },
  sdp: { feature: 'SDP', story: 'SECC discovery', clause: limitClause('sdp.requestWaitMs'), severity: 'normal' },
  chargeLoopSequenceTimeout: {
    feature: 'Timeouts',
    story: 'V2G_SECC_Sequence_Timeout after DC_ChargeLoopRes',
    clause: limitClause('timer.V2G_SECC_Sequence_Timeout.DC_ChargeLoop'),
    severity: 'critical',
  },
  closeWaitAfterStop: {
    feature: 'Timing',
    story: 'Close after SessionStop',
    clause: limitClause('secc.closeAfterStopMinMs'),
    severity: 'normal',
  },
  communicationSetup: {
    feature: 'Timeouts',
    story: 'CommunicationSetup from TCP/TLS',
    clause: limitClause('timer.V2G_SECC_CommunicationSetup_Performance_Time'),
    severity: 'normal',
  },
  authorization: {
    feature: 'Timeouts',
    story: 'Authorization Ongoing limit',
    clause: limitClause('secc.ongoing.EIM_Authorization'),
    severity: 'normal',
  },
  scheduleExchange: {
    feature: 'Timeouts',
    story: 'ScheduleExchange Ongoing limit',
    clause: limitClause('secc.ongoing.ScheduleExchange'),
    severity: 'normal',
  },
});

/** Current control and safety on the battery emulator's trace, the long charging session and full power. */
const POWER_IDS = { ...POWER_TEST_IDS, ...LONG_SESSION_TEST_IDS, ...FULL_POWER_TEST_IDS };
export const POWER_REQUIREMENTS = requirementTable(POWER_EPIC, POWER_IDS, {
  rampUp: { feature: 'Current control', story: 'Step up: slope, overshoot, settling', clause: RAMP, severity: 'critical' },
  accuracy: {
    feature: 'Current control',
    story: 'Steady-state accuracy',
    clause: 'IEC 61851-23:2014 101.2.1.2.1 (CCC accuracy)',
    severity: 'critical',
  },
  present: {
    feature: 'Current control',
    story: 'EVSEPresentCurrent / Voltage vs measured',
    clause: 'ISO 15118-20 DC_ChargeLoopRes EVSEPresentCurrent/Voltage; IEC 61851-23 101.2.1.2',
    severity: 'normal',
  },
  downStep: {
    feature: 'Current control',
    story: 'Step down',
    clause: 'IEC 61851-23:2014 101.2.1.4 (descending rate)',
    severity: 'critical',
  },
  siteCap: {
    feature: 'Current control',
    story: 'Site power cap change',
    clause: 'IEC 61851-23 101.2.1.4 (descending rate) applied to an EVSE-side limit change; EVSEMaximumChargePower',
    severity: 'normal',
  },
  longRamp: { feature: 'Current control', story: 'Long ramp toward the maximum', clause: RAMP, severity: 'normal' },
  precharge: {
    feature: 'Safety',
    story: 'Precharge',
    clause: 'IEC 61851-23:2014 CC.5.1 / CC.6.1; Table 104 / CC.6.2',
    severity: 'blocker',
  },
  stopByVehicle: {
    feature: 'Safety',
    story: 'Stop by the vehicle',
    clause: 'IEC 61851-23:2014 101.2.1.4; IEC 61851-23-3 Table CC.111; CC.7.6.20',
    severity: 'blocker',
  },
  stopByCharger: {
    feature: 'Safety',
    story: 'Stop by the charger',
    clause: 'IEC 61851-23:2014 101.2.1.4; CC.7.6.20',
    severity: 'critical',
  },
  emergencyStop: {
    feature: 'Safety',
    story: 'Emergency stop',
    clause: 'IEC 61851-23:2023 6.3.1.109 / CC.3.4 (emergency shutdown)',
    severity: 'blocker',
  },
  overVoltage: {
    feature: 'Safety',
    story: 'Over-voltage against the EV maximum',
    clause: 'IEC 61851-23:2023 6.3.1.106.3 Table 104; CC.6.2',
    severity: 'blocker',
  },
  insulation: {
    feature: 'Safety',
    story: 'Insulation fault',
    clause: 'IEC 61851-23-3 CC.4.1.4 c); IEC 61851-23 Table CC.10 (error shutdown)',
    severity: 'blocker',
  },
  session: {
    feature: 'Current control',
    story: 'Whole charging session with limit changes',
    clause: 'IEC 61851-23 101.2.1.4 (descending rate) applied to EVSE-side limit changes; ISO 15118-20 Dynamic_DC_CLResControlMode',
    severity: 'normal',
  },
  fullPower: {
    feature: 'Current control',
    story: 'Ramp to the rated current, power limit, CV taper',
    clause:
      'IEC 61851-23:2014 101.2.1 (response to a changed current request; 101.2.1.2.1 accuracy; 101.2.1.4 descending rate); ' +
      'ISO 15118-20 Dynamic_DC_CLResControlMode EVSEMaximumChargePower',
    severity: 'critical',
  },
});
