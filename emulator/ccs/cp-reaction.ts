// The emulated CCS charger's reaction to its control pilot, written from IEC 61851-1 / IEC 61851-23 (system C):
// the vehicle shows its readiness for energy transfer by holding CP in C (or D, S2 closed). When it takes CP out
// of C/D (to B, or off the line) while the charger's output is energized, it has withdrawn that readiness: the
// charger switches its output off at once (an emergency switch-off, no ramp) and opens its contactors; the
// session goes on answering with EVSE_Shutdown. A CP change with the output already off (the vehicle's normal
// stop: B only once the output is off) needs no reaction. Fault ccs-ignores-cp-state-b: it carries on delivering.

import type { Timeline } from '../../drivers/core/timeline.ts';
import type { CpVehicleState, EmulatedCpLine } from '../../drivers/pilot/cp.ts';
import type { PowerStagePort } from '../mcs/power-port.ts';
import { CCS_RESPONSE_FAULT } from './response-faults.ts';

/** The vehicle states that say "ready for energy transfer" (S2 closed). */
const READY: ReadonlySet<CpVehicleState> = new Set(['C', 'D']);

export interface CpReactionTarget {
  power: PowerStagePort;
  /** The connector's output owner (the session that energized it), cleared when the output goes off here. */
  output: { owner?: unknown };
  faults: ReadonlySet<string>;
  timeline: Timeline;
  /** Timeline source: the charger resource's name. */
  source: string;
}

/** Watch the line; returns the unsubscribe. */
export function reactToCpExit(line: EmulatedCpLine, t: CpReactionTarget): () => void {
  let last = line.vehicle;
  const note = (event: string, extra: Record<string, unknown>) => t.timeline.record('session', t.source, { role: 'secc', event, ...extra });
  return line.onChange((_reading, by) => {
    const was = last;
    last = line.vehicle;
    if (by !== 'vehicle' || !READY.has(was) || READY.has(line.vehicle) || !t.power.outputEnabled) return;
    const cp = { from: was, to: line.vehicle };
    if (t.faults.has(CCS_RESPONSE_FAULT.ignoresCpStateB))
      return note('CP left C under load: ignored', { ...cp, fault: CCS_RESPONSE_FAULT.ignoresCpStateB });
    t.output.owner = undefined;
    t.power.stop('emergency');
    note('CP left C under load: output switched off', cp);
  });
}
