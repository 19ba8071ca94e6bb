// Typed SCPI errors. A reply we cannot use is bad input (InputError: where = instrument + command); an
// instrument that does not answer, or reports an error in its queue, is a bench problem (BenchFault).

import { BenchFault, InputError } from '../core/errors.ts';

/** The instrument answered, but not with something this command can return. */
export class ScpiReplyError extends InputError {
  override name = 'ScpiReplyError';
  constructor(
    message: string,
    where: string,
    readonly reply: string,
  ) {
    super(`${message} (reply ${JSON.stringify(reply.length > 120 ? reply.slice(0, 120) + '…' : reply)})`, where);
  }
}

/** A value a declared command refuses (its validator), before anything is sent. */
export class ScpiValueError extends InputError {
  override name = 'ScpiValueError';
}

/** No reply in time, or the connection is gone. */
export class ScpiTimeout extends BenchFault {
  override name = 'ScpiTimeout';
}

/** The instrument's error queue (SYST:ERR?) reported an error after our commands. */
export class ScpiInstrumentError extends BenchFault {
  override name = 'ScpiInstrumentError';
  constructor(
    message: string,
    resource: string,
    readonly errors: string[],
  ) {
    super(message, resource);
  }
}
