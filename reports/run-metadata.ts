// What the report says about the run: the environment (bench, charger identity, harness version and
// commit, Node, limit profile and its hash) and the failure categories a reviewer filters by.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchConfig } from '../benches/registry.ts';
import { loadLimitProfile } from '../drivers/core/limits.ts';
import { describeTlsSetting, type BenchTlsSetting } from '../drivers/iso15118/pki/bench-tls.ts';
import { INCONCLUSIVE_PREFIX, VIOLATION_TAG } from './evidence.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function harnessVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function environmentInfo(bench: BenchConfig, faults: string[]): Record<string, string> {
  const limits = loadLimitProfile(bench.limits.profile);
  const env: Record<string, string> = {
    'bench.name': bench.name,
    'bench.file': bench.file,
    'bench.clock': bench.clock.kind + (bench.clock.rate && bench.clock.rate !== 1 ? ` x${bench.clock.rate}` : ''),
    'bench.interlock': String(bench.safety.interlock),
    'charger.ratings': `${bench.charger.ratings.maxVoltageV} V, ${bench.charger.ratings.maxCurrentA} A, ${bench.charger.ratings.maxPowerW / 1000} kW`,
    'charger.protocols': bench.charger.protocols.join(', '),
    'vehicle.profile': bench.vehicle.profile,
    'limits.profile': `${limits.profile} (${limits.title})`,
    'limits.sha256': limits.hash,
    'harness.version': harnessVersion(),
    'harness.commit': gitCommit(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  for (const [k, v] of Object.entries(bench.charger.identity ?? {})) env[`charger.${k} (bench file)`] = v;
  if (faults.length) env['emulator.faults'] = faults.join(', ');
  // What the V2G link's security was: a reviewer must see at once when a run was not ISO 15118-20 conformant.
  for (const [name, r] of Object.entries(bench.resources))
    if (r.kind === 'iso15118-ev' && !r.memory) env[`tls (${name})`] = describeTlsSetting(r.tls as BenchTlsSetting | undefined);
  // A bench file that overrides a profile tolerance changes what the current checks accept: say so up front.
  const { currentToleranceA: tolA, currentTolerancePct: tolPct } = bench.charger.ratings;
  if (tolA !== undefined || tolPct !== undefined) {
    const set = [tolA !== undefined ? `±${tolA} A` : '', tolPct !== undefined ? `±${tolPct} %` : ''].filter(Boolean).join(' / ');
    env['deviation.currentTolerance'] =
      `bench override ${set} (charger.ratings in ${bench.file}) instead of the limit profile's regulation tolerance`;
  }
  return env;
}

export interface AllureCategory {
  name: string;
  matchedStatuses: string[];
  messageRegex?: string;
}

/** First match wins (Allure 2): violations by their message tag, then bench faults (broken). */
export function allureCategories(): AllureCategory[] {
  const byTag = (name: string, tag: string): AllureCategory => ({
    name,
    matchedStatuses: ['failed'],
    messageRegex: `(?s)${tag.replace(/[[\]]/g, '\\$&')}.*`,
  });
  return [
    byTag('Protocol violation', VIOLATION_TAG.protocol),
    byTag('Timing violation', VIOLATION_TAG.timing),
    byTag('Current-control violation', VIOLATION_TAG['current-control']),
    byTag('Safety violation', VIOLATION_TAG.safety),
    // Before 'Bench fault': a value within the harness's own uncertainty of its limit (reports/uncertainty.ts).
    { name: 'Inconclusive (harness latency too high to judge)', matchedStatuses: ['broken'], messageRegex: `(?s)${INCONCLUSIVE_PREFIX}.*` },
    { name: 'Bench fault', matchedStatuses: ['broken'] },
    { name: 'Unclassified failure (assertion without a violation tag)', matchedStatuses: ['failed'] },
  ];
}
