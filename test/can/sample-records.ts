// Frames of every shape the trace formats must carry (classic, empty, remote, FD with BRS/ESI, error,
// a second bus): our own writers/readers and the independent tools are checked against the same list.

import { canFrame } from '../../drivers/can/frame.ts';
import type { TraceRecord } from '../../drivers/can/trace-record.ts';

const fdUp12 = Array.from({ length: 12 }, (_, i) => i);
const fdDown64 = Array.from({ length: 64 }, (_, i) => 255 - i);

export const SAMPLE_RECORDS: TraceRecord[] = [
  { epochUs: 1703560127_487397, bus: 'can0', frame: canFrame(0x1826f456, [1, 1, 0]) },
  { epochUs: 1703560127_500000, bus: 'can0', frame: canFrame(0x123, [], { extended: false }) },
  { epochUs: 1703560127_500001, bus: 'can0', frame: canFrame(0x7ff, [1, 2, 3, 4, 5, 6, 7, 8], { extended: false }) },
  { epochUs: 1703560127_600000, bus: 'can0', frame: { id: 0x321, extended: false, rtr: true, data: new Uint8Array(4) } },
  { epochUs: 1703560127_700000, bus: 'can0', frame: canFrame(0x456, fdUp12, { extended: false, fd: true, brs: true }) },
  { epochUs: 1703560127_800000, bus: 'can0', frame: canFrame(0x1abcdef0, fdDown64, { fd: true, esi: true }) },
  { epochUs: 1703560127_900000, bus: 'can0', frame: { id: 0x80, extended: true, error: true, data: new Uint8Array(8) } },
  { epochUs: 1703560128_000000, bus: 'gbt', frame: canFrame(0x00000005, [0xaa], { extended: true }) },
];
