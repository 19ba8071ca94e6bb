#!/usr/bin/env node
// The `mcs-hil` command. TypeScript runs through tsx (Node 20 has no type stripping); the commands
// themselves live in bin/cli.ts.
import { register } from 'tsx/esm/api';

// tsx's esbuild service (a Go process, a child of this one for the whole run) transforms every module of a cold
// cache at start-up with Go's default GC target (GOGC=100): it peaked at ~73 MB and kept 57–92 MB through a
// real-time run (issue 14, memory). GOGC=20 holds it near 45 MB at its peak. Only the loader thread, which spawns
// esbuild, gets it: it copies the environment as register() starts it, and the run's own children never see it.
const goGc = process.env.GOGC;
if (goGc === undefined) process.env.GOGC = '20';
register();
if (goGc === undefined) delete process.env.GOGC;
await import('./cli.ts');
