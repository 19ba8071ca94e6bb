// The current loop of the emulated power stage: a ramp limiter on the command, then a first-order (τ) or
// second-order (ζ, ωn) response of the true output current. The loop regulates what the charger's own
// sensor reads, so the true current carries the sensor's gain and offset error.

import type { PowerStageParams } from './power-stage-params.ts';

export class CurrentLoop {
  /** Ramp-limited current command (what the charger aims its measured current at). */
  commandA = 0;
  /** True output current, and its derivative (second-order mode). */
  outputA = 0;
  private dOutputA = 0;

  constructor(private readonly p: PowerStageParams) {}

  /** Start from the current that flows now, with the command at zero. */
  reset(currentA: number): void {
    this.outputA = currentA;
    this.dOutputA = 0;
    this.commandA = 0;
  }

  step(limitA: number, rates: { upAps: number; downAps: number }, dtS: number): number {
    const p = this.p;
    if (limitA > this.commandA) this.commandA = Math.min(limitA, this.commandA + rates.upAps * dtS);
    else this.commandA = Math.max(limitA, this.commandA - rates.downAps * dtS);
    const targetA = Math.max(0, (this.commandA - p.currentOffsetA) / (1 + p.currentGainError));
    if (p.loopOrder === 2) {
      const acc = p.omegaNRadS * p.omegaNRadS * (targetA - this.outputA) - 2 * p.zeta * p.omegaNRadS * this.dOutputA;
      this.dOutputA += acc * dtS;
      this.outputA += this.dOutputA * dtS;
    } else {
      this.outputA += (1 - Math.exp(-dtS / (p.currentTauMs / 1000))) * (targetA - this.outputA);
    }
    return this.outputA;
  }

  /** Emergency path: the output is open, the current collapses with the emergency time constant. */
  collapse(dtS: number): number {
    this.commandA = 0;
    this.outputA *= Math.exp(-dtS / (this.p.emergencyTauMs / 1000));
    if (this.outputA < 0.01) this.outputA = 0;
    return this.outputA;
  }

  off(): void {
    this.commandA = 0;
    this.outputA = 0;
  }
}
