// Resource kind `emulated-cp`: the CCS port's control pilot on an in-process line; the emulated charger's
// CP generator (emulator/pilot/cp-evse.ts) drives its side, honouring the CP fault switches.

import { EmulatedCpPilot, releaseCpLine, sharedCpLine, type CpPilot, type EmulatedCpLine } from '../../drivers/pilot/cp.ts';
import { EmulatedCpEvse } from '../../emulator/pilot/cp-evse.ts';
import { registerResourceKind, type Resource } from '../registry.ts';

export interface CpPilotResource extends Resource, CpPilot {}

/** An emulated-cp resource: also the in-process line, where the emulated charger on the port watches the vehicle's state. */
export interface EmulatedCpResource extends CpPilotResource {
  readonly line: EmulatedCpLine;
}

export const isEmulatedCp = (r: unknown): r is EmulatedCpResource => (r as Resource | undefined)?.kind === 'emulated-cp';

export const CP_PILOT_KINDS = ['emulated-cp', 'scpi-cp'];

interface Settings {
  /** Name of the shared line. Default 'cp'. */
  line?: string;
}

registerResourceKind<Settings>({
  kind: 'emulated-cp',
  description: "Emulated IEC 61851-1 control pilot of a CCS port: the vehicle's resistors and the emulated charger's PWM generator",
  openOrder: 90,
  schema: { type: 'object', additionalProperties: false, properties: { line: { type: 'string', minLength: 1, default: 'cp' } } },
  async open(name, cfg, ctx) {
    const lineName = cfg.line ?? 'cp';
    const line = sharedCpLine(lineName, ctx.timeline);
    const evse = new EmulatedCpEvse(line, ctx.clock, ctx.faults);
    const pilot = new EmulatedCpPilot(name, line);
    const res: EmulatedCpResource = {
      name,
      kind: 'emulated-cp',
      line,
      setVehicleState: (s) => pilot.setVehicleState(s),
      read: () => pilot.read(),
      // Safe state of the vehicle's CP: off C/D (B stays connected, the charger stops offering energy).
      async safeState() {
        if (line.vehicle === 'C' || line.vehicle === 'D') line.setVehicle('B');
      },
      safeStatePrimitives: { releasePilot: () => res.safeState!() },
      async close() {
        evse.close();
        releaseCpLine(lineName);
      },
    };
    return res;
  },
});
