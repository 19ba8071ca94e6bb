// A command that serves until it is told to stop: Ctrl-C / SIGTERM from the shell, or the abort signal a
// caller (a test, the runner) passes instead, or the command itself (a frame count reached, a link lost).

export interface StopOnSignal {
  /** Resolves once stopped, whoever stopped it. */
  stopped: Promise<void>;
  stop(): void;
}

export function stopOnSignal(signal?: AbortSignal): StopOnSignal {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (signal) signal.addEventListener('abort', stop, { once: true });
    else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  return { stopped, stop: () => stop() };
}
