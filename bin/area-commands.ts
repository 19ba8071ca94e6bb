// Commands of the protocol areas: each area exports a function, this file only wires arguments to it.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UsageError } from '../drivers/core/errors.ts';

const GRAMMARS = ['app', 'cm', 'dc'] as const;

function grammarOption(g: string | undefined): (typeof GRAMMARS)[number] | undefined {
  if (g === undefined) return undefined;
  if (!(GRAMMARS as readonly string[]).includes(g)) throw new UsageError(`--grammar must be one of ${GRAMMARS.join(', ')}, got '${g}'`);
  return g as (typeof GRAMMARS)[number];
}

export function areaCommands(program: Command): void {
  const exi = program.command('exi').description('ISO 15118-20 / AppProtocol EXI codec');
  exi
    .command('decode <hex>')
    .description('decode an EXI stream (hex) and print it as JSON')
    .option('--grammar <g>', 'app (supportedAppProtocol), cm (-20 CommonMessages) or dc (-20 DC)')
    .option('--v2gtp', 'the input is a V2GTP frame; the grammar follows its payload type')
    .action(async (hex: string, o) => {
      const { exiDecodeCommand } = await import('../drivers/exi/cli.ts');
      console.log(exiDecodeCommand({ grammar: grammarOption(o.grammar), hex, v2gtp: !!o.v2gtp }));
    });
  exi
    .command('encode')
    .description('read a JSON message on stdin and print its EXI encoding as lowercase hex')
    .option('--grammar <g>', 'app, cm or dc (default: from the root element name)')
    .option('--v2gtp', 'wrap the stream in a V2GTP frame')
    .action(async (o) => {
      const { exiEncodeCommand } = await import('../drivers/exi/cli.ts');
      console.log(exiEncodeCommand({ grammar: grammarOption(o.grammar), json: readFileSync(0, 'utf8'), v2gtp: !!o.v2gtp }));
    });

  program
    .command('emulate')
    .description('serve the emulated chargers of a bench (SDP/TLS/ISO 15118-20 on its link, GB/T on its CAN) until Ctrl-C, for any EV')
    .option('--bench <file>', 'bench file', 'benches/emulator.yaml')
    .option('--fault <names>', 'fault switches to turn on, comma-separated (see `mcs-hil faults`)')
    .action(async (o) => {
      const { emulateCommand } = await import('../emulator/mcs/emulate.ts');
      const faults = o.fault ? String(o.fault).split(',').map((s: string) => s.trim()).filter(Boolean) : [];
      process.exitCode = await emulateCommand({ benchFile: o.bench, faults });
    });

  const serve = program.command('serve').description('emulated lab instruments on TCP, for dry runs of a physical bench file');
  serve
    .command('scpi-battery')
    .description('an emulated RP7900-class battery emulator / power analyser over SCPI (raw socket) until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port', '5025')
    .option('--profile <name>', 'vehicle profile of the emulated battery (fixtures/vehicles)')
    .option('--timeline <file>', 'also record what the instrument sees as a timeline (JSON lines)')
    .action(async (o) => {
      const { scpiBatteryCommand } = await import('../emulator/power/cli.ts');
      await scpiBatteryCommand({ host: o.host, port: o.port, profile: o.profile, timeline: o.timeline });
    });
  serve
    .command('dio')
    .description('an emulated SCPI digital I/O box for the CE/ID lines (scpi-ce-id) until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port', '5025')
    .option('--unplugged', 'start with ID reading not connected')
    .action(async (o) => {
      const { dioServerCommand } = await import('../emulator/pilot/cli.ts');
      await dioServerCommand({ host: o.host, port: o.port, unplugged: !!o.unplugged });
    });

  const can = program.command('can').description('CAN tools');
  can
    .command('hub')
    .description('run our socketcand-compatible server (rawmode, named buses, many clients) until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port', '29536')
    .option('--buses <names>', 'allowed bus names, comma-separated (default: any)')
    .action(async (o) => {
      const { canHubCommand } = await import('../drivers/can/cli.ts');
      await canHubCommand({ host: o.host, port: o.port, buses: o.buses });
    });

  can
    .command('dump')
    .description('print the frames of a socketcand bus as candump lines (and write them to a trace file)')
    .requiredOption('--bus <name>', 'bus name on the socketcand server')
    .option('--host <host>', 'socketcand server', '127.0.0.1')
    .option('--port <port>', 'TCP port', '29536')
    .option('--output <file>', 'also write a trace file (.log, .pcap, .asc)')
    .option('--count <n>', 'stop after n frames')
    .action(async (o) => {
      const { canDumpCommand } = await import('../drivers/can/cli.ts');
      await canDumpCommand({ host: o.host, port: o.port, bus: o.bus, output: o.output, count: o.count });
    });

  const trace = program.command('trace').description('recorded traces');
  trace
    .command('convert <input> <output>')
    .description('convert a CAN trace between formats, chosen by suffix (.log candump, .pcap, .asc)')
    .action(async (input: string, output: string) => {
      const { traceConvertCommand } = await import('../drivers/can/cli.ts');
      console.log(`${traceConvertCommand({ input, output })} frames written to ${output}`);
    });
  trace
    .command('decode <file>')
    .description('print a decoded session with its phases from a candump log')
    .requiredOption('--protocol <p>', 'gbt27930')
    .option('--bus <name>', 'which bus (node) of a multi-bus log to decode (default: the first in the file)')
    .action(async (file: string, o) => {
      if (o.protocol !== 'gbt27930') throw new UsageError(`--protocol must be gbt27930, got '${o.protocol}'`);
      const { traceDecodeCommand } = await import('../drivers/gbt27930/trace-decode.ts');
      console.log(traceDecodeCommand({ protocol: o.protocol, file, bus: o.bus }));
    });
}
