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

/** "ACME MCS-3000 #0042": the charger as the bench file declares it ('' when it declares no vendor or model). */
export function chargerName(env: Record<string, string>): string {
  const declared = (k: string) => env[`charger.${k} (bench file)`];
  const charger = [declared('vendor'), declared('model')].filter(Boolean).join(' ');
  const serial = declared('serial') ? ` #${declared('serial')}` : '';
  return charger ? `${charger}${serial}` : '';
}

/** "ACME MCS-3000 #0042 on bench lab-a-bench-1": the charger as the bench file declares it, then the bench. */
export function reportName(env: Record<string, string>): string {
  const bench = env['bench.name'] ? `bench ${env['bench.name']}` : 'unknown bench';
  return `${chargerName(env) || 'charger'} on ${bench}`;
}

/** environment.properties from a map, escaped so readEnvironment (and Java) read back the same keys and values. */
export function writeEnvironment(resultsDir: string, env: Record<string, string>): void {
  const esc = (s: string, key: boolean) => {
    const e = s
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/([=:])/g, '\\$1');
    return key ? e.replace(/ /g, '\\ ') : e;
  };
  const lines = Object.entries(env).map(([k, v]) => `${esc(k, true)}=${esc(v, false)}`);
  writeFileSync(join(resultsDir, 'environment.properties'), lines.join('\n') + '\n');
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
