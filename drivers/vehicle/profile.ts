// Vehicle profiles (fixtures/vehicles/<name>.yaml): the battery pack and how the vehicle asks for current.
// The EV session engines take their requests from a profile (through VehicleRequestPolicy) and the
// emulated battery emulator builds its battery from the same file, so both sides agree on the pack.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { InputError } from '../core/errors.ts';
import { CHEMISTRIES, type Chemistry } from './ocv.ts';

export interface VehicleProfile {
  name: string;
  title: string;
  chemistry: Chemistry;
  cellsSeries: number;
  cellsParallel: number;
  /** Capacity of one cell (Ah); the pack has cellCapacityAh × cellsParallel. */
  cellCapacityAh: number;
  /** Nominal energy, for reports only (kWh). */
  nominalEnergyKWh: number;
  /** Thevenin 1-RC pack parameters. */
  r0Ohm: number;
  r1Ohm: number;
  tau1S: number;
  /** The pack's maximum voltage: the EV maximum voltage it declares (V). */
  maxVoltageV: number;
  /** Lowest voltage at which it may be charged (V). */
  minVoltageV: number;
  /** The EV maximum current it declares (A). */
  maxCurrentA: number;
  /** Maximum charge rate (1/h, i.e. C); the CC current is min(maxCurrentA, cRate × pack Ah). */
  maxCRate: number;
  /** How fast the vehicle raises its request (A/s). */
  requestRampAps: number;
  /** Terminal voltage at which the vehicle starts tapering (V) — its CV target voltage. */
  cvVoltageV: number;
  /** How hard the taper pulls the request down per volt above cvVoltageV (A per V per s). */
  cvTaperGainApVs: number;
  /** Below this request in CV the vehicle ends the charge (A). */
  cutoffCurrentA: number;
  initialSoc: number;
  targetSoc: number;
  file: string;
}

export const VEHICLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'vehicles');

export class VehicleProfileError extends InputError {
  override name = 'VehicleProfileError';
}

const NUMERIC: (keyof VehicleProfile)[] = [
  'cellsSeries',
  'cellsParallel',
  'cellCapacityAh',
  'nominalEnergyKWh',
  'r0Ohm',
  'r1Ohm',
  'tau1S',
  'maxVoltageV',
  'minVoltageV',
  'maxCurrentA',
  'maxCRate',
  'requestRampAps',
  'cvVoltageV',
  'cvTaperGainApVs',
  'cutoffCurrentA',
  'initialSoc',
  'targetSoc',
];

/** Load fixtures/vehicles/<name>.yaml, applying the bench's overrides (same keys). */
export function loadVehicleProfile(name: string, overrides: Record<string, unknown> = {}, dir = VEHICLES_DIR): VehicleProfile {
  const file = join(dir, `${name}.yaml`);
  if (!existsSync(file)) throw new VehicleProfileError(`no vehicle profile '${name}' (looked for ${file})`);
  let raw: Record<string, unknown>;
  try {
    raw = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new VehicleProfileError(`not valid YAML: ${(e as Error).message}`, file);
  }
  const merged = { ...raw, ...overrides } as Record<string, unknown>;
  for (const key of NUMERIC) {
    const v = merged[key];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new VehicleProfileError(`'${key}' must be a number, got ${JSON.stringify(v)}`, file);
  }
  if (!CHEMISTRIES.includes(merged.chemistry as Chemistry))
    throw new VehicleProfileError(`'chemistry' must be one of ${CHEMISTRIES.join(', ')}`, file);
  const p = { ...(merged as unknown as VehicleProfile), name, title: String(merged.title ?? name), file };
  for (const key of ['initialSoc', 'targetSoc'] as const)
    if (p[key] < 0 || p[key] > 1) throw new VehicleProfileError(`'${key}' must be within 0..1`, file);
  if (p.cvVoltageV > p.maxVoltageV)
    throw new VehicleProfileError(`'cvVoltageV' (${p.cvVoltageV}) is above 'maxVoltageV' (${p.maxVoltageV})`, file);
  return p;
}

export function packCapacityAh(p: VehicleProfile): number {
  return p.cellCapacityAh * p.cellsParallel;
}

/** The constant-current phase's current: the lower of the declared maximum and the C-rate limit. */
export function ccCurrentA(p: VehicleProfile): number {
  return Math.min(p.maxCurrentA, p.maxCRate * packCapacityAh(p));
}
