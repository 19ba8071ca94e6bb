// Long EXI fuzz run (the normal test run does 100k cases): mutated vectors + random bytes + mutated
// random valid messages from the schema-model arbitraries, until N cases or T seconds.
//   npx tsx perf/exi-fuzz.ts [--cases 5000000] [--seconds 600] [--seed 1]

import fc from 'fast-check';
import { encodeExi } from '../drivers/exi/index.ts';
import { DocumentArbitraries } from '../test/exi/support/arbitrary-document.ts';
import { runFuzz, type FuzzSeed, type FuzzStats } from '../test/exi/support/fuzz.ts';
import { GRAMMAR_MODELS } from '../test/exi/support/grammars.ts';
import { fromHex, recordedVectors, sharedVectors } from '../test/exi/support/vectors.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const maxCases = arg('--cases', 5_000_000);
const maxSeconds = arg('--seconds', 600);
let seed = arg('--seed', 1);

const seeds: FuzzSeed[] = [
  ...recordedVectors().map((v) => ({ grammar: v.grammar, bytes: fromHex(v.hex) })),
  ...(sharedVectors()?.vectors ?? []).map((v) => ({ grammar: v.grammar, bytes: fromHex(v.hex) })),
];
// Valid streams of every message root, so mutations reach every grammar state, not only the vectors'.
for (const { grammar, model, messages } of GRAMMAR_MODELS) {
  const arbs = new DocumentArbitraries(model);
  for (const m of messages)
    for (const doc of fc.sample(arbs.document(m)!, { numRuns: 20, seed })) seeds.push({ grammar, bytes: encodeExi(grammar, doc) });
}

const total: FuzzStats = { cases: 0, decoded: 0, decodeErrors: 0, reencoded: 0, encodeRefused: 0 };
const t0 = performance.now();
while (total.cases < maxCases && performance.now() - t0 < maxSeconds * 1000) {
  const s = runFuzz(seeds, 100_000, seed++);
  for (const k of Object.keys(total) as Array<keyof FuzzStats>) total[k] += s[k];
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(
    `\r${total.cases} cases, ${Math.round(total.cases / secs)}/s, ${total.decodeErrors} typed decode errors, ${total.decoded} decoded, ${total.encodeRefused} re-encodes refused`,
  );
}
console.log(`\nOK: only typed errors in ${total.cases} cases (${seeds.length} seed streams)`);
