// What the emulated SECC needs from a power stage (emulator/power/power-stage.ts implements it:
// ramp limiter, current loop, protections). The SECC applies the EV's targets each charge-loop cycle
// and reports the stage's present values. IdealPowerStage is the stand-in for protocol-only use (unit
// tests of the state machine, a charger without the power bench): it follows requests instantly.

export interface PowerStagePort {
  /** The EV's target for this cycle (already clamped by the SECC to its ratings). */
  request(target: { currentA: number; voltageV: number }): unknown;
  /** Start the insulation test at this voltage. */
  cableCheck(voltageV: number): unknown;
  /** Precharge: voltage source towards voltageV with current ≤ 2 A. */
  precharge(voltageV: number): unknown;
  /** Contactors closed, current may flow. */
  startCharging(): unknown;
  /** Ramp down and disable the output ('emergency': open at once). */
  stop(reason: 'vehicle' | 'charger' | 'emergency'): unknown;
  /** The EV's declared maxima from DC_ChargeParameterDiscoveryReq (over-voltage protection). */
  setVehicleLimits?(limits: { maxVoltageV: number; maxCurrentA?: number }): unknown;
  /** The site's power share for this connector (a shared cabinet); undefined lifts the cap. */
  setSitePowerCapW?(capW: number | undefined): unknown;
  /** The maxima the stage can deliver now (site cap and derating applied): what the charger advertises. */
  limits?(): { maxCurrentA: number; maxVoltageV: number; maxPowerW: number };
  /** What the charger reports (and, on the emulator, what flows). */
  present(): { voltageV: number; currentA: number };
  /** What the charger's own control believes it outputs, where that differs from what it reports (else present()). */
  measured?(): { voltageV: number; currentA: number };
  readonly outputEnabled: boolean;
  isolationOk(): boolean;
}

/** Follows every request at once; no limits, no dynamics. Only for protocol tests. */
export class IdealPowerStage implements PowerStagePort {
  private v = 0;
  private i = 0;
  private mode: 'off' | 'cable-check' | 'precharge' | 'charging' = 'off';
  outputEnabled = false;

  constructor(private readonly batteryVoltageV = () => 0) {}

  request(t: { currentA: number; voltageV: number }): void {
    if (this.mode !== 'charging') return;
    this.i = Math.max(0, t.currentA);
    this.v = this.batteryVoltageV() || t.voltageV;
  }
  cableCheck(voltageV: number): void {
    this.mode = 'cable-check';
    this.outputEnabled = true;
    this.v = voltageV;
    this.i = 0;
  }
  precharge(voltageV: number): void {
    this.mode = 'precharge';
    this.outputEnabled = true;
    this.v = voltageV;
    this.i = 0;
  }
  startCharging(): void {
    this.mode = 'charging';
    this.outputEnabled = true;
  }
  stop(): void {
    this.mode = 'off';
    this.outputEnabled = false;
    this.i = 0;
    this.v = 0;
  }
  setSitePowerCapW(): void {
    /* the ideal stage has no power limit to cap */
  }
  present(): { voltageV: number; currentA: number } {
    return { voltageV: this.v, currentA: this.i };
  }
  isolationOk(): boolean {
    return true;
  }
}
