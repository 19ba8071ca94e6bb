// The session timers of ISO 15118-20 as the engines use them: defaults from the limit profile
// (fixtures/limits/iso15118-20.yaml, `timer.*`, each with clause + verified flag), overridable per bench
// with `timers: { V2G_EVCC_Msg_Timeout: 2000, 'V2G_EVCC_Msg_Timeout.DC_ChargeLoop': 500, … }` (ms).

import { Limits } from '../../core/limits.ts';

export const TIMER_NAMES = [
  'V2G_EVCC_Msg_Timeout',
  'V2G_EVCC_Msg_Timeout.ServiceDetail',
  'V2G_EVCC_Msg_Timeout.DC_ChargeLoop',
  'V2G_EVCC_Msg_Timeout.supportedAppProtocol',
  'V2G_EVCC_CommunicationSetup_Timeout',
  'V2G_EVCC_Ongoing_Timeout',
  'V2G_EVCC_CableCheck_Timeout',
  'V2G_EVCC_PreCharge_Timeout',
  'V2G_SECC_Sequence_Timeout',
  'V2G_SECC_Sequence_Timeout.DC_ChargeLoop',
  'V2G_SECC_CommunicationSetup_Performance_Time',
  'EVCC_ChargeLoop_Period',
  'EVCC_Processing_Poll',
] as const;
export type TimerName = (typeof TIMER_NAMES)[number];

export type SessionTimers = Record<TimerName, number> & {
  /** Which timers a bench overrode (for the evidence). */
  overridden: TimerName[];
};

/** Timers from the limit profile, then the bench's overrides. Unknown override names are ignored by design (other stacks' timers share the map). */
export function loadSessionTimers(limits?: Limits, overrides: Record<string, number> = {}): SessionTimers {
  const l = limits && limits.has('timer.V2G_EVCC_Msg_Timeout') ? limits : Limits.load('iso15118-20');
  const out = { overridden: [] as TimerName[] } as SessionTimers;
  for (const name of TIMER_NAMES) {
    out[name] = l.num(`timer.${name}`);
    const o = overrides[name];
    if (typeof o === 'number' && Number.isFinite(o) && o >= 0) {
      out[name] = o;
      out.overridden.push(name);
    }
  }
  return out;
}

/** V2G_EVCC_Msg_Timeout for one request (the per-message value where the standard has one). */
export function msgTimeoutMs(timers: SessionTimers, message: string): number {
  if (message === 'ServiceDetail') return timers['V2G_EVCC_Msg_Timeout.ServiceDetail'];
  if (message === 'DC_ChargeLoop') return timers['V2G_EVCC_Msg_Timeout.DC_ChargeLoop'];
  if (message === 'supportedAppProtocol') return timers['V2G_EVCC_Msg_Timeout.supportedAppProtocol'];
  return timers.V2G_EVCC_Msg_Timeout;
}

/** Name of the limit holding the SECC performance time for one response (per-message where there is one). */
export function performanceLimitName(limits: Limits, message: string): string {
  const specific = `secc.performanceTime.${message}`;
  return limits.has(specific) ? specific : 'secc.performanceTime';
}
