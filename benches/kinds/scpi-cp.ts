// Resource kind `scpi-cp`: the vehicle's CP on a physical SCPI box (drivers/pilot/scpi-cp.ts): relay outputs
// for the vehicle's resistors (read back), a PWM counter for the charger's duty and frequency.

import { CP_VEHICLE_STATES } from '../../drivers/pilot/cp.ts';
import {
  DEFAULT_CP_COMMANDS,
  DEFAULT_DUTY_QUERY,
  DEFAULT_FREQUENCY_QUERY,
  SCPI_CP_KIND,
  ScpiCpPilot,
  type ScpiCpSettings,
} from '../../drivers/pilot/scpi-cp.ts';
import { registerResourceKind } from '../registry.ts';
import type { CpPilotResource } from './emulated-cp.ts';
import { probeScpiIdentity } from './scpi-reachable.ts';
import { connectScpiResource, scpiSocketProperties } from './scpi-socket.ts';
import { entrySchema } from './entry-schema.ts';

interface Settings extends ScpiCpSettings {
  host: string;
  port?: number;
  timeoutMs?: number;
}

const command = { type: 'string', minLength: 1 };
const defaults = CP_VEHICLE_STATES.map((s) => `${s} '${DEFAULT_CP_COMMANDS[s]}'`).join(', ');

registerResourceKind<Settings>({
  kind: SCPI_CP_KIND,
  description:
    'Physical CCS control pilot: a SCPI I/O box (raw TCP socket) whose relays switch the vehicle-side CP resistors ' +
    "(A, B, C, D; read back) and whose PWM counter measures the charger's duty cycle and frequency",
  openOrder: 90,
  schema: entrySchema(['host'], {
    ...scpiSocketProperties('The box on the LAN.'),
    states: {
      type: 'object',
      additionalProperties: false,
      description: `Vehicle CP state → command; default ${defaults}.`,
      properties: Object.fromEntries(CP_VEHICLE_STATES.map((s) => [s, command])),
    },
    dutyQuery: { ...command, default: DEFAULT_DUTY_QUERY, description: 'Query answering the PWM duty cycle in percent.' },
    frequencyQuery: { ...command, default: DEFAULT_FREQUENCY_QUERY, description: 'Query answering the PWM frequency in Hz.' },
    stateSense: {
      type: 'object',
      additionalProperties: false,
      required: ['query', 'states'],
      description: 'Optional: the box senses the line state (E and F included); line state → regular expression over the reply.',
      properties: {
        query: command,
        states: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F'].map((s) => [s, command])),
        },
      },
    },
  }),
  async open(name, cfg, ctx) {
    const transport = await connectScpiResource(name, cfg, ctx);
    const pilot = new ScpiCpPilot(name, transport, ctx.timeline, cfg);
    const idn = await pilot.queryIdentity();
    const res: CpPilotResource = {
      name,
      kind: SCPI_CP_KIND,
      setVehicleState: (s) => pilot.setVehicleState(s),
      read: () => pilot.read(),
      identity: () => ({ cp: `${idn.vendor} ${idn.model} ${idn.serial}` }),
      async safeState() {
        await pilot.setVehicleState('B');
      },
      safeStatePrimitives: { releasePilot: () => res.safeState!() },
      async close() {
        await transport.close();
      },
    };
    return res;
  },
  checkReachable: (name, cfg) => probeScpiIdentity(name, cfg.host, cfg.port, cfg.timeoutMs),
});
