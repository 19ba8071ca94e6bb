// EXI codec throughput on one core: encode + decode per second of the three messages issue 14 measures
// (perf/exi-cases.ts), printed next to the reference C codec's figures; and the decode of a
// libcbv2g-style stream that needs the second (lenient) pass, against its EXI 1.0 form.
//   npx tsx perf/exi.ts [seconds-per-case]
//
// Rates are per second of this process's CPU time (process.cpuUsage) in 50 ms windows, so other work on
// a shared machine does not read as codec slowness: the best window is judged (the usual best-of-N of
// benchmarking), the median window and the wall-clock rate are printed next to it.

import { readFileSync } from 'node:fs';
import { decodeExi, encodeExi, type ExiGrammar } from '../drivers/exi/index.ts';
import { EXI_CASES } from './exi-cases.ts';
import * as dinIso2 from '../test/exi/support/din-iso2-documents.ts';

const seconds = Number(process.argv[2] ?? 1.5);

/**
 * libcbv2g (EVerest's C codec, -O2) encode+decode per second of the same three messages, measured on
 * this machine class in one interleaved run with our codec; the figures are quoted from issue 14.
 */
const LIBCBV2G_PER_SECOND: Record<string, number> = {
  DC_ChargeLoopReq: 598_000,
  'Dynamic DC_ChargeLoopRes': 295_000,
  'ServiceDetailRes, 4 MCS parameter sets': 36_000,
};
/** What issue 14 asks of our codec (at or above the reference, rounded up). */
const TARGET_PER_SECOND: Record<string, number> = {
  DC_ChargeLoopReq: 600_000,
  'Dynamic DC_ChargeLoopRes': 300_000,
  'ServiceDetailRes, 4 MCS parameter sets': 40_000,
};

interface Rate {
  /** Best 50 ms window, per CPU second: the codec with the least interference from other work. */
  best: number;
  /** Median window, per CPU second. */
  median: number;
  /** Whole measurement, per wall-clock second. */
  wall: number;
}

function rate(fn: () => void): Rate {
  for (let i = 0; i < 20000; i++) fn(); // warm-up (JIT)
  const windows: number[] = [];
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let now = t0;
  while (now < end) {
    const c0 = process.cpuUsage();
    const w0 = now;
    let m = 0;
    while (now - w0 < 50_000_000n) {
      for (let i = 0; i < 100; i++) fn();
      m += 100;
      now = process.hrtime.bigint();
    }
    const c = process.cpuUsage(c0);
    windows.push(m / ((c.user + c.system) / 1e6));
    n += m;
  }
  windows.sort((a, b) => a - b);
  return { best: windows[windows.length - 1], median: windows[windows.length >> 1], wall: n / (Number(now - t0) / 1e9) };
}

const k = (x: number) => `${Math.round(x / 1000)}k/s`;
const both = (r: Rate) => `${k(r.best)} (median ${k(r.median)}, wall ${k(r.wall)})`;

console.log(
  `EXI codec throughput, one core, ${seconds}s per measurement (Node ${process.version}); rates per CPU second, best 50 ms window`,
);
let below = 0;
for (const c of EXI_CASES) {
  const g: ExiGrammar = c.grammar;
  const bytes = encodeExi(g, c.doc);
  const enc = rate(() => encodeExi(g, c.doc));
  const dec = rate(() => decodeExi(g, bytes));
  const round = rate(() => decodeExi(g, encodeExi(g, c.doc)));
  const ref = LIBCBV2G_PER_SECOND[c.name];
  const target = TARGET_PER_SECOND[c.name];
  const verdict = round.best >= target ? 'meets' : 'BELOW';
  if (round.best < target) below++;
  console.log(
    `${c.name} (${bytes.length} B): encode ${k(enc.best)} | decode ${k(dec.best)} | encode+decode ${both(round)}` +
      ` | libcbv2g ${k(ref)} (×${(round.best / ref).toFixed(2)}) | target ≥ ${k(target)}: ${verdict}`,
  );
}

// The DIN 70121 / ISO 15118-2 charge loop (the truck's CCS2 port): no reference figure, printed for regressions.
const V2_CASES = [
  ['DIN CurrentDemandReq', 'din', dinIso2.dinCurrentDemandReq],
  ['DIN CurrentDemandRes', 'din', dinIso2.dinCurrentDemandRes],
  ['-2 CurrentDemandReq', 'iso2', dinIso2.iso2CurrentDemandReq],
  ['-2 CurrentDemandRes', 'iso2', dinIso2.iso2CurrentDemandRes],
] as const;
for (const [name, g, doc] of V2_CASES) {
  const bytes = encodeExi(g, doc);
  const round = rate(() => decodeExi(g, encodeExi(g, doc)));
  console.log(`${name} (${bytes.length} B): encode+decode ${both(round)}`);
}

// A full ServiceDiscoveryRes as libcbv2g writes it (strict pass fails, lenient pass reports) vs its EXI 1.0 form.
const fixture = new URL('../test/exi/fixtures/c-loop-deviations.json', import.meta.url);
const loop = (JSON.parse(readFileSync(fixture, 'utf8')) as { vectors: Array<{ id: string; cHex: string; strictHex: string }> }).vectors[0];
const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const cBytes = hex(loop.cHex);
const strictBytes = hex(loop.strictHex);
console.log(
  `${loop.id}: decode EXI 1.0 form ${both(rate(() => decodeExi('cm', strictBytes)))} | libcbv2g form ${both(rate(() => decodeExi('cm', cBytes)))}`,
);
if (below > 0) console.log(`${below} case(s) below target`);
