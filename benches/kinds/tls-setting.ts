// Opening the `tls` setting of a V2G end (the vehicle, or an emulated charger): what it names is loaded
// and checked when the bench opens, so a missing file, a key that does not match, an expired certificate
// or a wrong passphrase stops the bench before any test, naming the bench file, the setting and the file.

import type { X509Certificate } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../drivers/core/errors.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { subjectLine } from '../../drivers/iso15118/pki/certificate-files.ts';
import { resolveTlsSetting, type BenchTlsSetting, type ResolvedTls } from '../../drivers/iso15118/pki/bench-tls.ts';
import { EMULATED_MCS_CHARGER_KIND } from '../../emulator/mcs/charger.ts';
import { BenchFileError } from '../load.ts';
import type { BenchConfig } from '../registry.ts';

export interface OpenTlsOptions {
  /** Validity is checked at this time (default now). */
  at?: Date;
  /** Where to record what was loaded (subjects and fingerprints), so the evidence says which PKI a run used. */
  timeline?: Timeline;
}

export async function openTlsSetting(
  name: string,
  setting: BenchTlsSetting | undefined,
  bench: BenchConfig,
  o: OpenTlsOptions = {},
): Promise<ResolvedTls> {
  const key = `resources.${name}.tls`;
  let resolved: ResolvedTls;
  try {
    resolved = await resolveTlsSetting(setting, { baseDir: dirname(resolve(bench.file)), at: o.at ?? new Date() });
  } catch (e) {
    if (e instanceof InputError) throw new BenchFileError(`'${key}': ${e.message}`, bench.file, undefined, key);
    throw e;
  }
  o.timeline?.record('link', name, { event: 'tls-material', ...materialFacts(resolved) });
  return resolved;
}

function materialFacts(r: ResolvedTls): Record<string, unknown> {
  if (!r.enabled) return { tls: false, reason: r.reason };
  const m = r.material;
  if (!m) return { tls: true, origin: 'generated test PKI' };
  const fact = (c: X509Certificate) => ({ subject: subjectLine(c), sha256: c.fingerprint256, validTo: c.validTo });
  return {
    tls: true,
    origin: m.origin,
    trustAnchors: m.anchors.map((a) => ({ ...fact(a.cert), file: a.file })),
    certificate: { ...fact(m.identity.chain[0]), file: m.identity.file },
    peerShouldTrust: m.peerShouldTrust.map((a) => fact(a.cert)),
  };
}

/**
 * The NSS key log's default: on when the charger is our emulator (its sessions hold no secret worth
 * keeping), off on a physical bench, where the session secrets would end up in the evidence.
 */
export function keylogByDefault(bench: BenchConfig): boolean {
  return Object.values(bench.resources).some((r) => r.kind === EMULATED_MCS_CHARGER_KIND);
}
