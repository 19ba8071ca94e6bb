// The resource registry: each resource `kind` a bench file may name maps to the driver that opens it
// (python-can's interface registry, labgrid's resource → driver binding). Drivers that do not exist yet
// are simply not registered; a bench naming an unknown kind fails validation with a clear error.

import type { Clock } from '../drivers/core/clock.ts';
import type { Timeline } from '../drivers/core/timeline.ts';

/** A JSON Schema (draft-07) object describing one kind's settings (everything except `kind`). */
export type JsonSchema = Record<string, unknown>;

export type { Resource } from '../drivers/core/resource.ts';
import type { Resource } from '../drivers/core/resource.ts';

export interface OpenContext {
  clock: Clock;
  timeline: Timeline;
  /** Resources opened before this one (in bench-file order), by name. */
  resources: ReadonlyMap<string, Resource>;
  /** The whole validated bench file, for cross-references (ratings, vehicle profile, limits). */
  bench: BenchConfig;
  /** Fault switches turned on for this run (emulated resources honour them; real ones ignore them). */
  faults: ReadonlySet<string>;
  /** Folder for this run's files (keylogs, candump logs, …). */
  runDir: string;
  /** Aborted when the run is interrupted (Ctrl-C, SIGTERM): waits for a link or a device end at once. */
  signal?: AbortSignal;
}

export interface ReachabilityResult {
  ok: boolean;
  detail: string;
  /** What the user should do when !ok. */
  fix?: string;
}

export interface ResourceKind<C = Record<string, unknown>> {
  kind: string;
  description: string;
  /** Schema for the resource's settings (the `kind` key is added by the bench schema). */
  schema: JsonSchema;
  /** Higher opens first (e.g. links before the emulated charger that listens on them). Default 0. */
  openOrder?: number;
  open(name: string, config: C, ctx: OpenContext): Promise<Resource>;
  /** For `mcs-hil doctor`: can this resource be reached, without changing anything? */
  checkReachable?(name: string, config: C, bench: BenchConfig): Promise<ReachabilityResult>;
}

const kinds = new Map<string, ResourceKind<any>>();

export function registerResourceKind<C>(k: ResourceKind<C>): void {
  if (kinds.has(k.kind)) throw new Error(`resource kind '${k.kind}' is registered twice`);
  kinds.set(k.kind, k as ResourceKind<any>);
}

export function resourceKind(kind: string): ResourceKind | undefined {
  return kinds.get(kind);
}

export function registeredKinds(): ResourceKind[] {
  return [...kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

/** A validated bench file (the shape of benches/bench.schema.json). */
export interface BenchConfig {
  name: string;
  description?: string;
  /** Path of the file it came from. */
  file: string;
  clock: { kind: 'real' | 'virtual'; rate?: number; longSessions?: boolean };
  charger: {
    identity?: Record<string, string>;
    ratings: {
      maxVoltageV: number;
      minVoltageV?: number;
      maxCurrentA: number;
      maxPowerW: number;
      /** Current accuracy the charger declares (A and % of reading); the limit profile's default otherwise. */
      currentToleranceA?: number;
      currentTolerancePct?: number;
    };
    protocols: string[];
  };
  resources: Record<string, { kind: string } & Record<string, unknown>>;
  vehicle: { profile: string; overrides?: Record<string, unknown> };
  limits: { profile: string };
  safety: {
    /** Dangerous fault tests (over-voltage, insulation, emergency stop) only run with this on. */
    interlock: boolean;
    /** The vehicle never requests, and the bench never tolerates, more than this. */
    maxVoltageV?: number;
    maxCurrentA?: number;
    /** Bound of the safe-state wait for the output to fall below the stop current. */
    safeStateTimeoutMs?: number;
  };
  /** Timer overrides (name as in the standard → ms). */
  timers?: Record<string, number>;
}
