// The DIN 70121 / ISO 15118-2 vehicle's timers, from the protocol's limit profile (fixtures/limits/din70121.yaml,
// iso15118-2.yaml; `timer.*`, each with clause and source), overridable per bench like the -20 timers
// (`timers: { 'V2G_EVCC_Msg_Timeout.CurrentDemand': 300 }`, ms). The message timeout is per request where the
// standard gives one (CurrentDemand 0.25 s, -2's PowerDelivery / ServiceDetail 5 s), else the general one.

import type { Limits } from '../../core/limits.ts';

export const SEQUENCE_TIMERS = [
  'V2G_EVCC_CommunicationSetup_Timeout',
  'V2G_EVCC_Ongoing_Timeout',
  'V2G_EVCC_CableCheck_Timeout',
  'V2G_EVCC_PreCharge_Timeout',
  'EVCC_ChargeLoop_Period',
  'EVCC_Processing_Poll',
] as const;
export type CcsSequenceTimer = (typeof SEQUENCE_TIMERS)[number];

export class CcsTimers {
  /** Which timers the bench overrode (for the evidence). */
  readonly overridden: string[] = [];
  private readonly values = new Map<string, number>();

  constructor(
    private readonly limits: Limits,
    overrides: Record<string, number> = {},
  ) {
    for (const [name, ms] of Object.entries(overrides)) {
      if (!Number.isFinite(ms) || ms < 0 || !limits.has(`timer.${name}`)) continue; // other stacks' timers share the map
      this.values.set(name, ms);
      this.overridden.push(name);
    }
  }

  private value(name: string): number {
    return this.values.get(name) ?? this.limits.num(`timer.${name}`);
  }

  get(name: CcsSequenceTimer): number {
    return this.value(name);
  }

  /** V2G_EVCC_Msg_Timeout for one request ('CurrentDemand', 'supportedAppProtocol', …). */
  readonly msgTimeoutMs = (message: string): number => {
    const specific = `V2G_EVCC_Msg_Timeout.${message}`;
    return this.values.has(specific) || this.limits.has(`timer.${specific}`) ? this.value(specific) : this.value('V2G_EVCC_Msg_Timeout');
  };
}

/** The SECC performance time limit's name for one response (per-message where the profile has one). */
export function seccPerformanceLimit(limits: Limits, message: string): string {
  return limits.has(`secc.performanceTime.${message}`) ? `secc.performanceTime.${message}` : 'secc.performanceTime';
}
