// What names a generated report: its title (the charger under test and the bench, not "Allure Report") and the
// executor Allure shows on the overview (which harness produced it, which run it is), both read from the
// run's own environment.properties so a re-generated report is named the same.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** environment.properties as a map (Java properties: `key=value`, `\` escapes). */
export function readEnvironment(resultsDir: string): Record<string, string> {
  const file = join(resultsDir, 'environment.properties');
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^((?:[^=\\]|\\.)*)=(.*)$/.exec(line);
    if (m) env[unescape(m[1])] = unescape(m[2]);
  }
  return env;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** "ACME MCS-3000 #0042 on bench lab-a-bench-1": the charger as the bench file declares it, then the bench. */
export function reportName(env: Record<string, string>): string {
  const declared = (k: string) => env[`charger.${k} (bench file)`];
  const charger = [declared('vendor'), declared('model')].filter(Boolean).join(' ');
  const serial = declared('serial') ? ` #${declared('serial')}` : '';
  const bench = env['bench.name'] ? `bench ${env['bench.name']}` : 'unknown bench';
  return charger ? `${charger}${serial} on ${bench}` : `charger on ${bench}`;
}

/** executor.json: the overview's Executor panel and the build the trend point is labelled with. */
export function writeExecutor(resultsDir: string, o: { runDir: string; name: string; buildOrder: number }): void {
  const executor = {
    name: 'mcs-hil',
    type: 'mcs-hil',
    buildName: `run ${basename(o.runDir)}`,
    buildOrder: o.buildOrder,
    reportName: o.name,
  };
  writeFileSync(join(resultsDir, 'executor.json'), JSON.stringify(executor, null, 2));
}
