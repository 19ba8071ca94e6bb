// What each DC response of the emulated CCS charger carries besides its ResponseCode, from the session's
// state and the power stage: the same content for an OK answer and (with neutral values where nothing was
// asked) for a FAILED one, which must still carry every mandatory field. The charge loop applies the
// vehicle's CurrentDemandReq to the power stage here, capped by what the charger can deliver now.

import type { PowerStagePort } from '../mcs/power-port.ts';
import { round1 } from '../mcs/secc-responses.ts';
import { fromPhysical, physical, type CcsProtocol, type CcsStep } from './ccs-protocol.ts';
import { offeredServiceList, serviceDetailContent } from './value-added-services.ts';
import { dcEvseChargeParameter, evseIdFor, loopLimits, saScheduleList, serviceDiscoveryContent, type CcsRatings } from './ccs-responses.ts';

export interface AnswerContext {
  protocol: CcsProtocol;
  evseId: string;
  ratings: CcsRatings;
  power: PowerStagePort;
  /** DC_EVSEStatus as it is now. */
  status: Record<string, unknown>;
  /** EVSEProcessing of an Authorization / ChargeParameterDiscovery / CableCheck answer. */
  processing: 'Finished' | 'Ongoing';
  /** Wall clock (s) for the timestamps. */
  nowS: number;
}

/** The response content of a step; `req` is the request (empty for a FAILED answer, which applies nothing). */
export function answerContent(c: AnswerContext, step: CcsStep, req: Record<string, any>): Record<string, unknown> {
  const presentVoltage = () => physical(round1(c.power.present().voltageV), 'V');
  switch (step) {
    case 'SessionSetup':
      return { EVSEID: evseIdFor(c.protocol, c.evseId), ...(c.protocol === 'din' ? { DateTimeNow: c.nowS } : { EVSETimeStamp: c.nowS }) };
    case 'ServiceDiscovery':
      return { ...serviceDiscoveryContent(c.protocol), ...offeredServiceList(c.protocol) };
    case 'ServiceDetail':
      return serviceDetailContent(req.ServiceID);
    case 'PaymentSelection':
    case 'SessionStop':
      return {};
    case 'Authorization':
      return { EVSEProcessing: c.processing };
    case 'ChargeParameterDiscovery':
      return {
        EVSEProcessing: c.processing,
        SAScheduleList: saScheduleList(c.protocol, c.ratings.maxPowerW),
        DC_EVSEChargeParameter: dcEvseChargeParameter(c.ratings, c.status),
      };
    case 'CableCheck':
      return { DC_EVSEStatus: c.status, EVSEProcessing: c.processing };
    case 'PreCharge':
    case 'WeldingDetection':
      return { DC_EVSEStatus: c.status, EVSEPresentVoltage: presentVoltage() };
    case 'PowerDelivery':
      return { DC_EVSEStatus: c.status };
    case 'CurrentDemand':
      return chargeLoop(c, req);
  }
}

/** CurrentDemandRes: the target (capped by current, power and voltage limits) goes to the stage; report what flows. */
function chargeLoop(c: AnswerContext, req: Record<string, any>): Record<string, unknown> {
  const r = c.ratings;
  const now = c.power.limits?.();
  const limits = {
    maxVoltageV: r.maxVoltageV,
    maxCurrentA: Math.min(r.maxCurrentA, now?.maxCurrentA ?? Infinity),
    maxPowerW: Math.min(r.maxPowerW, now?.maxPowerW ?? Infinity),
  };
  const targetA = fromPhysical(req.EVTargetCurrent);
  const targetV = fromPhysical(req.EVTargetVoltage);
  const asked = Number.isFinite(targetA);
  const vForPower = Math.max(1, c.power.present().voltageV || targetV || 1);
  const powerCapA = limits.maxPowerW / vForPower;
  if (asked) {
    const currentA = Math.max(0, Math.min(targetA, limits.maxCurrentA, powerCapA));
    c.power.request({ currentA, voltageV: Math.max(0, Math.min(Number.isFinite(targetV) ? targetV : 0, limits.maxVoltageV)) });
  }
  const present = c.power.present();
  return {
    DC_EVSEStatus: c.status,
    EVSEPresentVoltage: physical(round1(present.voltageV), 'V'),
    EVSEPresentCurrent: physical(round1(present.currentA), 'A'),
    EVSECurrentLimitAchieved: asked && targetA > limits.maxCurrentA,
    EVSEVoltageLimitAchieved: asked && targetV > limits.maxVoltageV,
    EVSEPowerLimitAchieved: asked && targetA > powerCapA && powerCapA < limits.maxCurrentA,
    ...loopLimits(limits),
    ...(c.protocol === 'iso2' ? { EVSEID: c.evseId, SAScheduleTupleID: 1, ReceiptRequired: false } : {}),
  };
}
