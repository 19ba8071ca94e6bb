// An in-process byte connection: what a socket pair would be, without the kernel. Used wherever an emulated
// peer runs in the same process as the harness (ISO 15118 memory link, in-process SCPI instruments), so a
// virtual-time bench has nothing that lives in host time.

import { Duplex } from 'node:stream';

/** What crosses a memory stream pair, as a socket layer would see it: each end's bytes when delivered, and its close. */
export interface StreamTap {
  data(from: 0 | 1, chunk: Uint8Array): void;
  /** The end stopped writing (ended or destroyed); once per end. */
  end(from: 0 | 1): void;
}

/** Two connected in-memory byte streams: what one writes the other reads (like a TCP connection). */
export function memoryStreamPair(tap?: StreamTap): [Duplex, Duplex] {
  const ends: { b?: Duplex } = {};
  const make = (side: 0 | 1, peer: () => Duplex) => {
    let ended = false;
    const endTap = () => {
      if (!ended) tap?.end(side);
      ended = true;
    };
    return new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        // Deliver asynchronously, as a socket would, but before the next event-loop turn: a virtual
        // clock jumps time when a turn passes with nothing to do, and bytes in flight are not "nothing".
        process.nextTick(() => {
          tap?.data(side, chunk);
          peer().push(chunk);
        });
        cb();
      },
      final(cb) {
        process.nextTick(() => {
          endTap();
          peer().push(null);
        });
        cb();
      },
      destroy(err, cb) {
        process.nextTick(() => {
          endTap();
          const p = peer();
          if (p.destroyed) return;
          p.push(null);
          // What this end wrote before it went reaches the peer first, as a socket's FIN follows its data: a reader
          // that reads on 'readable' (a TLS layer) has not taken it yet, and destroying now would discard it.
          if (p.readableLength > 0) p.once('end', () => p.destroy());
          else p.destroy();
        });
        cb(err);
      },
    });
  };
  const a = make(0, () => ends.b!);
  const b = make(1, () => a);
  ends.b = b;
  return [a, b];
}
