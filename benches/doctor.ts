// `mcs-hil doctor`: is this machine ready to run a bench? Node, Java (report), Chromium (report check),
// the bench file, each resource's reachability, and its TLS material with the fingerprints to give the
// charger's operator (doctor-tls.ts) — each line says what to fix.

import { existsSync } from 'node:fs';
import './kinds.ts';
import { tlsFindings } from './doctor-tls.ts';
import { loadBenchFile } from './load.ts';
import { resourceKind } from './registry.ts';
import { ALLURE_BIN, javaVersion } from '../reports/generate.ts';
import { CHROMIUM_PATH } from '../reports/report-check.ts';

interface Finding {
  ok: boolean;
  what: string;
  detail: string;
  fix?: string;
}

export async function doctor(benchFile: string, print: (line: string) => void): Promise<boolean> {
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
        findings.push({ ok: res.ok, what: `resource ${name} (${r.kind})`, detail: res.detail, fix: res.fix });
      } catch (e) {
        findings.push({ ok: false, what: `resource ${name} (${r.kind})`, detail: (e as Error).message });
      }
    }
    findings.push(...(await tlsFindings(bench)));
  } catch (e) {
    findings.push({ ok: false, what: 'bench file', detail: (e as Error).message, fix: 'fix the bench file at the line shown' });
  }
  for (const f of findings) print(`${f.ok ? 'ok  ' : 'FIX '} ${f.what}: ${f.detail}${!f.ok && f.fix ? `  → ${f.fix}` : ''}`);
  const bad = findings.filter((f) => !f.ok).length;
  print(bad ? `${bad} thing(s) to fix` : 'all good');
  return bad === 0;
}
