// Receive with a timeout on the injected clock: wait for the next frame that matches, or give up.

import type { Clock } from '../core/clock.ts';
import type { CanFrame } from './frame.ts';
import type { CanTransport } from './transport.ts';

/** A predicate, or an id (with optional mask, and extended flag) to match. */
export type FrameMatch = ((f: CanFrame) => boolean) | { id: number; mask?: number; extended?: boolean };

export function frameMatcher(match: FrameMatch): (f: CanFrame) => boolean {
  if (typeof match === 'function') return match;
  const mask = match.mask ?? 0x1fffffff;
  return (f) => !f.error && (f.id & mask) === (match.id & mask) && (match.extended === undefined || f.extended === match.extended);
}

/** No matching frame arrived in time. Not a BenchFault: whether that is the product's fault is the caller's call. */
export class FrameTimeoutError extends Error {
  override name = 'FrameTimeout';
  constructor(
    readonly channel: string,
    readonly waitedMs: number,
    readonly what: string,
  ) {
    super(`no ${what} on '${channel}' within ${waitedMs} ms`);
  }
}

/** The next matching frame, or undefined after timeoutMs of clock time. */
export function waitForFrame(
  transport: CanTransport,
  match: FrameMatch,
  timeoutMs: number,
  clock: Clock,
  signal?: AbortSignal,
): Promise<CanFrame | undefined> {
  const m = frameMatcher(match);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let done = false;
    const finish = (f: CanFrame | undefined) => {
      if (done) return;
      done = true;
      unsubscribe();
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      resolve(f);
    };
    const onAbort = () => {
      if (done) return;
      done = true;
      unsubscribe();
      timer.cancel();
      reject(signal!.reason);
    };
    const unsubscribe = transport.onFrame((f) => {
      if (m(f)) finish(f);
    });
    const timer = clock.setTimer(timeoutMs, () => finish(undefined));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The next matching frame; FrameTimeoutError after timeoutMs of clock time. */
export async function expectFrame(
  transport: CanTransport,
  match: FrameMatch,
  timeoutMs: number,
  clock: Clock,
  signal?: AbortSignal,
): Promise<CanFrame> {
  const f = await waitForFrame(transport, match, timeoutMs, clock, signal);
  if (!f)
    throw new FrameTimeoutError(
      transport.channel,
      timeoutMs,
      typeof match === 'function' ? 'matching frame' : `frame 0x${match.id.toString(16).toUpperCase()}`,
    );
  return f;
}
