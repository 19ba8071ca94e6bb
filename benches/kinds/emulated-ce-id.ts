// Resource kind `emulated-ce-id`: the vehicle's CE/ID pilot on an in-process line that the emulated
// MCS charger watches and drives (it finds the line as `resource.line` or via sharedCeIdLine(lineName)).
// No physical CE/ID IO-device kind is registered yet (see drivers/pilot/ce-id.ts for the interface).

import { EmulatedCeIdPilot, releaseCeIdLine, sharedCeIdLine, type CeIdPilot, type EmulatedCeIdLine } from '../../drivers/pilot/ce-id.ts';
import { registerResourceKind, type Resource } from '../registry.ts';

export interface CeIdPilotResource extends Resource, CeIdPilot {
  /** Present on emulated pilots: the shared line the emulated charger drives. */
  readonly line?: EmulatedCeIdLine;
}

interface Settings {
  /** Name of the shared line (the emulated charger's resource names the same line). Default 'ce-id'. */
  line?: string;
  /** Connector inserted from the start (ID connected). Default true. */
  plugged?: boolean;
}

registerResourceKind<Settings>({
  kind: 'emulated-ce-id',
  description: 'Emulated MCS CE/ID signal lines (vehicle side) shared in-process with the emulated charger',
  openOrder: 90,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { line: { type: 'string', minLength: 1, default: 'ce-id' }, plugged: { type: 'boolean', default: true } },
  },
  async open(name, cfg, ctx) {
    const lineName = cfg.line ?? 'ce-id';
    const line = sharedCeIdLine(lineName, ctx.clock, ctx.timeline);
    if (cfg.plugged !== false) line.setId('connected');
    const pilot = new EmulatedCeIdPilot(name, line, ctx.clock);
    const res: CeIdPilotResource = {
      name,
      kind: 'emulated-ce-id',
      line,
      setCe: (s) => pilot.setCe(s),
      ce: () => pilot.ce(),
      requestedCe: () => pilot.requestedCe(),
      id: () => pilot.id(),
      onChange: (fn) => pilot.onChange(fn),
      pulseC: (ms) => pilot.pulseC(ms),
      // Safe state of the vehicle's pilot: leave C (A = off the line); the session's stop path has already
      // waited for the output to be disabled before it gets here (releaseCeAfterOutputDisabled).
      async safeState() {
        if (line.requestedCe === 'C') line.setVehicleCe('B');
      },
      safeStatePrimitives: { releasePilot: () => res.safeState!() },
      async close() {
        releaseCeIdLine(lineName);
      },
    };
    return res;
  },
});
