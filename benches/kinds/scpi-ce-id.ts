// Resource kind `scpi-ce-id`: the vehicle's MCS CE/ID pilot on a physical SCPI digital I/O / relay box
// (drivers/pilot/scpi-ce-id.ts). The bench file says which command puts CE in each state and how ID reads;
// the iso15118-ev vehicle names it as its `pilot` like the emulated one.

import { BenchFault } from '../../drivers/core/errors.ts';
import { CE_STATES } from '../../drivers/pilot/ce-id.ts';
import { SCPI_CE_ID_KIND, ScpiCeIdPilot } from '../../drivers/pilot/scpi-ce-id.ts';
import {
  checkScpiCeIdSettings,
  DEFAULT_CE_COMMANDS,
  DEFAULT_ID_SPEC,
  DEFAULT_SAFE_CE,
  type ScpiCeIdSettings,
} from '../../drivers/pilot/scpi-ce-id-protocol.ts';
import { SCPI_RAW_PORT } from '../../drivers/scpi/transport.ts';
import { registerResourceKind, resourceKind } from '../registry.ts';
import type { CeIdPilotResource } from './emulated-ce-id.ts';
import { probeScpiIdentity } from './scpi-reachable.ts';
import { connectScpiResource, scpiSocketProperties } from './scpi-socket.ts';
import { entrySchema } from './entry-schema.ts';

interface Settings extends ScpiCeIdSettings {
  host: string;
  port?: number;
  timeoutMs?: number;
}

const DEFAULT_POLL_MS = 500;

const ceCommand = {
  oneOf: [
    {
      type: 'string',
      minLength: 1,
      description:
        "SCPI command that switches the box to this CE state, e.g. 'DIG:OUT:PORT 1,4'; read back as 'DIG:OUT:PORT? 1' expecting '4'.",
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: {
        command: { type: 'string', minLength: 1, description: "Command(s) that switch to this state (several may be joined with ';')." },
        query: { type: 'string', minLength: 1, description: 'Read-back query (default: derived from the command).' },
        reply: { type: 'string', description: 'Reply that confirms the state (numbers compare by value, ON = 1).' },
      },
    },
  ],
};

if (!resourceKind(SCPI_CE_ID_KIND))
  registerResourceKind<Settings>({
    kind: SCPI_CE_ID_KIND,
    description:
      'Physical MCS CE/ID pilot: a SCPI digital I/O / relay box (raw TCP socket) that switches the vehicle-side CE circuit (A, B0, B, C, E, EC) and reads ID. Configured by state → SCPI command, not by volts: no public source gives the CE/ID levels, so the lab wires the circuit from IEC 61851-23-3 / its interface board and maps each state to a command here. Every write is read back.',
    openOrder: 90,
    schema: entrySchema(['host'], {
      ...scpiSocketProperties('The box on the LAN (IP address or host name).'),
      ce: {
        type: 'object',
        additionalProperties: false,
        description:
          'CE state → SCPI command that puts the vehicle-side CE circuit in that state (the box knows relays/bits, not volts: the levels are the wiring’s job). States left out cannot be set. Default: generic DIO, one bit of output port 1 per state: ' +
          CE_STATES.map((s) => `${s} '${DEFAULT_CE_COMMANDS[s]}'`).join(', ') +
          '.',
        properties: Object.fromEntries(CE_STATES.map((s) => [s, ceCommand])),
      },
      id: {
        type: 'object',
        additionalProperties: false,
        description: `How ID (connector inserted) is read: a query and either a bit of its integer reply (default '${DEFAULT_ID_SPEC.query}', bit ${DEFAULT_ID_SPEC.bit} set = connected) or two reply patterns.`,
        properties: {
          query: { type: 'string', minLength: 1, default: DEFAULT_ID_SPEC.query },
          bit: {
            type: 'integer',
            minimum: 0,
            maximum: 52,
            default: DEFAULT_ID_SPEC.bit,
            description: 'Bit of the integer reply that is set when the connector is inserted.',
          },
          activeLow: { type: 'boolean', default: false, description: 'The bit reads 0 when inserted.' },
          connected: {
            type: 'string',
            description:
              'Pattern mode: regular expression a "connected" reply matches (with notConnected; a reply matching neither is refused).',
          },
          notConnected: { type: 'string', description: 'Pattern mode: regular expression a "not connected" reply matches.' },
        },
      },
      ceSense: {
        type: 'object',
        additionalProperties: false,
        required: ['query', 'states'],
        description:
          'Optional: the box measures CE too (e.g. comparators on input port 2), so the harness sees what the charger does to it (B0 until it enables HLC, EC when it opens its switch). Without it, CE is the state the box last confirmed switching to.',
        properties: {
          query: { type: 'string', minLength: 1, description: "Query that reads the measured CE, e.g. 'DIG:IN:PORT? 2'." },
          states: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            description: 'CE state → regular expression over the reply; exactly one must match.',
            properties: Object.fromEntries(CE_STATES.map((st) => [st, { type: 'string', minLength: 1 }])),
          },
        },
      },
      safeCe: {
        enum: [...CE_STATES],
        default: DEFAULT_SAFE_CE,
        description:
          'CE state the safe-state path drives to (the vehicle stops requesting energy). The EV session leaves C only after the charger disabled its output.',
      },
      initialCe: { enum: [...CE_STATES], description: 'CE state set when the bench opens (default: leave the box as it is).' },
      pollMs: {
        type: 'number',
        minimum: 0,
        description: `ID (and CE sense) poll period (ms) so an unplug or a charger-side CE change shows on the timeline; 0 = off. Default ${DEFAULT_POLL_MS} on a real clock.`,
      },
    }),
    async open(name, cfg, ctx) {
      const where = `${ctx.bench.file} resources.${name}`;
      checkScpiCeIdSettings(cfg, where); // a typo fails before we touch the box
      const transport = await connectScpiResource(name, cfg, ctx);
      const pollMs = cfg.pollMs ?? (ctx.clock.description === 'virtual' ? 0 : DEFAULT_POLL_MS);
      const pilot = new ScpiCeIdPilot({ name, transport, clock: ctx.clock, timeline: ctx.timeline, settings: { ...cfg, pollMs } });
      try {
        await pilot.open();
      } catch (e) {
        await pilot.close().catch(() => undefined);
        if (e instanceof BenchFault) throw e;
        throw new BenchFault(`pilot '${name}' at ${transport.description}: ${(e as Error).message}`, name, { cause: e });
      }
      const res: CeIdPilotResource = Object.assign(pilot, { safeStatePrimitives: { releasePilot: () => pilot.safeState() } });
      return res;
    },
    async checkReachable(name, cfg) {
      try {
        checkScpiCeIdSettings(cfg, `resource ${name}`);
      } catch (e) {
        return { ok: false, detail: (e as Error).message, fix: `fix resources.${name} in the bench file` };
      }
      return probeScpiIdentity(name, cfg.host, cfg.port ?? SCPI_RAW_PORT, cfg.timeoutMs);
    },
  });
