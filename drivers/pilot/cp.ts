// The IEC 61851-1 control pilot (CP) of a CCS port, vehicle side. The charger drives the line (+12 V DC, a
// ±12 V PWM whose duty says what it offers — 5 % = digital communication required, ISO 15118-3 — or −12 V
// for F); the vehicle loads it with its resistors, which the charger reads as A (nothing), B (connected),
// C (ready, charging), D (ready, ventilation). E is a short / no supply (0 V). The vehicle measures the
// duty cycle and frequency of the charger's PWM: what the suites judge.

import { InputError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';

export const CP_VEHICLE_STATES = ['A', 'B', 'C', 'D'] as const;
export type CpVehicleState = (typeof CP_VEHICLE_STATES)[number];
export type CpLineState = CpVehicleState | 'E' | 'F';

/** What the charger's CP generator does. */
export interface CpGenerator {
  mode: 'dc' | 'pwm' | 'F' | 'E';
  dutyPct?: number;
  frequencyHz?: number;
}

/** One reading of the line from the vehicle side. */
export interface CpReading {
  state: CpLineState;
  /** True while the charger's oscillator runs (states x2: B2, C2). */
  pwm: boolean;
  dutyPct?: number;
  frequencyHz?: number;
}

export class CpStateError extends InputError {
  override name = 'CpStateError';
}

/** Vehicle-side driver of the CP line (emulated, or a physical SCPI I/O box with a PWM counter). */
export interface CpPilot {
  readonly name: string;
  /** Switch the vehicle's resistors to a state (A = off the line). */
  setVehicleState(state: CpVehicleState): Promise<void>;
  /** The line as the vehicle measures it now. */
  read(): Promise<CpReading>;
}

export function isCpVehicleState(s: unknown): s is CpVehicleState {
  return typeof s === 'string' && (CP_VEHICLE_STATES as readonly string[]).includes(s);
}

/** The line state for a vehicle load under a generator: F and E override the load; A stays A. */
export function resolveCp(vehicle: CpVehicleState, g: CpGenerator): CpLineState {
  if (g.mode === 'F' || g.mode === 'E') return g.mode;
  return vehicle;
}

/**
 * The in-process CP line shared by the emulated vehicle pilot and the emulated charger's generator. Every
 * change goes on the timeline as kind 'pilot' (signal 'CP', with the PWM while it runs).
 */
export class EmulatedCpLine {
  private vehicleState: CpVehicleState = 'A';
  private gen: CpGenerator = { mode: 'dc' };
  private readonly listeners = new Set<(r: CpReading, by: 'vehicle' | 'charger') => void>();

  constructor(
    readonly name: string,
    private readonly timeline: Timeline,
  ) {}

  get vehicle(): CpVehicleState {
    return this.vehicleState;
  }

  reading(): CpReading {
    const state = resolveCp(this.vehicleState, this.gen);
    const pwm = this.gen.mode === 'pwm' && state !== 'E' && state !== 'F';
    return pwm ? { state, pwm, dutyPct: this.gen.dutyPct, frequencyHz: this.gen.frequencyHz } : { state, pwm };
  }

  setVehicle(state: CpVehicleState): void {
    if (!isCpVehicleState(state))
      throw new CpStateError(`unknown vehicle CP state '${String(state)}' (one of ${CP_VEHICLE_STATES.join(', ')})`);
    if (state === this.vehicleState) return;
    this.vehicleState = state;
    this.changed('vehicle');
  }

  /** Charger side. */
  setGenerator(g: CpGenerator): void {
    if (g.mode === this.gen.mode && g.dutyPct === this.gen.dutyPct && g.frequencyHz === this.gen.frequencyHz) return;
    this.gen = { ...g };
    this.changed('charger');
  }

  onChange(fn: (r: CpReading, by: 'vehicle' | 'charger') => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(by: 'vehicle' | 'charger'): void {
    const r = this.reading();
    this.timeline.record('pilot', this.name, { signal: 'CP', ...r, by });
    for (const l of [...this.listeners]) {
      try {
        l(r, by);
      } catch {
        // a listener's bug must not stop the line
      }
    }
  }
}

const sharedLines = new Map<string, EmulatedCpLine>();

/** The line by name, created on first use: the emulated vehicle pilot and the emulated charger meet here. */
export function sharedCpLine(name: string, timeline: Timeline): EmulatedCpLine {
  let l = sharedLines.get(name);
  if (!l) sharedLines.set(name, (l = new EmulatedCpLine(name, timeline)));
  return l;
}

export function releaseCpLine(name: string): void {
  sharedLines.delete(name);
}

/** The vehicle's pilot on an emulated line. */
export class EmulatedCpPilot implements CpPilot {
  constructor(
    readonly name: string,
    readonly line: EmulatedCpLine,
  ) {}

  async setVehicleState(state: CpVehicleState): Promise<void> {
    this.line.setVehicle(state);
  }

  async read(): Promise<CpReading> {
    return this.line.reading();
  }
}
