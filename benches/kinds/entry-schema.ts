// The JSON-schema pieces every resource kind's bench-file entry is built from.

import type { JsonSchema } from '../registry.ts';

/** A resource entry: an object with exactly these properties (a misspelt key is reported with its line). */
export function entrySchema(required: string[], properties: Record<string, unknown>): JsonSchema {
  return { type: 'object', additionalProperties: false, ...(required.length ? { required } : {}), properties };
}

/** A property that names another resource of the bench (the kind checks what it is when it opens). */
export function resourceRef(description: string): JsonSchema {
  return { type: 'string', minLength: 1, description };
}
