// MCS signal lines CE (Charge Enable) and ID (Insertion Detection), which replace CCS's CP and PP
// (reference §1.3). States as implemented by MCS safety controllers:
//   CE: A (not mated / vehicle off the line), B0 (mated, charger has not enabled HLC/charging yet),
//       B (enabled, vehicle not ready), C (vehicle requests energy), E (error, e.g. short),
//       EC (charger opened its switch from C: emergency / safe state).
//   ID: connected / not connected (connector inserted).
// The vehicle drives its part of CE (A / B / C, or E on purpose); the charger gates it (B0 until it enables
// the high-level communication, EC when it trips). The vehicle reads ID.
// Voltage/resistor levels are NOT modelled here: no public source has them (reference §1.3 gap); a
// physical IO device maps states to levels from its bench configuration.

import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';

export const CE_STATES = ['A', 'B0', 'B', 'C', 'E', 'EC'] as const;
export type CeState = (typeof CE_STATES)[number];
export type IdState = 'connected' | 'not-connected';

/** What the charger does to CE: B0 gate until it enables HLC, open switch (EC) on a trip. */
export type ChargerCeGate = 'hlc-disabled' | 'enabled' | 'emergency';

export interface PilotChange {
  signal: 'CE' | 'ID';
  state: string;
  previous: string;
  /** Who caused it. */
  by: 'vehicle' | 'charger';
  /** Clock time, ns. */
  t: number;
}

export class PilotStateError extends InputError {
  override name = 'PilotStateError';
}

/** Vehicle-side driver of the CE/ID lines (emulated or a physical IO device). */
export interface CeIdPilot {
  readonly name: string;
  /** Request a CE state from the vehicle side. The line may show another (B0 / EC) when the charger gates it. */
  setCe(state: CeState): Promise<void>;
  /** CE as it is on the line now. */
  ce(): CeState;
  /** What the vehicle last asked for. */
  requestedCe(): CeState;
  /** ID as the vehicle reads it. */
  id(): IdState;
  /** Subscribe to CE/ID changes; returns the unsubscribe function. */
  onChange(fn: (c: PilotChange) => void): () => void;
  /** Hold C for `ms` then return to the previous request (the vehicle half of the MCS wake-up pulse). */
  pulseC(ms: number): Promise<void>;
}

/**
 * Where a pilot line's changes go: the timeline first (kind 'pilot', the evidence), then each listener.
 * A listener's bug stops neither the line nor the other listeners.
 */
export class PilotChangeFeed {
  private readonly listeners = new Set<(c: PilotChange) => void>();

  constructor(
    private readonly timeline: Timeline,
    private readonly name: string,
  ) {}

  subscribe(fn: (c: PilotChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(c: PilotChange, extra: Record<string, unknown> = {}): void {
    this.timeline.record('pilot', this.name, { signal: c.signal, state: c.state, previous: c.previous, by: c.by, ...extra });
    for (const l of [...this.listeners]) {
      try {
        l(c);
      } catch {
        // A listener's bug must not stop the line.
      }
    }
  }
}

export function isCeState(s: unknown): s is CeState {
  return typeof s === 'string' && (CE_STATES as readonly string[]).includes(s);
}

/** CE seen on the line for a vehicle request under the charger's gate. */
export function resolveCe(requested: CeState, gate: ChargerCeGate): CeState {
  if (requested === 'B' || requested === 'C') {
    if (gate === 'hlc-disabled') return 'B0';
    if (gate === 'emergency') return requested === 'C' ? 'EC' : 'B0';
  }
  return requested; // A, E, and B0/EC injected on purpose pass through
}

/**
 * The in-process CE/ID line shared by the emulated vehicle pilot and the emulated charger: the vehicle
 * sets its CE request, the charger watches CE and drives its gate and ID. Every change goes on the
 * timeline as kind 'pilot'.
 */
export class EmulatedCeIdLine {
  private request: CeState = 'A';
  private gateState: ChargerCeGate = 'hlc-disabled';
  private line: CeState = 'A';
  private idState: IdState = 'not-connected';
  private readonly changes: PilotChangeFeed;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly timeline: Timeline,
  ) {
    this.changes = new PilotChangeFeed(timeline, name);
  }

  get ce(): CeState {
    return this.line;
  }
  get requestedCe(): CeState {
    return this.request;
  }
  get gate(): ChargerCeGate {
    return this.gateState;
  }
  get id(): IdState {
    return this.idState;
  }

  /** Vehicle side. */
  setVehicleCe(state: CeState): void {
    if (!isCeState(state))
      throw new PilotStateError(`unknown CE state '${String(state)}' (one of ${CE_STATES.join(', ')})`, `pilot ${this.name}`);
    this.request = state;
    this.update('vehicle');
  }

  /** Charger side: enable HLC (B0 → B), trip (→ EC from C), or back to disabled. */
  setChargerGate(gate: ChargerCeGate): void {
    if (gate === this.gateState) return;
    this.gateState = gate;
    this.timeline.record('pilot', this.name, { signal: 'CE-gate', state: gate, by: 'charger' });
    this.update('charger');
  }

  /** Charger side (its connector sensing): the connector is inserted or not. */
  setId(state: IdState): void {
    if (state === this.idState) return;
    const previous = this.idState;
    this.idState = state;
    this.changes.emit({ signal: 'ID', state, previous, by: 'charger', t: this.clock.now() });
  }

  onChange(fn: (c: PilotChange) => void): () => void {
    return this.changes.subscribe(fn);
  }

  private update(by: 'vehicle' | 'charger'): void {
    const next = resolveCe(this.request, this.gateState);
    if (next === this.line) return;
    const previous = this.line;
    this.line = next;
    this.changes.emit({ signal: 'CE', state: next, previous, by, t: this.clock.now() }, { requested: this.request, gate: this.gateState });
  }
}

const sharedLines = new Map<string, EmulatedCeIdLine>();

/** The line by name, created on first use: the emulated vehicle pilot and the emulated charger meet here. */
export function sharedCeIdLine(name: string, clock: Clock, timeline: Timeline): EmulatedCeIdLine {
  let l = sharedLines.get(name);
  if (!l) {
    l = new EmulatedCeIdLine(name, clock, timeline);
    sharedLines.set(name, l);
  }
  return l;
}

/** Forget a shared line (bench close). */
export function releaseCeIdLine(name: string): void {
  sharedLines.delete(name);
}

/** The vehicle's view of an emulated line. */
export class EmulatedCeIdPilot implements CeIdPilot {
  constructor(
    readonly name: string,
    readonly line: EmulatedCeIdLine,
    private readonly clock: Clock,
  ) {}

  async setCe(state: CeState): Promise<void> {
    this.line.setVehicleCe(state);
  }
  ce(): CeState {
    return this.line.ce;
  }
  requestedCe(): CeState {
    return this.line.requestedCe;
  }
  id(): IdState {
    return this.line.id;
  }
  onChange(fn: (c: PilotChange) => void): () => void {
    return this.line.onChange(fn);
  }
  async pulseC(ms: number): Promise<void> {
    const before = this.line.requestedCe;
    this.line.setVehicleCe('C');
    await this.clock.sleep(ms);
    this.line.setVehicleCe(before);
  }
}

export interface CeReleaseResult {
  /** Why C was left: the charger disabled its output, or the hold bound ran out. */
  reason: 'output-disabled' | 'hold-timeout';
  /** How long C was held after the call (clock ms). */
  heldMs: number;
}

/**
 * MCS stop: the vehicle holds CE = C through PowerDelivery(Stop) and leaves C only once the charger has
 * disabled its output, bounded by `maxHoldMs` (limits pilot.ceStopHoldMaxMs, 10 s: leaving C under
 * power is an emergency on MCS). `outputDisabled` is polled on the clock; then CE goes to `next` (B).
 */
export async function releaseCeAfterOutputDisabled(
  pilot: CeIdPilot,
  o: {
    clock: Clock;
    timeline: Timeline;
    outputDisabled: () => boolean | Promise<boolean>;
    maxHoldMs: number;
    pollMs?: number;
    next?: CeState;
    signal?: AbortSignal;
  },
): Promise<CeReleaseResult> {
  const t0 = o.clock.nowMs();
  const pollMs = o.pollMs ?? 10;
  let reason: CeReleaseResult['reason'] = 'hold-timeout';
  for (;;) {
    if (await o.outputDisabled()) {
      reason = 'output-disabled';
      break;
    }
    const left = o.maxHoldMs - (o.clock.nowMs() - t0);
    if (left <= 0) break;
    await o.clock.sleep(Math.min(pollMs, left), o.signal);
  }
  const heldMs = o.clock.nowMs() - t0;
  o.timeline.record('pilot', pilot.name, { signal: 'CE-release', reason, heldMs, maxHoldMs: o.maxHoldMs, next: o.next ?? 'B' });
  await pilot.setCe(o.next ?? 'B');
  return { reason, heldMs };
}
