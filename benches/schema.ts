// The bench-file JSON Schema: a fixed frame (charger, vehicle, limits, safety, timers) plus one branch per
// registered resource kind. The published copy, benches/bench.schema.json, is generated from this so
// editors complete bench files; a test keeps the two in step.

import { registeredKinds, type JsonSchema } from './registry.ts';

export const BENCH_SCHEMA_ID = 'https://mcs-hil.dev/schemas/bench.schema.json';

export function benchSchema(): JsonSchema {
  const kinds = registeredKinds();
  const resourceBranches = kinds.map((k) => ({
    if: { properties: { kind: { const: k.kind } }, required: ['kind'] },
    then: {
      ...k.schema,
      type: 'object',
      properties: { kind: { const: k.kind, description: k.description }, ...((k.schema.properties as object) ?? {}) },
      additionalProperties: k.schema.additionalProperties ?? false,
    },
  }));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: BENCH_SCHEMA_ID,
    title: 'mcs-hil bench file',
    description:
      'One test station: the charger under test, the vehicle-side resources, the vehicle profile, the limit profile and the safety settings.',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'charger', 'resources', 'vehicle', 'limits', 'safety'],
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', minLength: 1, description: 'Bench name, shown in the report environment.' },
      description: { type: 'string' },
      clock: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kind: { enum: ['real', 'virtual'], description: 'real on every physical bench; virtual only for in-process emulation.' },
          rate: {
            type: 'number',
            exclusiveMinimum: 0,
            maximum: 100,
            description: 'Emulator benches only: run time this many times faster than the wall clock.',
          },
          longSessions: {
            type: 'boolean',
            description: 'Run tests too long for real time (the 30-minute MCS session) on a real-time clock too.',
          },
        },
      },
      charger: {
        type: 'object',
        additionalProperties: false,
        required: ['ratings', 'protocols'],
        properties: {
          identity: {
            type: 'object',
            additionalProperties: { type: 'string' },
            description: 'Vendor, model, serial, firmware as labelled on the unit.',
          },
          ratings: {
            type: 'object',
            additionalProperties: false,
            required: ['maxVoltageV', 'maxCurrentA', 'maxPowerW'],
            properties: {
              maxVoltageV: { type: 'number', exclusiveMinimum: 0, maximum: 1500 },
              minVoltageV: { type: 'number', minimum: 0 },
              maxCurrentA: { type: 'number', exclusiveMinimum: 0, maximum: 4000 },
              maxPowerW: { type: 'number', exclusiveMinimum: 0, maximum: 5_000_000 },
              currentToleranceA: { type: 'number', minimum: 0 },
              currentTolerancePct: { type: 'number', minimum: 0, maximum: 100 },
            },
          },
          protocols: {
            type: 'array',
            minItems: 1,
            items: { enum: ['iso15118-20-mcs', 'iso15118-20-dc', 'iso15118-2', 'din70121', 'gbt27930', 'chademo'] },
          },
        },
      },
      resources: {
        type: 'object',
        description: 'Vehicle-side resources by name; `kind` selects the driver.',
        minProperties: 1,
        additionalProperties: {
          type: 'object',
          required: ['kind'],
          properties: { kind: { enum: kinds.map((k) => k.kind), description: 'Resource kind (driver).' } },
          allOf: resourceBranches,
        },
      },
      vehicle: {
        type: 'object',
        additionalProperties: false,
        required: ['profile'],
        properties: {
          profile: { type: 'string', description: 'A file name (without .yaml) in fixtures/vehicles/.' },
          overrides: { type: 'object' },
        },
      },
      limits: {
        type: 'object',
        additionalProperties: false,
        required: ['profile'],
        properties: { profile: { type: 'string', description: 'A file name (without .yaml) in fixtures/limits/.' } },
      },
      safety: {
        type: 'object',
        additionalProperties: false,
        required: ['interlock'],
        properties: {
          interlock: {
            type: 'boolean',
            description: 'Dangerous fault tests (over-voltage, insulation, emergency stop) run only when true.',
          },
          maxVoltageV: { type: 'number', exclusiveMinimum: 0 },
          maxCurrentA: { type: 'number', exclusiveMinimum: 0 },
          safeStateTimeoutMs: { type: 'number', exclusiveMinimum: 0, maximum: 60000 },
        },
      },
      timers: {
        type: 'object',
        description: 'Timer overrides in ms, named as in the standard (e.g. V2G_EVCC_Msg_Timeout_DC_ChargeLoop).',
        additionalProperties: { type: 'number', minimum: 0 },
      },
    },
  };
}
