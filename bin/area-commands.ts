// Commands of the protocol areas (EXI, emulator, lab instruments, CAN, traces): each area exports a function,
// this file only wires arguments to it.

import { readFileSync } from 'node:fs';
import { UsageError } from '../drivers/core/errors.ts';
import { BENCH_OPTION, commaList, opt, type CommandSpec, type OptionSpec } from './command-spec.ts';
import { UI_OPTIONS, uiOf } from './harness-commands.ts';

const GRAMMARS = ['app', 'cm', 'dc', 'din', 'iso2'] as const;

function grammarOption(g: string | undefined): (typeof GRAMMARS)[number] | undefined {
  if (g === undefined) return undefined;
  if (!(GRAMMARS as readonly string[]).includes(g)) throw new UsageError(`--grammar must be one of ${GRAMMARS.join(', ')}, got '${g}'`);
  return g as (typeof GRAMMARS)[number];
}

/** Where a server of ours listens. */
function listenOptions(port: string): OptionSpec[] {
  return [opt('--host <host>', 'address to listen on', { default: '127.0.0.1' }), opt('--port <port>', 'TCP port', { default: port })];
}

const SOCKETCAND_PORT = '29536';
const SCPI_PORT = '5025';

const exi: CommandSpec = {
  name: 'exi',
  description: 'ISO 15118-20 / -2 / DIN 70121 / AppProtocol EXI codec',
  subcommands: [
    {
      name: 'decode <hex>',
      description: 'decode an EXI stream (hex) and print it as JSON',
      options: [
        opt('--grammar <g>', 'app (supportedAppProtocol), cm (-20 CommonMessages), dc (-20 DC), din (DIN 70121) or iso2 (ISO 15118-2)'),
        opt('--v2gtp', 'the input is a V2GTP frame; the grammar follows its payload type'),
      ],
      action: async ([hex], o) => {
        const { exiDecodeCommand } = await import('../drivers/exi/cli.ts');
        console.log(exiDecodeCommand({ grammar: grammarOption(o.grammar), hex: String(hex), v2gtp: !!o.v2gtp }));
      },
    },
    {
      name: 'encode',
      description: 'read a JSON message on stdin and print its EXI encoding as lowercase hex',
      options: [
        opt('--grammar <g>', 'app, cm, dc, din or iso2 (default: from the root element name; V2G_Message needs din or iso2)'),
        opt('--v2gtp', 'wrap the stream in a V2GTP frame'),
      ],
      action: async (_args, o) => {
        const { exiEncodeCommand } = await import('../drivers/exi/cli.ts');
        console.log(exiEncodeCommand({ grammar: grammarOption(o.grammar), json: readFileSync(0, 'utf8'), v2gtp: !!o.v2gtp }));
      },
    },
  ],
};

const emulate: CommandSpec = {
  name: 'emulate',
  description: 'serve the emulated chargers of a bench (SDP/TLS/ISO 15118-20 on its link, GB/T on its CAN) until Ctrl-C, for any EV',
  options: [
    BENCH_OPTION,
    opt('--fault <names>', 'fault switches to turn on, comma-separated (see `mcs-hil faults`)', { parse: commaList }),
    ...UI_OPTIONS,
  ],
  action: async (_args, o) => {
    const { emulateCommand } = await import('../benches/emulate.ts');
    const ui = uiOf(o);
    // --ui: the live view of the charger side (its own record is what there is to show here).
    const onReady = ui && (await import('../runner/live-view-server.ts')).liveViewOfCharger(ui);
    return emulateCommand({ benchFile: o.bench, faults: o.fault ?? [], onReady });
  },
};

const serve: CommandSpec = {
  name: 'serve',
  description: 'emulated lab instruments on TCP, for dry runs of a physical bench file',
  subcommands: [
    {
      name: 'scpi-battery',
      description: 'an emulated battery emulator over SCPI (raw socket) of an instrument class (--class) until Ctrl-C',
      options: [
        ...listenOptions(SCPI_PORT),
        opt('--profile <name>', 'vehicle profile of the emulated battery (fixtures/vehicles)'),
        opt('--timeline <file>', 'also record what the instrument sees as a timeline (JSON lines)'),
        opt('--class <name>', 'instrument class to emulate, as its profile in fixtures/instruments is named (default rp7900)'),
      ],
      action: async (_args, o) => {
        const { scpiBatteryCommand } = await import('../emulator/power/cli.ts');
        await scpiBatteryCommand({ host: o.host, port: o.port, profile: o.profile, timeline: o.timeline, instrumentClass: o.class });
      },
    },
    {
      name: 'dio',
      description: 'an emulated SCPI digital I/O box for the CE/ID lines (scpi-ce-id) until Ctrl-C',
      options: [...listenOptions(SCPI_PORT), opt('--unplugged', 'start with ID reading not connected')],
      action: async (_args, o) => {
        const { dioServerCommand } = await import('../emulator/pilot/cli.ts');
        await dioServerCommand({ host: o.host, port: o.port, unplugged: !!o.unplugged });
      },
    },
  ],
};

const can: CommandSpec = {
  name: 'can',
  description: 'CAN tools',
  subcommands: [
    {
      name: 'hub',
      description: 'run our socketcand-compatible server (rawmode, named buses, many clients) until Ctrl-C',
      options: [...listenOptions(SOCKETCAND_PORT), opt('--buses <names>', 'allowed bus names, comma-separated (default: any)')],
      action: async (_args, o) => {
        const { canHubCommand } = await import('../drivers/can/cli.ts');
        await canHubCommand({ host: o.host, port: o.port, buses: o.buses });
      },
    },
    {
      name: 'dump',
      description: 'print the frames of a socketcand bus as candump lines (and write them to a trace file)',
      options: [
        opt('--bus <name>', 'bus name on the socketcand server', { required: true }),
        opt('--host <host>', 'socketcand server', { default: '127.0.0.1' }),
        opt('--port <port>', 'TCP port', { default: SOCKETCAND_PORT }),
        opt('--output <file>', 'also write a trace file (.log, .pcap, .asc)'),
        opt('--count <n>', 'stop after n frames'),
      ],
      action: async (_args, o) => {
        const { canDumpCommand } = await import('../drivers/can/cli.ts');
        await canDumpCommand({ host: o.host, port: o.port, bus: o.bus, output: o.output, count: o.count });
      },
    },
  ],
};

const trace: CommandSpec = {
  name: 'trace',
  description: 'recorded traces',
  subcommands: [
    {
      name: 'convert <input> <output>',
      description: 'convert a CAN trace between formats, chosen by suffix (.log candump, .pcap, .asc)',
      action: async ([input, output]) => {
        const { traceConvertCommand } = await import('../drivers/can/cli.ts');
        console.log(`${traceConvertCommand({ input: String(input), output: String(output) })} frames written to ${output}`);
      },
    },
    {
      name: 'decode <file>',
      description: 'print a decoded session with its phases from a candump log',
      options: [
        opt('--protocol <p>', 'gbt27930', { required: true }),
        opt('--bus <name>', 'which bus (node) of a multi-bus log to decode (default: the first in the file)'),
      ],
      action: async ([file], o) => {
        if (o.protocol !== 'gbt27930') throw new UsageError(`--protocol must be gbt27930, got '${o.protocol}'`);
        const { traceDecodeCommand } = await import('../drivers/gbt27930/trace-decode.ts');
        console.log(traceDecodeCommand({ protocol: o.protocol, file: String(file), bus: o.bus }));
      },
    },
  ],
};

export const areaCommands: CommandSpec[] = [exi, emulate, serve, can, trace];
