// An in-process byte connection: what a socket pair would be, without the kernel. Used wherever an emulated
// peer runs in the same process as the harness (ISO 15118 memory link, in-process SCPI instruments), so a
// virtual-time bench has nothing that lives in host time.

import { Duplex } from 'node:stream';

/** Two connected in-memory byte streams: what one writes the other reads (like a TCP connection). */
export function memoryStreamPair(): [Duplex, Duplex] {
  const ends: { b?: Duplex } = {};
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        // Deliver asynchronously, as a socket would, but before the next event-loop turn: a virtual
        // clock jumps time when a turn passes with nothing to do, and bytes in flight are not "nothing".
        process.nextTick(() => peer().push(chunk));
        cb();
      },
      final(cb) {
        process.nextTick(() => peer().push(null));
        cb();
      },
      destroy(err, cb) {
        process.nextTick(() => {
          const p = peer();
          if (!p.destroyed) {
            p.push(null);
            p.destroy();
          }
        });
        cb(err);
      },
    });
  const a = make(() => ends.b!);
  const b = make(() => a);
  ends.b = b;
  return [a, b];
}
