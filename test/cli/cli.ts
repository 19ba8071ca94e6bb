// Running the real `mcs-hil` command from any folder, in temporary folders that each test removes again.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'mcs-hil.mjs');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: o.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...o.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cliAsync(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { cwd: o.cwd ?? ROOT, env: { ...process.env, ...o.env } });
}

/** Temporary folders of one test file: made by `make`, all removed by `removeAll` (call it in after()). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  removeAll(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
