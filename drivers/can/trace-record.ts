// One frame in a trace file: what every reader yields and every writer takes.

import type { CanFrame } from './frame.ts';
import { InputError } from '../core/errors.ts';

export interface TraceRecord {
  /** Wall-clock time of the frame, microseconds since the Unix epoch (fits a double exactly). */
  epochUs: number;
  /** Interface / bus name as the file names it ('can0', 'gbt'). */
  bus: string;
  frame: CanFrame;
  /** Direction when the file says it (candump -x ' R'/' T', ASC Rx/Tx). */
  dir?: 'rx' | 'tx';
}

/** A trace file we cannot read (bad line, truncated record, unknown suffix). */
export class TraceFormatError extends InputError {
  override name = 'TraceFormatError';
}
