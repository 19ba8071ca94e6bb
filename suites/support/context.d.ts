// What the root hooks put on every test's `this`.
import type { Bench } from '../../benches/bench.ts';
import type { Limits } from '../../drivers/core/limits.ts';

declare module 'mocha' {
  interface Context {
    bench: Bench;
    limits: Limits;
  }
}
