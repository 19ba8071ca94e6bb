// Commanding the charger under test from the bench side, where the bench has a way to: a site power
// limit (a shared cabinet's share for this connector), a charger-initiated stop, the charger's E-stop.
// On a lab bench this is the charger's own remote interface or an operator; on the emulator bench the
// emulated charger offers it. A test that needs it and finds none is skipped with the reason.

export interface ChargerControl {
  /** Cap the power the charger may deliver on this connector (W); undefined lifts the cap. */
  setSitePowerCapW(capW: number | undefined): unknown;
  /** The charger stops charging on its own ('charger') or its emergency stop is pressed ('emergency'). */
  stop(reason: 'charger' | 'emergency'): unknown;
  /** Keep EIM Authorization waiting (on a lab bench: nobody presents the ID) until called with false. */
  withholdAuthorization?(on: boolean): unknown;
  /** Keep ScheduleExchange waiting (no schedule from the backend yet) until called with false. */
  delaySchedule?(on: boolean): unknown;
}

/** A resource that can command its charger exposes `chargerControl`. */
export interface WithChargerControl {
  readonly chargerControl?: ChargerControl;
}

export function chargerControlOf(resource: unknown): ChargerControl | undefined {
  const c = (resource as WithChargerControl | undefined)?.chargerControl;
  return c && typeof c.setSitePowerCapW === 'function' && typeof c.stop === 'function' ? c : undefined;
}
