// The emulated GB/T charger's session meter: the energy it delivered and how long it has charged, as its
// CCS (running) and CSD (statistics after the stop) report them (GB/T 27930-2015 Tables 6 and 8).

import type { Clock } from '../../drivers/core/clock.ts';
import { clamp } from './charger-messages.ts';

/** The longest charging time GB/T 27930 can express in CCS/CSD, in minutes. */
const MAX_MINUTES = 600;

export class SessionMeter {
  private startedNs = 0;
  private lastNs = 0;
  private energyWs = 0;

  constructor(private readonly clock: Clock) {}

  /** Charging starts: time and energy count from now. */
  start(): void {
    this.startedNs = this.lastNs = this.clock.now();
    this.energyWs = 0;
  }

  /** Integrate the output since the last call. */
  add(voltageV: number, currentA: number): void {
    const now = this.clock.now();
    this.energyWs += voltageV * currentA * ((now - this.lastNs) / 1e9);
    this.lastNs = now;
  }

  /** Minutes charged until now (CCS). */
  minutesSoFar(): number {
    return Math.min(MAX_MINUTES, Math.floor((this.clock.now() - this.startedNs) / 60e9));
  }

  /** Minutes charged until the last metered instant (CSD, after the stop). */
  minutesCharged(): number {
    return Math.min(MAX_MINUTES, Math.floor((this.lastNs - this.startedNs) / 60e9));
  }

  /** Energy delivered, in the 0.1 kWh steps CSD carries. */
  energyKwh(): number {
    return clamp(Math.round(this.energyWs / 3.6e5) / 10, 0, 6553);
  }
}
