// EXI decoder fuzzing: mutated known-good streams and random bytes. The only acceptable failure is an
// ExiDecodeError with a bit position inside the input and a grammar state; decoded documents must
// re-encode or be refused with an ExiEncodeError (never a crash). Seeded, so every case is reproducible.

import { decodeExi, encodeExi, ExiDecodeError, ExiEncodeError, EXI_GRAMMARS, type ExiGrammar } from '../../../drivers/exi/index.ts';

export interface FuzzSeed {
  grammar: ExiGrammar;
  bytes: Uint8Array;
}

export interface FuzzStats {
  cases: number;
  decoded: number;
  decodeErrors: number;
  reencoded: number;
  encodeRefused: number;
}

/** xorshift32: tiny, fast, deterministic. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const GRAMMARS: readonly ExiGrammar[] = EXI_GRAMMARS;

export function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const r = (n: number) => next() % n;
  let b = src.slice();
  const ops = 1 + r(3);
  for (let k = 0; k < ops; k++) {
    switch (r(7)) {
      case 0: // flip one bit (keep the header most of the time: that is where the grammar lives)
      case 1: {
        if (b.length === 0) break;
        const i = b.length > 1 && r(8) !== 0 ? 1 + r(b.length - 1) : r(b.length);
        b[i] ^= 1 << r(8);
        break;
      }
      case 2: // truncate
        b = b.slice(0, r(b.length + 1));
        break;
      case 3: {
        // overwrite a byte with an extreme value (huge lengths, continuation bits)
        if (b.length < 2) break;
        b[1 + r(b.length - 1)] = [0x00, 0xff, 0x7f, 0x80, next() & 0xff][r(5)];
        break;
      }
      case 4: {
        // insert random bytes
        const at = r(b.length + 1);
        const ins = Uint8Array.from({ length: 1 + r(4) }, () => next() & 0xff);
        b = Uint8Array.from([...b.slice(0, at), ...ins, ...b.slice(at)]);
        break;
      }
      case 5: {
        // delete a span
        const at = r(b.length + 1);
        b = Uint8Array.from([...b.slice(0, at), ...b.slice(at + 1 + r(4))]);
        break;
      }
      default: {
        // run of 0xff (every continuation bit set) inside the body
        if (b.length < 2) break;
        const at = 1 + r(b.length - 1);
        for (let i = at; i < Math.min(b.length, at + 1 + r(12)); i++) b[i] = 0xff;
      }
    }
  }
  return b;
}

export function randomStream(next: () => number): Uint8Array {
  const n = next() % 64;
  const b = Uint8Array.from({ length: n }, () => next() & 0xff);
  if (n > 0 && next() % 4 !== 0) b[0] = 0x80; // mostly past the header check, into the grammars
  return b;
}

/** One decode attempt; throws (with the reproducer) if anything but the typed errors escapes. */
export function fuzzOne(grammar: ExiGrammar, input: Uint8Array, stats: FuzzStats): void {
  stats.cases++;
  let doc: Record<string, unknown>;
  try {
    doc = decodeExi(grammar, input);
  } catch (e) {
    if (!(e instanceof ExiDecodeError))
      throw new Error(`decode threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${grammar} ${Buffer.from(input).toString('hex')}`);
    if (!(e.bitPosition >= 0 && e.bitPosition <= input.length * 8 && typeof e.state === 'string' && e.state.length > 0))
      throw new Error(
        `ExiDecodeError without a usable position/state (${e.bitPosition}, ${e.state}) for ${grammar} ${Buffer.from(input).toString('hex')}`,
      );
    stats.decodeErrors++;
    return;
  }
  stats.decoded++;
  try {
    encodeExi(grammar, doc);
    stats.reencoded++;
  } catch (e) {
    if (!(e instanceof ExiEncodeError))
      throw new Error(
        `re-encode threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${grammar} ${Buffer.from(input).toString('hex')}`,
      );
    stats.encodeRefused++;
  }
}

export function runFuzz(seeds: FuzzSeed[], cases: number, seed = 1): FuzzStats {
  const next = rng(seed);
  const stats: FuzzStats = { cases: 0, decoded: 0, decodeErrors: 0, reencoded: 0, encodeRefused: 0 };
  for (let i = 0; i < cases; i++) {
    if (i % 5 === 4) {
      fuzzOne(GRAMMARS[next() % GRAMMARS.length], randomStream(next), stats);
    } else {
      const s = seeds[next() % seeds.length];
      // Mostly the stream's own grammar; sometimes another one (a mislabelled V2GTP payload type).
      const g = next() % 10 === 0 ? GRAMMARS[next() % GRAMMARS.length] : s.grammar;
      fuzzOne(g, mutate(s.bytes, next), stats);
    }
  }
  return stats;
}
