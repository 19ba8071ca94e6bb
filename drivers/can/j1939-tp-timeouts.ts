// The J1939-21 transport-protocol timers, named as in the standard: Tr (response), Th (hold), T1 (between
// received packets), T2 (data after our CTS), T3 (CTS or EndOfMsgAck after our data), T4 (CTS after a hold).

import { Limits } from '../core/limits.ts';

export interface J1939Timeouts {
  TrMs: number;
  ThMs: number;
  T1Ms: number;
  T2Ms: number;
  T3Ms: number;
  T4Ms: number;
}

/** The J1939-21 TP timeouts from fixtures/limits/j1939.yaml. */
export function loadJ1939Timeouts(limits: Limits = Limits.load('j1939')): J1939Timeouts {
  return {
    TrMs: limits.num('tp.TrMs'),
    ThMs: limits.num('tp.ThMs'),
    T1Ms: limits.num('tp.T1Ms'),
    T2Ms: limits.num('tp.T2Ms'),
    T3Ms: limits.num('tp.T3Ms'),
    T4Ms: limits.num('tp.T4Ms'),
  };
}
