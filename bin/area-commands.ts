// Commands of the protocol areas: each area exports a function, this file only wires arguments to it.

import type { Command } from 'commander';

export function areaCommands(_program: Command): void {}
