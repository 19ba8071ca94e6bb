// The contract between a bench and whatever it opens: every resource (a vehicle-side driver, an emulated
// charger, an instrument) offers these. It lives with the drivers so that drivers and the emulator can
// implement it without importing the bench machinery above them (DESIGN import direction).

/** What every opened resource offers the bench. */
export interface Resource {
  readonly name: string;
  readonly kind: string;
  /** Take this resource to its safe state (output off, request 0 A, …). Must be idempotent and not throw for a closed resource. */
  safeState?(): Promise<void>;
  /** The named actions the bench's safe-state strategy calls, in its own order (benches/safe-state.ts). */
  readonly safeStatePrimitives?: SafeStatePrimitives;
  /**
   * Precondition of every test: wait, bounded by the limit profile (sequence timeout + margin), until the
   * charger on this resource is idle and answers a new session (SDP for ISO 15118), using the bench's reset
   * means where it has one (CE/ID unplug cycle). Resolves with one line saying what was done; rejects with
   * a BenchFault when the charger does not come back.
   */
  awaitChargerIdle?(previousTest: string): Promise<string>;
  /** Release it. Called once, after safeState. */
  close(): Promise<void>;
  /** Identity the device reports (charger vendor/model/firmware…), for the report's environment. */
  identity?(): Record<string, string>;
}

/**
 * What a resource offers the bench's safe-state strategy (benches/safe-state.ts): small named actions, each
 * doing one thing. The strategy, not the resource, knows their order and their time limits. A resource
 * offers only the ones that apply to it (a pilot releases the pilot line, an interlock opens the loop).
 */
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

/** The bench's HV interlock / emergency-stop loop, whatever implements it (the emulated loop, a relay with readback). */
export type InterlockState = 'open' | 'closed';

export interface Interlock extends Resource {
  readonly state: InterlockState;
  /** Energise permission: close the loop (tests call this before they let current flow). */
  arm(): Promise<void>;
  /** Open the loop and confirm by readback. */
  disarm(): Promise<void>;
  /** Read the loop state back from the hardware, bounded by its response timeout. */
  readBack(): Promise<InterlockState>;
}
