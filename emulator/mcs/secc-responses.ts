// The bodies of the emulated SECC's ISO 15118-20 DC responses: offered services and their parameter
// sets, charge parameters, schedules, the charge loop's control-mode part, and the mandatory fields a
// FAILED answer still carries. The fault switches that change what a response contains are applied here.

import {
  McsParameter,
  ServiceId,
  toRational,
  toRationalNoExponent,
  type ParameterSet,
  type Rational,
} from '../../drivers/iso15118/evcc/messages.ts';

export interface SeccRatings {
  maxVoltageV: number;
  minVoltageV: number;
  maxCurrentA: number;
  minCurrentA: number;
  maxPowerW: number;
  minPowerW: number;
  /** Optional EVSEPowerRampLimitation (W/s) for DC_ChargeParameterDiscoveryRes. */
  powerRampLimitationWps?: number;
}

/** The energy services offered (fault no-mcs-service drops MCS). */
export function offeredServices(services: number[], faults: ReadonlySet<string>): number[] {
  let s = [...services];
  if (faults.has('no-mcs-service')) s = s.filter((id) => id !== ServiceId.MCS && id !== ServiceId.MCS_BPT);
  if (s.length === 0) s = [ServiceId.DC];
  return s;
}

/** Parameter sets per service: 1 = Scheduled, 2 = Dynamic (MCS connector for 8/9, extended DC connector for 2). */
export function parameterSets(serviceId: number, faults: ReadonlySet<string>): ParameterSet[] {
  const isMcs = serviceId === ServiceId.MCS || serviceId === ServiceId.MCS_BPT;
  const connector = isMcs ? McsParameter.Connector.Mcs : 2;
  const bpt =
    serviceId === ServiceId.MCS_BPT
      ? [p('BPTChannel', McsParameter.BPTChannel.Unified), p('GeneratorMode', McsParameter.GeneratorMode.GridFollowing)]
      : [];
  const common = (mode: number) => [p('Connector', connector), p('ControlMode', mode), p('MobilityNeedsMode', 1), p('Pricing', 0), ...bpt];
  const sets: ParameterSet[] = [
    { ParameterSetID: 1, Parameter: common(McsParameter.ControlMode.Scheduled) },
    { ParameterSetID: 2, Parameter: common(McsParameter.ControlMode.Dynamic) },
  ];
  if (faults.has('dynamic-mode-missing')) sets.pop();
  if (isMcs && faults.has('mcs-scheduled-set-missing')) sets.shift();
  if (isMcs && faults.has('bad-parameter-set')) {
    const wrongMobility = (x: ParameterSet['Parameter'][number]) => (x['@Name'] === 'MobilityNeedsMode' ? p('MobilityNeedsMode', 2) : x);
    sets[0].Parameter = sets[0].Parameter.filter((x) => x['@Name'] !== 'Connector').map(wrongMobility);
  }
  return sets;
}

/** DC_ChargeParameterDiscoveryRes's energy transfer mode from the ratings (fault rational-without-exponent). */
export function chargeParameterMode(r: SeccRatings, bpt: boolean, faults: ReadonlySet<string>): Record<string, Record<string, Rational>> {
  const power = faults.has('rational-without-exponent') ? toRationalNoExponent(r.maxPowerW) : toRational(r.maxPowerW);
  // fault ratings-understated: current and voltage advertised 10 % below the rating.
  const understated = faults.has('ratings-understated') ? 0.9 : 1;
  const mode: Record<string, Rational> = {
    EVSEMaximumChargePower: power,
    EVSEMinimumChargePower: toRational(r.minPowerW),
    EVSEMaximumChargeCurrent: toRational(r.maxCurrentA * understated),
    EVSEMinimumChargeCurrent: toRational(r.minCurrentA),
    EVSEMaximumVoltage: toRational(r.maxVoltageV * understated),
    EVSEMinimumVoltage: toRational(r.minVoltageV),
  };
  if (r.powerRampLimitationWps !== undefined) mode.EVSEPowerRampLimitation = toRational(r.powerRampLimitationWps);
  if (!bpt) return { DC_CPDResEnergyTransferMode: mode };
  Object.assign(mode, {
    EVSEMaximumDischargePower: power,
    EVSEMinimumDischargePower: toRational(0),
    EVSEMaximumDischargeCurrent: toRational(r.maxCurrentA),
    EVSEMinimumDischargeCurrent: toRational(0),
  });
  return { BPT_DC_CPDResEnergyTransferMode: mode };
}

/** One schedule tuple: the rated power for a day from now. */
export function scheduledControlMode(nowS: number, maxPowerW: number): Record<string, unknown> {
  const entries = { PowerScheduleEntry: [{ Duration: 86400, Power: toRational(maxPowerW) }] };
  const tuple = { ScheduleTupleID: 1, ChargingSchedule: { PowerSchedule: { TimeAnchor: nowS, PowerScheduleEntries: entries } } };
  return { Scheduled_SEResControlMode: { ScheduleTuple: [tuple] } };
}

/** The control-mode part of DC_ChargeLoopRes (Dynamic: the charger's current limits). */
export function chargeLoopControlMode(mode: 'Scheduled' | 'Dynamic', r: SeccRatings): Record<string, unknown> {
  if (mode === 'Scheduled') return { Scheduled_DC_CLResControlMode: {} };
  return {
    Dynamic_DC_CLResControlMode: {
      EVSEMaximumChargePower: toRational(r.maxPowerW),
      EVSEMinimumChargePower: toRational(r.minPowerW),
      EVSEMaximumChargeCurrent: toRational(r.maxCurrentA),
      EVSEMaximumVoltage: toRational(r.maxVoltageV),
    },
  };
}

function p(name: string, intValue: number): { '@Name': string; intValue: number } {
  return { '@Name': name, intValue };
}

const ZERO: Rational = { Exponent: 0, Value: 0 };

/** The mandatory fields of a response beyond Header/ResponseCode, filled with neutral values (for FAILED answers). */
export function minimalMandatory(message: string, req: Record<string, any> = {}): Record<string, unknown> {
  switch (message) {
    case 'SessionSetup':
      return { EVSEID: 'ZZ00000' };
    case 'AuthorizationSetup':
      return { AuthorizationServices: ['EIM'], CertificateInstallationService: false, EIM_ASResAuthorizationMode: {} };
    case 'Authorization':
    case 'DC_CableCheck':
      return { EVSEProcessing: 'Finished' };
    case 'ServiceDiscovery':
      return {
        ServiceRenegotiationSupported: false,
        EnergyTransferServiceList: { Service: [{ ServiceID: ServiceId.DC, FreeService: false }] },
      };
    case 'ServiceDetail':
      return {
        ServiceID: Number.isInteger(req.ServiceID) ? req.ServiceID : ServiceId.DC,
        ServiceParameterList: { ParameterSet: [{ ParameterSetID: 0, Parameter: [p('Connector', 0)] }] },
      };
    case 'DC_ChargeParameterDiscovery':
      return {
        DC_CPDResEnergyTransferMode: {
          EVSEMaximumChargePower: ZERO,
          EVSEMinimumChargePower: ZERO,
          EVSEMaximumChargeCurrent: ZERO,
          EVSEMinimumChargeCurrent: ZERO,
          EVSEMaximumVoltage: ZERO,
          EVSEMinimumVoltage: ZERO,
        },
      };
    case 'ScheduleExchange':
      return { EVSEProcessing: 'Finished', Dynamic_SEResControlMode: {} };
    case 'DC_PreCharge':
    case 'DC_WeldingDetection':
      return { EVSEPresentVoltage: ZERO };
    case 'DC_ChargeLoop':
      return {
        EVSEPresentCurrent: ZERO,
        EVSEPresentVoltage: ZERO,
        EVSEPowerLimitAchieved: false,
        EVSECurrentLimitAchieved: false,
        EVSEVoltageLimitAchieved: false,
        Scheduled_DC_CLResControlMode: {},
      };
    default:
      return {};
  }
}

export function clamp(x: number, lo: number, hi: number): number {
  if (!Number.isFinite(x)) return lo;
  return Math.max(lo, Math.min(hi, x));
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
