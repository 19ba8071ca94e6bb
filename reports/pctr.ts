// The PCTR-style summary a certification body expects, built from a run folder alone: the charger's
// identity as declared (bench file) and as reported on the wire, the PICS (protocols, services, control
// modes, ratings: declared vs advertised), every test case with id, clause and verdict, the limits each
// verdict used with their verified flag, and the list of every unverified limit.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readEnvironment, readRecordedTests, verdictOf, type DossierVerdict } from './pctr-results.ts';
import { readWireFacts, type WireFacts } from './pctr-wire.ts';

export interface PctrLimit {
  measurement: string;
  limit: string;
  clause: string;
  verified: boolean;
  /** How well the public record backs the limit (standard-extract … our-choice), where its profile says. */
  corroborated?: string;
  outcome: string;
}

export interface PctrCase {
  testCaseId: string;
  title: string;
  standard?: string;
  clause?: string;
  verdict: DossierVerdict;
  reason?: string;
  limits: PctrLimit[];
}

export interface PicsRow {
  item: string;
  declared: string;
  advertised: string;
  /** 'consistent' | 'differs' | 'not advertised' | 'not declared' */
  status: string;
}

export interface Pctr {
  run: string;
  bench: string;
  harness: string;
  limitProfiles: string[];
  identity: { declared: Record<string, string>; wire: Record<string, string> };
  pics: PicsRow[];
  cases: PctrCase[];
  totals: Record<DossierVerdict, number>;
  unverifiedLimits: { clause: string; limit: string; usedBy: string[] }[];
}

/** Which declared protocol a test case's standard needs (for "not applicable per PICS"). */
function protocolOf(epic: string | undefined): string | undefined {
  if (!epic) return undefined;
  if (/GB\/T/.test(epic)) return 'gbt27930';
  if (/15118|61851-23/.test(epic)) return 'iso15118-20-mcs';
  return undefined;
}

export function buildPctr(runDir: string): Pctr {
  const env = readEnvironment(runDir);
  const tests = readRecordedTests(runDir);
  const wire = readWireFacts(join(runDir, 'timeline.jsonl'));
  wire.identity.firmware ??= 'not on the wire (neither ISO 15118-20 nor GB/T 27930 messages carry it)';
  const declaredProtocols = (env['charger.protocols'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const cases: PctrCase[] = tests.map((t) => {
    const needs = protocolOf(t.epic);
    const applicable = !needs || declaredProtocols.length === 0 || declaredProtocols.includes(needs);
    const verdict: DossierVerdict = !applicable ? 'not applicable' : verdictOf(t);
    return {
      testCaseId: t.testCaseId,
      title: t.fullName.replace(/^[^:]*:[^:]*: /, ''),
      standard: t.epic,
      clause: t.clause,
      verdict,
      reason: verdict === 'pass' ? undefined : !applicable ? `the charger does not declare ${needs}` : t.message?.split('\n')[0],
      limits: t.measurements.map((m) => ({
        measurement: m.name,
        limit: m.validators.join('; '),
        clause: m.clause,
        verified: m.verified,
        corroborated: m.corroborated,
        outcome: m.outcome,
      })),
    };
  });
  cases.push(...notRunCases(runDir));
  const totals = { pass: 0, fail: 0, inconclusive: 0, 'not applicable': 0, 'not run': 0 } as Record<DossierVerdict, number>;
  for (const c of cases) totals[c.verdict]++;
  return {
    run: basename(runDir),
    bench: `${env['bench.name'] ?? '?'} (${env['bench.file'] ?? '?'})`,
    harness: `${env['harness.version'] ?? '?'} @ ${env['harness.commit'] ?? '?'}`,
    limitProfiles: Object.entries(env)
      .filter(([k]) => k.startsWith('limits.used.'))
      .map(([k, v]) => `${k.slice('limits.used.'.length)}: ${v}`),
    identity: { declared: declaredIdentity(env), wire: wire.identity },
    pics: picsRows(env, declaredProtocols, wire),
    cases,
    totals,
    unverifiedLimits: unverified(cases),
  };
}

function declaredIdentity(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^charger\.(\w+) \(bench file\)$/.exec(k);
    if (m) out[m[1]] = v;
  }
  if (!out.firmware) out.firmware = 'not declared (add charger.identity.firmware to the bench file)';
  return out;
}

function picsRows(env: Record<string, string>, declared: string[], wire: WireFacts): PicsRow[] {
  const rows: PicsRow[] = [];
  const row = (item: string, d: string | undefined, a: string | undefined, same?: boolean) =>
    rows.push({
      item,
      declared: d ?? '—',
      advertised: a ?? '—',
      status: d === undefined ? 'not declared' : a === undefined ? 'not advertised' : same === false ? 'differs' : 'consistent',
    });
  for (const p of declared) row(`protocol ${p}`, 'supported', wire.protocols[p], wire.protocols[p] !== undefined);
  for (const p of Object.keys(wire.protocols)) if (!declared.includes(p)) row(`protocol ${p}`, undefined, wire.protocols[p]);
  row('ISO 15118-20 energy services', undefined, wire.services);
  row('ISO 15118-20 control modes', undefined, wire.controlModes);
  const ratings = /([\d.]+) V, ([\d.]+) A, ([\d.]+) kW/.exec(env['charger.ratings'] ?? '');
  const cmp = (item: string, declaredV: number | undefined, advertised: number | undefined, unit: string) =>
    row(
      item,
      declaredV === undefined ? undefined : `${declaredV} ${unit}`,
      advertised === undefined ? undefined : `${advertised} ${unit}`,
      declaredV === undefined || advertised === undefined ? undefined : Math.abs(declaredV - advertised) <= 1e-6 * Math.max(1, declaredV),
    );
  cmp('max voltage (ISO 15118-20 DC_ChargeParameterDiscoveryRes)', ratings ? Number(ratings[1]) : undefined, wire.iso?.maxVoltageV, 'V');
  cmp('max current (ISO 15118-20 DC_ChargeParameterDiscoveryRes)', ratings ? Number(ratings[2]) : undefined, wire.iso?.maxCurrentA, 'A');
  cmp('max power (ISO 15118-20 DC_ChargeParameterDiscoveryRes)', ratings ? Number(ratings[3]) : undefined, wire.iso?.maxPowerKw, 'kW');
  cmp('max voltage (GB/T 27930 CML)', ratings ? Number(ratings[1]) : undefined, wire.gbt?.maxVoltageV, 'V');
  // A GB/T port may be rated below the charger's MCS rating: a lower CML current is shown, not judged here.
  row(
    'max current (GB/T 27930 CML)',
    ratings ? `${ratings[2]} A (charger)` : undefined,
    wire.gbt?.maxCurrentA !== undefined ? `${wire.gbt.maxCurrentA} A` : undefined,
  );
  const last = rows[rows.length - 1];
  if (last.status === 'consistent') last.status = 'shown, not compared (the GB/T port may be rated lower)';
  return rows;
}

function unverified(cases: PctrCase[]): Pctr['unverifiedLimits'] {
  const by = new Map<string, { clause: string; limit: string; usedBy: Set<string> }>();
  for (const c of cases)
    for (const l of c.limits) {
      if (l.verified) continue;
      const key = `${l.clause}\u0000${l.limit}`;
      const e = by.get(key) ?? { clause: l.clause, limit: l.limit, usedBy: new Set<string>() };
      e.usedBy.add(c.testCaseId);
      by.set(key, e);
    }
  return [...by.values()]
    .map((e) => ({ clause: e.clause, limit: e.limit, usedBy: [...e.usedBy] }))
    .sort((a, b) => a.clause.localeCompare(b.clause));
}

/** Tests an interrupted or aborted run never started (summary.json), each as 'not run'. */
function notRunCases(runDir: string): PctrCase[] {
  const file = join(runDir, 'summary.json');
  if (!existsSync(file)) return [];
  const s = JSON.parse(readFileSync(file, 'utf8')) as { notRun?: number; notRunTests?: string[]; stopped?: { reason?: string } };
  const titles = s.notRunTests ?? [];
  const reason = s.stopped?.reason ?? 'the run stopped before it';
  const named = titles.map((title) => ({ testCaseId: '—', title, verdict: 'not run' as const, reason, limits: [] }));
  const unnamed = Math.max(0, (s.notRun ?? 0) - titles.length);
  return unnamed
    ? [...named, { testCaseId: '—', title: `${unnamed} test(s) not named in summary.json`, verdict: 'not run', reason, limits: [] }]
    : named;
}
