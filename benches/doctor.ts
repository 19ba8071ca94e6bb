// `mcs-hil doctor`: is this machine ready to run a bench? Node, Java (report), Chromium (report check),
// the bench file, each resource's reachability, and its TLS material with the fingerprints to give the
// charger's operator (doctor-tls.ts) — each line says what to fix. A resource is 'ok' only when it is usable
// now; one the run sets up itself (a veth pair created when run as root) is 'not ready', with the fix.

import { existsSync } from 'node:fs';
import './kinds.ts';
import { tlsFindings } from './doctor-tls.ts';
import { loadBenchFile } from './load.ts';
import { resourceKind } from './registry.ts';
import { ALLURE_BIN, javaVersion } from '../reports/generate.ts';
import { CHROMIUM_PATH } from '../reports/report-check.ts';

export interface Finding {
  /** false: the run cannot work until this is fixed. */
  ok: boolean;
  /** false: usable, but not set up yet (the run sets it up itself where it can). */
  ready?: boolean;
  what: string;
  detail: string;
  fix?: string;
}

export type FindingStatus = 'ok' | 'not ready' | 'FIX';

/** ok only when nothing is left to do: a finding that is not set up yet, or says it is not up, is not ready. */
export function statusOf(f: Finding): FindingStatus {
  if (!f.ok) return 'FIX';
  return f.ready === false || /\bnot (up|ready)\b/.test(f.detail) ? 'not ready' : 'ok';
}

/** Print the findings (or one JSON document); true when nothing must be fixed. */
export async function doctor(benchFile: string, print: (line: string) => void, opts: { json?: boolean } = {}): Promise<boolean> {
  const findings = await doctorFindings(benchFile);
  const bad = findings.filter((f) => statusOf(f) === 'FIX').length;
  const notReady = findings.filter((f) => statusOf(f) === 'not ready').length;
  if (opts.json) {
    const rows = findings.map((f) => ({
      status: statusOf(f),
      what: f.what,
      detail: f.detail,
      ...(f.fix && statusOf(f) !== 'ok' ? { fix: f.fix } : {}),
    }));
    print(JSON.stringify({ ready: bad === 0 && notReady === 0, toFix: bad, notReady, findings: rows }, null, 2));
    return bad === 0;
  }
  for (const f of findings) {
    const status = statusOf(f);
    const detail = f.detail.replace(/\n/g, '\n            ');
    print(`${status.padEnd(9)}  ${f.what}: ${detail}${status !== 'ok' && f.fix ? `  → ${f.fix}` : ''}`);
  }
  const summary = [bad ? `${bad} thing(s) to fix` : '', notReady ? `${notReady} not ready (the run sets them up itself where it can)` : ''];
  print(summary.filter(Boolean).join(', ') || 'all good');
  return bad === 0;
}

export async function doctorFindings(benchFile: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  findings.push({
    ok: major > 20 || (major === 20 && minor >= 19),
    what: 'Node.js',
    detail: process.version,
    fix: 'install Node.js 20.19 or newer',
  });
  const java = javaVersion();
  findings.push({ ok: !!java, what: 'Java (HTML report)', detail: java ?? 'not found', fix: 'apt-get install -y default-jre-headless' });
  findings.push({
    ok: existsSync(ALLURE_BIN),
    what: 'allure-commandline',
    detail: existsSync(ALLURE_BIN) ? ALLURE_BIN : 'missing',
    fix: 'npm ci',
  });
  findings.push({
    ok: existsSync(CHROMIUM_PATH),
    what: 'Chromium (report check)',
    detail: existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : 'not found',
    fix: 'apt-get install -y chromium',
  });
  try {
    const bench = loadBenchFile(benchFile);
    findings.push({
      ok: true,
      what: 'bench file',
      detail: `${bench.file}: '${bench.name}', ${Object.keys(bench.resources).length} resources`,
    });
    for (const [name, r] of Object.entries(bench.resources)) {
      const kind = resourceKind(r.kind)!;
      if (!kind.checkReachable) {
        findings.push({
          ok: true,
          what: `resource ${name} (${r.kind})`,
          detail: 'no reachability check for this kind; it is checked when the bench opens',
        });
        continue;
      }
      try {
        const { kind: _k, ...settings } = r;
        const res = await kind.checkReachable(name, settings, bench);
        // A kind that is usable but still names a fix (a veth pair the run creates) is not ready yet.
        findings.push({ ok: res.ok, ready: !res.fix, what: `resource ${name} (${r.kind})`, detail: res.detail, fix: res.fix });
      } catch (e) {
        findings.push({ ok: false, what: `resource ${name} (${r.kind})`, detail: (e as Error).message });
      }
    }
    findings.push(...(await tlsFindings(bench)));
  } catch (e) {
    findings.push({ ok: false, what: 'bench file', detail: (e as Error).message, fix: 'fix the bench file at the line shown' });
  }
  return findings;
}
