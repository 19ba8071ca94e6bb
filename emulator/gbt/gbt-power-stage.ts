// What the emulated GB/T charger needs from a power stage (emulator/power/power-stage.ts is one): the
// charger drives it, the suites only ever see its effect on the wire and the instruments.

/** The part of the power stage the GB/T charger drives (emulator/power/power-stage.ts). */
export interface GbtPowerStage {
  request(targets: { currentA: number; voltageV: number; maxVoltageV?: number }): void;
  setVehicleLimits(limits: { maxVoltageV: number; maxCurrentA?: number }): void;
  precharge(targetVoltageV: number): void;
  startCharging(): void;
  stop(reason: 'vehicle' | 'charger' | 'emergency'): void;
  present(): { voltageV: number; currentA: number };
  readonly outputEnabled: boolean;
}
