// One process at a time on a V2G link. Two harness processes that open the same veth pair (two
// self-validation runs started by different people, a CI job and a developer) would each start an
// emulated SECC and a vehicle on it: a vehicle then takes whichever SDP answer comes first and talks to
// the OTHER process's charger and power stage, and both runs fail with timeouts that have nothing to
// do with the charger under test. A lock file per interface makes the second process wait for the
// first (bounded), so runs on one link serialize instead of mixing.
//
// The lock is a file created with O_EXCL holding the owner's pid; a lock whose pid is gone is stale and
// taken over. Within one process the lock is re-entrant (a bench reopened in-process). The wait says what
// it waits for (timeline event with a `waiting` sentence the runner prints) and ends at once on an abort
// signal (Ctrl-C / SIGTERM of the waiting run).

import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';

export const LINK_LOCK_DIR = join(tmpdir(), 'mcs-hil-link-locks');
/** How long a second process waits for the link before it reports a bench fault (clock ms, like every time here). */
export const DEFAULT_LINK_LOCK_WAIT_MS = 60 * 60_000;
/** Poll period while waiting (clock ms of a real clock; scaled clocks poll faster, which is harmless). */
const POLL_MS = 250;

interface Holder {
  pid: number;
  since: string;
  what: string;
}

const held = new Map<string, number>(); // lock file → re-entrant count in this process
let exitHookInstalled = false;

function lockFile(iface: string): string {
  return join(LINK_LOCK_DIR, `${iface.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`);
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined; // being written or removed right now
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(file: string, what: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString(), what } satisfies Holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Remove a stale lock without racing another taker: only the one whose rename succeeds deletes it. */
function breakStale(file: string): void {
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(file, aside);
    rmSync(aside, { force: true });
  } catch {
    /* someone else broke it first */
  }
}

export interface LinkLock {
  release(): void;
}

/**
 * Take the link lock for these interfaces (all or nothing), waiting while another live process holds
 * one of them. The wait is recorded on the timeline; past maxWaitMs (clock) it is a BenchFault; an
 * aborted signal ends it at once with the signal's reason.
 */
export async function acquireLinkLock(
  interfaces: string[],
  o: { clock: Clock; timeline?: Timeline; source?: string; what?: string; maxWaitMs?: number; signal?: AbortSignal },
): Promise<LinkLock> {
  mkdirSync(LINK_LOCK_DIR, { recursive: true });
  const files = [...new Set(interfaces)].sort().map(lockFile);
  const what = o.what ?? `mcs-hil ${interfaces.join('/')}`;
  const t0 = o.clock.nowMs();
  const maxWaitMs = o.maxWaitMs ?? DEFAULT_LINK_LOCK_WAIT_MS;
  let reported = false;
  const got: string[] = [];
  for (const file of files) {
    if ((held.get(file) ?? 0) > 0) {
      held.set(file, held.get(file)! + 1);
      got.push(file);
      continue;
    }
    for (;;) {
      if (o.signal?.aborted) {
        releaseFiles(got);
        o.timeline?.record('link', o.source ?? 'link', { event: 'link-wait-aborted', interfaces, waitedMs: o.clock.nowMs() - t0 });
        throw o.signal.reason;
      }
      if (tryCreate(file, what)) {
        held.set(file, 1);
        got.push(file);
        break;
      }
      const h = readHolder(file);
      if (h && !alive(h.pid)) {
        breakStale(file);
        continue;
      }
      if (h?.pid === process.pid) {
        // Ours from an earlier, unreleased open in this process (re-entrant).
        held.set(file, (held.get(file) ?? 0) + 1);
        got.push(file);
        break;
      }
      const waited = o.clock.nowMs() - t0;
      if (waited > maxWaitMs || o.clock.description === 'virtual') {
        releaseFiles(got);
        throw new BenchFault(
          `the link ${interfaces.join('/')} is in use by another mcs-hil process ` +
            `(pid ${h?.pid ?? '?'}, ${h?.what ?? 'unknown'}, since ${h?.since ?? '?'}); ` +
            `waited ${Math.round(waited / 1000)} s of bench clock. ` +
            'Give each parallel run its own interfaces (bench file evInterface/chargerInterface).',
          o.source,
        );
      }
      if (!reported) {
        reported = true;
        const waiting =
          `waiting for ${interfaces.length === 2 ? 'veth pair' : 'link'} ${interfaces.join('/')} held by pid ${h?.pid ?? '?'} ` +
          `(${h?.what ?? 'unknown'}, since ${h?.since ?? '?'}); up to ${Math.round(maxWaitMs / 60_000)} min of bench clock` +
          ' — Ctrl-C stops';
        const holder = { heldBy: h?.pid, holder: h?.what, since: h?.since };
        o.timeline?.record('link', o.source ?? 'link', { event: 'waiting-for-link', interfaces, ...holder, waiting });
      }
      await o.clock.sleep(POLL_MS, o.signal).catch(() => undefined); // an abort is handled at the top of the loop
    }
  }
  if (reported) o.timeline?.record('link', o.source ?? 'link', { event: 'link-acquired', interfaces, waitedMs: o.clock.nowMs() - t0 });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A run that ends without closing its bench must not leave the link locked for a live pid.
    process.once('exit', () => {
      for (const f of held.keys()) releaseFile(f, true);
    });
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      releaseFiles(got);
    },
  };
}

function releaseFiles(files: string[]): void {
  for (const f of files) releaseFile(f, false);
}

function releaseFile(file: string, all: boolean): void {
  const n = held.get(file) ?? 0;
  if (n === 0) return;
  if (!all && n > 1) {
    held.set(file, n - 1);
    return;
  }
  held.delete(file);
  if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
}
