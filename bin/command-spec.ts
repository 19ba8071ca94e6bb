// One shape for every `mcs-hil` command: a spec (name with its arguments, description, options, action) that
// registerCommands() turns into a commander command. Each action imports its area only when the command runs,
// so `mcs-hil --help` does not load the whole harness.

import { Option, type Command, type OptionValues } from 'commander';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own folder (bin/..), where the bundled benches live. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface OptionSpec {
  /** commander flags, e.g. '--port <port>' */
  flags: string;
  description: string;
  default?: string;
  /** Commander stops with a usage error when the option is missing. */
  required?: boolean;
  parse?: (value: string) => unknown;
  /** The default is a path inside the project: found from the project root, wherever mcs-hil is started
   *  (a linked `mcs-hil` runs outside the checkout). A path the user gives is relative to the current folder,
   *  unless it does not exist there and the package bundles it (`--bench benches/lab-example.yaml`). */
  projectPath?: boolean;
}

export interface CommandSpec {
  /** The name and its arguments, e.g. 'decode <hex>'. */
  name: string;
  description: string;
  options?: OptionSpec[];
  /** Gets the positional arguments in order (undefined where an optional one is missing) and the options;
   *  a number it returns is the exit code. A command without an action only groups its subcommands. */
  action?: (args: (string | undefined)[], o: OptionValues) => Promise<number | void>;
  subcommands?: CommandSpec[];
}

/** The bench file of run, doctor and emulate: the emulator bench of the project unless one is named. */
export const BENCH_OPTION: OptionSpec = {
  flags: '--bench <file>',
  description: 'bench file',
  default: 'benches/emulator.yaml',
  projectPath: true,
};

export function opt(flags: string, description: string, more: Omit<OptionSpec, 'flags' | 'description'> = {}): OptionSpec {
  return { flags, description, ...more };
}

/** `a, b,,c` → ['a', 'b', 'c'] (an option parser). */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function registerCommands(parent: Command, specs: CommandSpec[]): void {
  for (const spec of specs) {
    const cmd = parent.command(spec.name).description(spec.description);
    for (const o of spec.options ?? []) cmd.addOption(commanderOption(o));
    const action = spec.action;
    if (action) {
      cmd.action(async () => {
        const options = await withProjectPaths(cmd, spec.options ?? []);
        const code = await action(cmd.processedArgs, options);
        if (typeof code === 'number') process.exitCode = code;
      });
    }
    registerCommands(cmd, spec.subcommands ?? []);
  }
}

function commanderOption(o: OptionSpec): Option {
  const option = new Option(o.flags, o.description);
  if (o.parse) option.argParser(o.parse);
  if (o.default !== undefined) option.default(o.default, o.projectPath ? `${o.default} in the project` : undefined);
  if (o.required) option.makeOptionMandatory();
  return option;
}

/**
 * A relative path that does not exist from the current folder but does in the package (a bundled bench named
 * from outside the checkout): the package's copy, said on stderr so the user knows which file is used.
 */
export function bundledFallback(path: string): string {
  if (isAbsolute(path) || existsSync(path)) return path;
  const bundled = join(PACKAGE_ROOT, path);
  if (!existsSync(bundled)) return path;
  console.error(`mcs-hil: ${path} is not in ${process.cwd()}; using the bundled ${bundled}`);
  return bundled;
}

/** The command's option values, each project-path option made absolute (default) or found in the package (fallback). */
async function withProjectPaths(cmd: Command, specs: OptionSpec[]): Promise<OptionValues> {
  const values = { ...cmd.opts() };
  for (const o of specs.filter((x) => x.projectPath)) {
    const key = new Option(o.flags).attributeName();
    if (values[key] === undefined) continue;
    values[key] =
      cmd.getOptionValueSource(key) === 'default' ? join(PACKAGE_ROOT, String(values[key])) : bundledFallback(String(values[key]));
  }
  return values;
}
