// Typed errors of the EXI codec. Decoding never throws anything else: every failure names the bit
// position and the grammar state, so a capture of a bad charger stream points at the exact event.

import { InputError } from '../core/errors.ts';

/** A stream that is not a valid EXI document for the grammar (truncated, wrong code, bad length…). */
export class ExiDecodeError extends InputError {
  override name = 'ExiDecodeError';
  constructor(
    readonly reason: string,
    /** Bit offset from the start of the stream (header byte included) where decoding stopped. */
    readonly bitPosition: number,
    /** Grammar state, e.g. 'DC_ChargeLoopReqType#3' or 'value of EVCCID'. */
    readonly state: string,
  ) {
    super(`${reason} (at bit ${bitPosition}, state ${state})`, 'EXI stream');
  }
}

/** A document that does not fit the schema (missing/unknown element, value out of range…). */
export class ExiEncodeError extends InputError {
  override name = 'ExiEncodeError';
  constructor(
    readonly reason: string,
    /** Where in the document: type and key, e.g. 'RationalNumberType.Value'. */
    readonly at: string,
  ) {
    super(`${at}: ${reason}`, 'EXI document');
  }
}
