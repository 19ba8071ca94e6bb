// The one instrument interface suites and vehicle sessions use for the vehicle's battery side, whatever
// sits on the bench: a regenerative battery emulator over SCPI (RP7900-class) or the emulated one. It is
// also the power analyser: it streams the inlet voltage and current as 'samples' blocks onto the timeline
// ({t0, dt, channels: {voltageV, currentA}}, ≥ 1 kS/s), which is what every ramp/safety assertion reads.

/** The bench's resource shape (benches/registry.ts Resource), restated so a driver does not import a bench. */
export interface InstrumentResource {
  readonly name: string;
  readonly kind: string;
  safeState?(): Promise<void>;
  close(): Promise<void>;
  identity?(): Record<string, string>;
}

export interface BatteryEmulatorProtection {
  /** Over-voltage protection level (V): the output latches off above it. */
  ovpV?: number;
  /** Over-current protection level (A). */
  ocpA?: number;
}

export interface BatteryEmulatorReading {
  voltageV: number;
  currentA: number;
}

export interface BatteryEmulator extends InstrumentResource {
  /** Timeline source of the sample blocks. */
  readonly source: string;
  /** Samples per second of the streamed blocks. */
  readonly sampleRateHz: number;
  /** True while the output is on: the battery is connected to the inlet (the vehicle's contactors closed). */
  readonly outputOn: boolean;

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
  /** One measurement at the inlet now. */
  read(): Promise<BatteryEmulatorReading>;
  /** Start / stop streaming sample blocks onto the timeline. */
  startStreaming(): Promise<void>;
  stopStreaming(): Promise<void>;
  /** Put every sample taken up to now on the timeline (call before an assertion reads the timeline). */
  flush(): Promise<void>;
  /** Bench-side insulation fault box, where the bench has one (Ω to PE; undefined removes the fault). */
  injectInsulationFault?(ohm: number | undefined): Promise<void>;
  /** Safe state: output off, protections kept. Idempotent; never throws for a closed instrument. */
  shutdown(): Promise<void>;
}

export const BATTERY_EMULATOR_KINDS = ['emulated-battery-emulator', 'scpi-battery-emulator'] as const;

export function isBatteryEmulator(r: InstrumentResource | undefined): r is BatteryEmulator {
  return !!r && (BATTERY_EMULATOR_KINDS as readonly string[]).includes(r.kind);
}
