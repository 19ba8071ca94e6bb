// What a resource offers the bench's safe-state strategy (benches/safe-state.ts): small named actions, each
// doing one thing. The strategy, not the resource, knows their order and their time limits. A resource
// offers only the ones that apply to it (a pilot releases the pilot line, an interlock opens the loop).

export interface SafeStatePrimitives {
  /** Vehicle: ask for 0 A and end the session the standard's way (PowerDelivery stop, SessionStop, BST …). */
  requestZeroCurrent?(): Promise<void>;
  /** The bench's own means to disable the charger's output, where it has one (an emulated charger, an E-stop relay). */
  disableChargerOutput?(): Promise<void>;
  /** The output current measured at the inlet now (A, magnitude), for the wait below the stop current. */
  measuredCurrentA?(): Promise<number>;
  /** Vehicle side: open the DC contactors (the strategy calls it only after the current fell). */
  openContactors?(): Promise<void>;
  /** Pilot line to the state that stops charging: CE to B (MCS), CP to A/B (CCS). */
  releasePilot?(): Promise<void>;
  /** Instrument outputs off (battery emulator, DC source, load). */
  outputsOff?(): Promise<void>;
  /** Open the HV interlock / emergency-stop loop and confirm it by readback. */
  openInterlock?(): Promise<void>;
}

/** The primitives of any battery emulator / power analyser: it measures the inlet current and has an output. */
export function batteryEmulatorPrimitives(be: {
  read(): Promise<{ currentA: number }>;
  shutdown(): Promise<void>;
}): SafeStatePrimitives {
  return {
    measuredCurrentA: async () => Math.abs((await be.read()).currentA),
    outputsOff: () => be.shutdown(),
  };
}
