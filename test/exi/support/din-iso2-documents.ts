// Our own DIN 70121 and ISO 15118-2 documents (built here, not taken from any capture): the charge-loop
// pair of each protocol, for tests and perf/exi.ts.

import type { ExiDocument } from '../../../drivers/exi/index.ts';

const V = (Value: number, Unit: string, Multiplier = 0) => ({ Multiplier, Unit, Value });

const inSession = (Body: object): ExiDocument => ({ V2G_Message: { Header: { SessionID: '5A2CDE53F701D4AC' }, Body } });

// What both protocols' charge loops carry alike; each adds its own fields around these.
const vehicleDemand = {
  DC_EVStatus: { EVReady: true, EVErrorCode: 'NO_ERROR', EVRESSSOC: 55 },
  EVTargetCurrent: V(125, 'A'),
  EVMaximumVoltageLimit: V(4200, 'V', -1),
  EVMaximumCurrentLimit: V(200, 'A'),
};
const chargerOutput = {
  EVSEPresentVoltage: V(3987, 'V', -1),
  EVSEPresentCurrent: V(124, 'A'),
  EVSECurrentLimitAchieved: false,
  EVSEVoltageLimitAchieved: false,
  EVSEPowerLimitAchieved: false,
  EVSEMaximumVoltageLimit: V(500, 'V'),
  EVSEMaximumCurrentLimit: V(200, 'A'),
  EVSEMaximumPowerLimit: V(100, 'W', 3),
};

export const dinCurrentDemandReq = inSession({
  CurrentDemandReq: {
    ...vehicleDemand,
    BulkChargingComplete: false,
    ChargingComplete: false,
    RemainingTimeToFullSoC: V(1800, 's'),
    EVTargetVoltage: V(4100, 'V', -1),
  },
});

export const dinCurrentDemandRes = inSession({
  CurrentDemandRes: {
    ResponseCode: 'OK',
    DC_EVSEStatus: { EVSEIsolationStatus: 'Valid', EVSEStatusCode: 'EVSE_Ready', NotificationMaxDelay: 0, EVSENotification: 'None' },
    ...chargerOutput,
  },
});

export const iso2CurrentDemandReq = inSession({
  CurrentDemandReq: {
    ...vehicleDemand,
    EVMaximumPowerLimit: V(84, 'W', 3),
    BulkChargingComplete: false,
    ChargingComplete: false,
    RemainingTimeToFullSoC: V(1800, 's'),
    RemainingTimeToBulkSoC: V(1200, 's'),
    EVTargetVoltage: V(4100, 'V', -1),
  },
});

export const iso2CurrentDemandRes = inSession({
  CurrentDemandRes: {
    ResponseCode: 'OK',
    DC_EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: 'None', EVSEIsolationStatus: 'Valid', EVSEStatusCode: 'EVSE_Ready' },
    ...chargerOutput,
    EVSEID: 'DE*ABC*E1234567',
    SAScheduleTupleID: 1,
    ReceiptRequired: false,
  },
});
