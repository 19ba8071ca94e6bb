// Shared set-up for the MCS session tests: an emulated charger and a vehicle in one process, on the
// in-memory link (virtual clock) or on the real veth link (real clock, TLS).

import { VirtualClock, type Clock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline, type TimelineEvent } from '../../drivers/core/timeline.ts';
import { Iso15118Vehicle, type VehicleSettings } from '../../drivers/iso15118/evcc/vehicle.ts';
import { EmulatedCeIdLine, EmulatedCeIdPilot } from '../../drivers/pilot/ce-id.ts';
import { EmulatedMcsCharger, type McsChargerSettings } from '../../emulator/mcs/charger.ts';
import { withRigClose } from '../support/rig-close.ts';

export const RATINGS = { maxVoltageV: 1250, minVoltageV: 150, maxCurrentA: 3000, maxPowerW: 3_750_000 };

export interface Rig {
  clock: Clock;
  timeline: Timeline;
  charger: EmulatedMcsCharger;
  vehicle: Iso15118Vehicle;
  limits: Limits;
  close(): Promise<void>;
}

let n = 0;

/** Charger + vehicle on the in-memory link with a virtual clock that jumps whenever everything waits. */
export async function memoryRig(
  o: { faults?: string[]; charger?: McsChargerSettings; vehicle?: VehicleSettings; codec?: 'json' | 'auto'; pilot?: boolean } = {},
): Promise<Rig> {
  const clock = new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const limits = Limits.load('iso15118-20');
  const name = `charger-${++n}`;
  const charger = await EmulatedMcsCharger.start(
    name,
    { link: 'memory', codec: o.codec ?? 'auto', ...o.charger },
    { clock, timeline, ratings: RATINGS, faults: new Set(o.faults ?? []), limits },
  );
  let pilot: EmulatedCeIdPilot | undefined;
  if (o.pilot) {
    const line = new EmulatedCeIdLine(`${name}-ce-id`, clock, timeline);
    line.setId('connected');
    line.setChargerGate('enabled');
    pilot = new EmulatedCeIdPilot('pilot', line, clock);
  }
  const vehicle = await Iso15118Vehicle.create(
    'ev',
    { memory: name, codec: o.codec ?? 'auto', ...o.vehicle },
    { clock, timeline, limits, pilot },
  );
  return withRigClose({ clock, timeline, charger, vehicle, limits }, [() => vehicle.safeState(), charger]);
}

type Session = Awaited<ReturnType<Iso15118Vehicle['openSession']>>;

/** A new session walked up to SessionSetup: where the tests that then misbehave or judge start. */
export async function sessionSetUp(rig: Rig): Promise<Session> {
  const s = await rig.vehicle.openSession();
  await s.runUntil('SessionSetup');
  return s;
}

/** PowerDelivery(Start) straight after SessionSetup: out of the standard's sequence. */
export function prematureStart(s: Session): ReturnType<Session['exchange']> {
  return s.exchange('PowerDelivery', { EVProcessing: 'Finished', ChargeProgress: 'Start' });
}

/** Root element names of the vehicle's v2g records, in order ('→SessionSetupReq', '←SessionSetupRes'). */
export function messageFlow(events: TimelineEvent[], source = 'ev'): string[] {
  return events
    .filter((e) => e.kind === 'v2g' && e.source === source && typeof e.data.message === 'string')
    .map((e) => `${e.data.dir === 'tx' ? '→' : '←'}${String(e.data.message ?? '?')}`);
}
