// Typed errors shared by every layer.
//
// Verdict rule (DESIGN): a product non-conformance is an assertion failure (Allure "failed"); a bench
// problem is a BenchFault (Allure "broken"). Allure classifies any error whose name or message matches
// /assert/i, or that carries actual/expected, as failed — so these classes never do either.

/** The bench could not do its job (link down, instrument silent, resource missing): Allure "broken". */
export class BenchFault extends Error {
  override name = 'BenchFault';
  constructor(
    message: string,
    readonly resource?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad input from outside the harness (bench file, frame, EXI stream, instrument reply, CLI argument). */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    /** Where the input came from, e.g. 'benches/lab.yaml:12', 'can0 frame 0x1826F456', 'SCPI MEAS:CURR?'. */
    readonly where?: string,
    options?: { cause?: unknown },
  ) {
    super(where ? `${where}: ${message}` : message, options);
  }
}

/** Bad input of a named kind: `reason` is what tests and judges switch on, the message (after it) explains. */
export class ReasonedInputError<R extends string> extends InputError {
  readonly reason: R;
  constructor(reason: R, message: string, where?: string, options?: { cause?: unknown }) {
    super(`${reason}: ${message}`, where, options);
    this.reason = reason;
  }
}

/** A command-line argument that cannot be used. */
export class UsageError extends InputError {
  override name = 'UsageError';
}

/** Stop reason used to abort in-flight work when the run is interrupted (SIGINT/SIGTERM). */
export class RunInterrupted extends BenchFault {
  override name = 'RunInterrupted';
  constructor(readonly signal: string) {
    super(`run interrupted by ${signal}; the bench was taken to its safe state`);
  }
}
