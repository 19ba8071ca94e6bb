// Runs the handshake specs (handshake*.spec.ts) on the MCS test bench (its own veth pair), by hand or one child process per
// fault: `node --import tsx test/mcs/run-suite.ts [--bench FILE] [--suite S] [--fault NAME] [--grep RE]`.
// Prints the usual progress plus one 'RESULT [...]' line (title, state and error per test, in order).
import { join } from 'node:path';
import { runSuites } from '../../runner/runner.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const here = new URL('.', import.meta.url).pathname;
const summary = await runSuites({
  bench: opt('--bench') ?? join(here, 'fixtures', 'mcs-veth.yaml'),
  suite: opt('--suite') ?? 'mcs/handshake*.spec.ts',
  faults: opt('--fault') ? [opt('--fault')!] : [],
  grep: opt('--grep'),
  out: opt('--out'),
});
process.stdout.write(
  `RESULT ${JSON.stringify(summary.tests.map((t) => ({ title: t.title, id: t.testCaseId, state: t.state, error: t.error?.slice(0, 300) })))}\n`,
);
process.exit(summary.exitCode);
