// `mcs-hil doctor`, TLS part: for each V2G end of the bench, what it will trust and present, with the
// SHA-256 fingerprints a charger's operator compares when provisioning the charger (the roots that
// verify our vehicle certificate) and when checking that the charger's chain leads to our V2G roots.

import { summarize, type CertificateSummary } from '../drivers/iso15118/pki/certificate-files.ts';
import { testPkiMaterial, type BenchTlsSetting, type TlsEndMaterial } from '../drivers/iso15118/pki/bench-tls.ts';
import { ensureTestPki } from '../drivers/iso15118/test-pki.ts';
import { ISO15118_EV_KIND } from '../drivers/iso15118/evcc/vehicle.ts';
import { EMULATED_MCS_CHARGER_KIND } from '../emulator/mcs/charger.ts';
import { openTlsSetting } from './kinds/tls-setting.ts';
import type { BenchConfig } from './registry.ts';

export interface TlsFinding {
  ok: boolean;
  what: string;
  detail: string;
  fix?: string;
}

const ROLES: Record<string, 'vehicle' | 'charger'> = { [ISO15118_EV_KIND]: 'vehicle', [EMULATED_MCS_CHARGER_KIND]: 'charger' };

export async function tlsFindings(bench: BenchConfig, at = new Date()): Promise<TlsFinding[]> {
  const out: TlsFinding[] = [];
  for (const [name, r] of Object.entries(bench.resources)) {
    const role = ROLES[r.kind];
    if (!role || r.memory) continue; // an in-process endpoint has no TLS
    const what = `TLS ${name} (${r.kind})`;
    try {
      const resolved = await openTlsSetting(name, r.tls as BenchTlsSetting | undefined, bench, { at });
      if (!resolved.enabled) {
        out.push({ ok: true, what, detail: `TLS off — not ISO 15118-20 conformant (${resolved.reason})` });
        continue;
      }
      const material = resolved.material ?? (await testPkiMaterial(await ensureTestPki(), role, at));
      out.push(...describe(what, role, material));
    } catch (e) {
      out.push({ ok: false, what, detail: (e as Error).message, fix: "fix the file or the bench's tls setting named above" });
    }
  }
  return out;
}

function describe(what: string, role: 'vehicle' | 'charger', m: TlsEndMaterial): TlsFinding[] {
  const leaf = m.identity.chain[0];
  const trusted = role === 'vehicle' ? 'V2G root the charger chain must lead to' : 'root the vehicle chain must lead to';
  const lines: TlsFinding[] = m.anchors.map((a) => ({ ok: true, what, detail: `${trusted}: ${line(summarize(a.cert, a.file))}` }));
  lines.push({ ok: true, what, detail: `${role} certificate (${m.origin}): ${line(summarize(leaf, m.identity.file))}` });
  if (role === 'vehicle') {
    for (const a of m.peerShouldTrust)
      lines.push({
        ok: true,
        what,
        detail: `give the charger's operator this root to verify the vehicle: ${line(summarize(a.cert, a.file))}`,
      });
    if (!m.peerShouldTrust.length) {
      const top = m.identity.chain[m.identity.chain.length - 1];
      lines.push({
        ok: true,
        what,
        detail: `no chargerTrusts set: the charger needs the root that issued '${top.issuer.split('\n').join(', ')}'`,
      });
    }
  }
  return lines;
}

function line(s: CertificateSummary): string {
  return `'${s.subject}' SHA-256 ${s.sha256} (valid until ${s.validTo}; ${s.file})`;
}
