// `mcs-hil ui RUN`: the live bench view of a finished (or still running) run, replayed from its timeline.jsonl
// at the pace it was recorded (or faster), then kept on screen until Ctrl-C. Reads the file line by line: an
// hour-long run never sits in memory, and a torn last line is skipped.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { UsageError } from '../drivers/core/errors.ts';
import { defaultOutDir, latestRunDir, newestRunIfRoot } from '../reports/run-folders.ts';
import { startLiveView, type LiveView, type LiveViewOptions } from './live-view-server.ts';

export interface ReplayOptions extends LiveViewOptions {
  /** A run folder, a reports root (its newest run), or undefined (the newest run of the default output folder). */
  run?: string;
  /** Clock seconds replayed per wall second; 0: at once. */
  speed?: number;
  log?: (line: string) => void;
  /** Stops the replay and the server (default: SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export function timelineOfRun(run: string | undefined): string {
  const dir = run === undefined ? latestRunDir(defaultOutDir()) : (newestRunIfRoot(run) ?? run);
  if (!dir) throw new UsageError(`no run found under ${defaultOutDir()}: name a run folder (out/runs/<timestamp>)`);
  const file = existsSync(dir) && statSync(dir).isDirectory() ? join(dir, 'timeline.jsonl') : dir;
  if (!existsSync(file)) throw new UsageError(`${file}: no such timeline (a run folder holds timeline.jsonl)`);
  return file;
}

export async function replayRun(o: ReplayOptions): Promise<number> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const file = timelineOfRun(o.run);
  const view = await startLiveView(o);
  log(`live view: ${view.url} (replaying ${file}${o.speed === 0 ? ' at once' : ` at ${o.speed ?? 1}x`})`);
  const stop = o.signal ?? signalOnce();
  try {
    const n = await feed(view, file, o.speed ?? 1, stop);
    if (!stop.aborted) log(`live view: replayed ${n} events; showing the final state until Ctrl-C`);
    await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    await view.close();
  }
  return 0;
}

/** Feed the file's events to the view, waiting between them as the bench clock did (divided by speed). */
async function feed(view: LiveView, file: string, speed: number, stop: AbortSignal): Promise<number> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let first: { t: number; wall: number } | undefined;
  let n = 0;
  for await (const line of lines) {
    if (stop.aborted) break;
    const e = parse(line);
    if (!e) continue;
    first ??= { t: e.t, wall: performance.now() };
    if (speed > 0) {
      const due = first.wall + (e.t - first.t) / 1e6 / speed;
      const wait = due - performance.now();
      if (wait > 5) await sleep(wait, stop);
    }
    view.see(e);
    n++;
  }
  lines.close();
  return n;
}

function parse(line: string): TimelineEvent | undefined {
  try {
    const e = JSON.parse(line) as TimelineEvent;
    return typeof e?.t === 'number' && typeof e.kind === 'string' ? e : undefined;
  } catch {
    return undefined; // a torn last line of a crashed run
  }
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
  });
}

function signalOnce(): AbortSignal {
  const ac = new AbortController();
  const abort = () => ac.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return ac.signal;
}
