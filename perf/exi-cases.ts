// The three messages issue 14 measures the EXI codec with (sizes as libcbv2g encodes them): the vehicle's
// charge-loop request, the charger's Dynamic-mode charge-loop answer, and the MCS ServiceDetailRes with
// its four parameter sets (MCS and MCS_BPT, each Scheduled and Dynamic).

import type { ExiDocument, ExiGrammar } from '../drivers/exi/index.ts';

export interface ExiCase {
  name: string;
  grammar: ExiGrammar;
  doc: ExiDocument;
}

const R = (Value: number, Exponent = 0) => ({ Exponent, Value });
const header = (TimeStamp: number) => ({ SessionID: '5A2CDE53F701D4AC', TimeStamp });

const chargeLoopReq: ExiDocument = {
  DC_ChargeLoopReq: {
    Header: header(1718607534),
    MeterInfoRequested: false,
    EVPresentVoltage: R(400),
    BPT_Scheduled_DC_CLReqControlMode: { EVTargetCurrent: R(20), EVTargetVoltage: R(400) },
  },
};

const dynamicChargeLoopRes: ExiDocument = {
  DC_ChargeLoopRes: {
    Header: header(1718607535),
    ResponseCode: 'OK',
    EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: 'ExitStandby' },
    EVSEPresentCurrent: R(2998),
    EVSEPresentVoltage: R(9870, -1),
    EVSEPowerLimitAchieved: false,
    EVSECurrentLimitAchieved: false,
    EVSEVoltageLimitAchieved: false,
    Dynamic_DC_CLResControlMode: {
      DepartureTime: 120,
      MinimumSOC: 20,
      TargetSOC: 80,
      EVSEMaximumChargePower: R(3750, 3),
      EVSEMinimumChargePower: R(1, 3),
      EVSEMaximumChargeCurrent: R(3000),
      EVSEMaximumVoltage: R(1250),
    },
  },
};

/**
 * One parameter set of service 9 (MCS_BPT): the MCS parameters (Connector, ControlMode, MobilityNeedsMode,
 * Pricing, BPTChannel, GeneratorMode) plus two a charger may add (its current rating and a connector
 * label), which brings the message to the 551 bytes.
 */
function mcsParameterSet(id: number, controlMode: number, channel: number, label: string) {
  const p = (name: string, intValue: number) => ({ '@Name': name, intValue });
  return {
    ParameterSetID: id,
    Parameter: [
      p('Connector', 1),
      p('ControlMode', controlMode),
      p('MobilityNeedsMode', controlMode),
      p('Pricing', 0),
      p('BPTChannel', channel),
      p('GeneratorMode', 1),
      { '@Name': 'MaximumCurrent', rationalNumber: R(3000) },
      { '@Name': 'ConnectorLabel', finiteString: label },
    ],
  };
}

const serviceDetailRes: ExiDocument = {
  ServiceDetailRes: {
    Header: header(1718607536),
    ResponseCode: 'OK',
    ServiceID: 9,
    ServiceParameterList: {
      ParameterSet: [
        mcsParameterSet(1, 1, 1, 'MCS left'),
        mcsParameterSet(2, 2, 1, 'MCS rear'),
        mcsParameterSet(3, 1, 2, 'MCS top'),
        mcsParameterSet(4, 2, 2, 'MCS aft'),
      ],
    },
  },
};

export const EXI_CASES: readonly ExiCase[] = [
  { name: 'DC_ChargeLoopReq', grammar: 'dc', doc: chargeLoopReq },
  { name: 'Dynamic DC_ChargeLoopRes', grammar: 'dc', doc: dynamicChargeLoopRes },
  { name: 'ServiceDetailRes, 4 MCS parameter sets', grammar: 'cm', doc: serviceDetailRes },
];
