#!/usr/bin/env node
// The `mcs-hil` command. TypeScript runs through tsx (Node 20 has no type stripping); the commands
// themselves live in bin/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
