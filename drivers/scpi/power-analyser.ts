// The power analyser: the instrument whose inlet voltage/current samples every ramp and safety assertion
// reads. It streams them as 'samples' blocks onto the timeline ({t0, dt, channels: {voltageV, currentA, …}}):
// a battery emulator's own log at ≥ 1 kS/s (drivers/scpi/battery-emulator.ts) serves as the analyser on a bench
// without a separate one; a separate SCPI analyser (power-analyser-scpi.ts, kind scpi-power-analyser) streams
// the mean over each of its data updates (10 ms and up) and takes the judged trace when the bench has one.

/** The bench's resource shape (benches/registry.ts Resource), restated so a driver does not import a bench. */
export interface InstrumentResource {
  readonly name: string;
  readonly kind: string;
  safeState?(): Promise<void>;
  close(): Promise<void>;
  identity?(): Record<string, string>;
}

export interface PowerReading {
  voltageV: number;
  currentA: number;
}

export interface PowerAnalyser extends InstrumentResource {
  /** Timeline source of the sample blocks. */
  readonly source: string;
  /** Samples per second of the streamed blocks. */
  readonly sampleRateHz: number;
  /** One measurement at the inlet now. */
  read(): Promise<PowerReading>;
  /** Start / stop streaming sample blocks onto the timeline. */
  startStreaming(): Promise<void>;
  stopStreaming(): Promise<void>;
  /** Put every sample taken up to now on the timeline (call before an assertion reads the timeline). */
  flush(): Promise<void>;
}

/** Structural check: anything that streams inlet samples and can be flushed serves as the analyser. */
export function isPowerAnalyser(r: unknown): r is PowerAnalyser {
  const a = r as Partial<PowerAnalyser> | undefined;
  return (
    !!a &&
    typeof a.source === 'string' &&
    typeof a.flush === 'function' &&
    typeof a.read === 'function' &&
    typeof a.startStreaming === 'function'
  );
}

/** Resource kind of a separate SCPI power analyser (drivers/scpi/power-analyser-scpi.ts). */
export const SCPI_POWER_ANALYSER_KIND = 'scpi-power-analyser';

/** The bench's separate power analyser, where it has one: its trace is the judged one (else the battery emulator's). */
export function separateAnalyser(resources: Iterable<unknown>): PowerAnalyser | undefined {
  for (const r of resources) if (isPowerAnalyser(r) && r.kind === SCPI_POWER_ANALYSER_KIND) return r;
  return undefined;
}
