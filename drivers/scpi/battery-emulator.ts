// The one instrument interface suites and vehicle sessions use for the vehicle's battery side, whatever
// sits on the bench: a regenerative battery emulator over SCPI (RP7900-class) or the emulated battery. A
// battery emulator that logs its own output also serves as the power analyser (drivers/scpi/power-analyser.ts):
// it streams the inlet voltage and current onto the timeline, which is what every ramp/safety assertion reads.

import type { InstrumentResource, PowerAnalyser, PowerReading } from './power-analyser.ts';

export type { InstrumentResource } from './power-analyser.ts';

export interface BatteryEmulatorProtection {
  /** Over-voltage protection level (V): the output latches off above it. */
  ovpV?: number;
  /** Over-current protection level (A). */
  ocpA?: number;
}

export type BatteryEmulatorReading = PowerReading;

export interface BatteryEmulator extends PowerAnalyser {
  /** True while the output is on: the battery is connected to the inlet (the vehicle's contactors closed). */
  readonly outputOn: boolean;
  /** What the instrument (all its parallel units) can take, where it reports it: a test asking more is not applicable. */
  readonly ratings?: { maxVoltageV: number; maxCurrentA: number };

  /** Hold the battery at this voltage (voltage priority). The emulated one leaves its battery model for a fixed source. */
  setBatteryVoltage(voltageV: number): Promise<void>;
  /** Series resistance of the emulated battery (Ω). */
  setSeriesResistance(ohm: number): Promise<void>;
  /** Connect (true) or disconnect the battery: the vehicle's contactors. */
  setOutput(on: boolean): Promise<void>;
  setProtection(p: BatteryEmulatorProtection): Promise<void>;
  /** I/O watchdog: the output latches off when the harness is silent this long; undefined turns it off. */
  setWatchdog(delayS: number | undefined): Promise<void>;
  /** The battery's own voltage behind the contactors (what the vehicle precharges to). */
  batteryVoltageV(): Promise<number>;
  /** Bench-side insulation fault box, where the bench has one (Ω to PE; undefined removes the fault). */
  injectInsulationFault?(ohm: number | undefined): Promise<void>;
  /** Safe state: output off, protections kept. Idempotent; never throws for a closed instrument. */
  shutdown(): Promise<void>;
}

/** Resource kinds that are battery emulators ('emulated-battery-emulator' is the deprecated name of 'emulated-battery'). */
export const BATTERY_EMULATOR_KINDS = ['emulated-battery', 'scpi-battery-emulator', 'emulated-battery-emulator'] as const;

export function isBatteryEmulator(r: InstrumentResource | undefined): r is BatteryEmulator {
  return !!r && (BATTERY_EMULATOR_KINDS as readonly string[]).includes(r.kind);
}
