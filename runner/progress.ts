// Console progress of a run: one line when a test starts and one when it ends ([n/N], verdict, duration), and
// for a long test a line every interval saying what it is doing — the last thing the run said it waits for,
// the protocol's last message or stage, the measured current and voltage — so a 60 s ramp never looks hung.
// Quiet mode (CI) keeps only the lines of tests that did not pass.

import Mocha from 'mocha';
import type { Timeline, TimelineEvent } from '../drivers/core/timeline.ts';

export interface ProgressOptions {
  log: (line: string) => void;
  timeline: Timeline;
  /** Tests the run selected (the N of [n/N]). */
  total: number;
  quiet?: boolean;
  /** Wall-clock period of the "still running" line; 0 turns it off. */
  intervalMs?: number;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 15_000;

/** Print progress for the runner's tests; returns the function that stops it. */
export function watchProgress(runner: Mocha.Runner, o: ProgressOptions): () => void {
  const { log, quiet } = o;
  const { BEGIN, PASS, FAIL, PENDING } = {
    BEGIN: Mocha.Runner.constants.EVENT_TEST_BEGIN,
    PASS: Mocha.Runner.constants.EVENT_TEST_PASS,
    FAIL: Mocha.Runner.constants.EVENT_TEST_FAIL,
    PENDING: Mocha.Runner.constants.EVENT_TEST_PENDING,
  };
  const activity = new Activity();
  const unsubscribe = o.timeline.subscribe((e) => activity.see(e));
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: { title: string; started: number } | undefined;
  const tag = () => `[${n}/${o.total}]`;
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  runner.on(BEGIN, (t: Mocha.Test) => {
    n++;
    current = { title: t.fullTitle(), started: performance.now() };
    activity.reset();
    if (!quiet) log(`${tag()} ${t.fullTitle()} …`);
    stopTimer();
    if (!quiet && (o.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS) > 0) {
      timer = setInterval(() => {
        if (!current) return;
        const ms = performance.now() - current.started;
        log(`${tag()}   … ${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s: ${activity.describe()}`);
      }, o.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
      timer.unref();
    }
  });
  runner.on(PASS, (t: Mocha.Test) => {
    stopTimer();
    if (!quiet) log(`${tag()} passed  ${t.fullTitle()} (${seconds(t.duration)})`);
  });
  runner.on(FAIL, (t: Mocha.Runnable, err: Error) => {
    stopTimer();
    const first = String(err?.message ?? err).split('\n')[0];
    if ((t as Mocha.Runnable & { type?: string }).type === 'hook') {
      log(`${tag()} ${t.title}: ${first}`);
      return;
    }
    const verdict = /assert/i.test(err?.name ?? '') ? 'FAILED' : 'BROKEN';
    log(`${tag()} ${verdict}  ${t.fullTitle()} (${seconds(t.duration)}): ${first}`);
  });
  runner.on(PENDING, (t: Mocha.Test) => {
    if (!quiet) log(`[${n}/${o.total}] skipped ${t.fullTitle()}`);
  });
  return () => {
    stopTimer();
    unsubscribe();
  };
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`;
}

/** What the bench is doing right now, from the timeline: the latest of each kind of thing worth saying. */
class Activity {
  private waiting?: string;
  private message?: string;
  private stage?: string;
  private check?: string;
  private requestedA?: number;
  /** Latest sample per instrument: the one carrying current is the port under test. */
  private samples = new Map<string, { currentA?: number; voltageV?: number }>();

  reset(): void {
    this.waiting = this.message = this.stage = this.check = undefined;
    this.requestedA = undefined;
    this.samples.clear();
  }

  see(e: TimelineEvent): void {
    const d = e.data as Record<string, unknown>;
    if (typeof d.waiting === 'string') this.waiting = d.waiting;
    if (e.kind === 'v2g' && typeof d.message === 'string') this.message = `${e.source} ${d.dir === 'tx' ? 'sent' : 'got'} ${d.message}`;
    if (e.kind === 'gbt' && typeof d.code === 'string') this.message = `${e.source} ${d.dir === 'tx' ? 'sent' : 'got'} ${d.code}`;
    if (e.kind === 'session' && typeof d.state === 'string') this.stage = `${e.source} ${d.state}`;
    if (e.kind === 'measurement' && typeof d.name === 'string') this.check = `${d.name} ${String(d.outcome ?? '')}`.trim();
    const requested = requestedCurrentA(e);
    if (requested !== undefined) this.requestedA = requested;
    if (e.kind === 'test' && typeof d.event === 'string' && d.event !== 'start') this.waiting = undefined;
    if (e.kind === 'samples') {
      const ch = (d.channels ?? {}) as Record<string, number[]>;
      this.samples.set(e.source, { currentA: ch.currentA?.at(-1), voltageV: ch.voltageV?.at(-1) });
    }
  }

  describe(): string {
    const parts = [
      this.waiting ? `waiting: ${this.waiting}` : '',
      this.stage ? `stage: ${this.stage}` : '',
      this.message ? `last message: ${this.message}` : '',
      this.measured(),
      this.requestedA !== undefined ? `requested ${Math.round(this.requestedA)} A` : '',
      this.check ? `last check: ${this.check}` : '',
    ].filter(Boolean);
    return parts.join('; ') || 'no bench activity recorded yet';
  }

  private measured(): string {
    const [source, v] = [...this.samples].sort((a, b) => Math.abs(b[1].currentA ?? 0) - Math.abs(a[1].currentA ?? 0))[0] ?? [];
    if (!v || v.currentA === undefined) return '';
    return `${source} measures ${Math.round(v.currentA)} A${v.voltageV !== undefined ? ` at ${Math.round(v.voltageV)} V` : ''}`;
  }
}

/** The current the vehicle asks for: GB/T BCL's demand, or an ISO 15118-20 charge-loop request's EVTargetCurrent. */
export function requestedCurrentA(e: TimelineEvent): number | undefined {
  const d = e.data as { dir?: string; code?: string; values?: { currentDemandA?: number }; doc?: Record<string, unknown> };
  if (d.dir !== 'tx') return undefined;
  if (e.kind === 'gbt' && d.code === 'BCL') return d.values?.currentDemandA;
  if (e.kind !== 'v2g' || !d.doc) return undefined;
  const target = /"EVTargetCurrent":\{"Value":(-?\d+),"Exponent":(-?\d+)\}/.exec(JSON.stringify(d.doc));
  return target ? Number(target[1]) * 10 ** Number(target[2]) : undefined;
}
