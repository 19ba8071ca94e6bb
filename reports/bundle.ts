// `mcs-hil bundle RUN [--sign KEY] [--out FILE]`: one tar.gz a certification reviewer receives — the raw
// evidence of the run (full-rate data once), the HTML report, the PCTR-style summary (HTML, PDF, JSON),
// and MANIFEST.json with the SHA-256 of every file, signed with the lab's key (detached signature).

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../drivers/core/errors.ts';
import { evidenceFiles, walk, type BundleFile } from './bundle-contents.ts';
import { viewingReport } from './bundle-report.ts';
import { writeTarGz, type TarEntry } from './bundle-tar.ts';
import { u8, MANIFEST, manifestBytes, sha256, SIGNATURE, SIGNER, signManifest, type Manifest } from './manifest.ts';
import { pctrFiles } from './pctr-files.ts';
import { harnessVersion } from './run-metadata.ts';

export interface BundleOptions {
  runDir: string;
  /** Archive path; default <runDir>.tar.gz beside the run folder. */
  out?: string;
  /** PEM private key to sign the manifest with. */
  sign?: string;
  /** PEM X.509 certificate of that key (put in the bundle instead of the bare public key). */
  cert?: string;
  /** Without the PDF (no Chromium), e.g. in a quick test. */
  noPdf?: boolean;
}

export interface BundleResult {
  file: string;
  bytes: number;
  runBytes: number;
  files: number;
  omitted: string[];
  signed: boolean;
}

export async function buildBundle(o: BundleOptions): Promise<BundleResult> {
  const runDir = resolve(o.runDir);
  if (!existsSync(join(runDir, 'allure-results')) || !existsSync(join(runDir, 'timeline.jsonl'))) {
    throw new UsageError(`${runDir} is not a run folder (it needs allure-results/ and timeline.jsonl)`);
  }
  const { files: evidence, omitted } = evidenceFiles(runDir);
  const report: BundleFile = { path: 'report/index.html', data: viewingReport(runDir), role: 'report', note: 'Allure single-file report' };
  const summary = await pctrFiles(runDir, { pdf: !o.noPdf });
  const listing: BundleFile = {
    path: 'OMITTED.txt',
    data: Buffer.from(omittedText(omitted)),
    role: 'summary',
    note: 'run-folder files left out, and why',
  };
  const files = [...evidence, report, ...summary, listing];
  const manifest: Manifest = {
    format: 'mcs-hil-bundle/1',
    run: basename(runDir),
    created: new Date().toISOString(),
    harness: harnessVersion(),
    files: files.map((f) => ({
      path: f.path,
      sha256: sha256(f.data),
      bytes: f.data.length,
      role: f.role,
      ...(f.note ? { note: f.note } : {}),
    })),
  };
  const bytes = manifestBytes(manifest);
  const entries: TarEntry[] = [{ path: MANIFEST, data: bytes }];
  if (o.sign) {
    const s = signManifest(bytes, o.sign, o.cert);
    entries.push({ path: SIGNATURE, data: s.signature }, { path: SIGNER, data: Buffer.from(s.signer) });
  }
  for (const f of files) entries.push({ path: f.path, data: f.data });
  const out = resolve(o.out ?? `${runDir}.tar.gz`);
  const archive = writeTarGz(entries, Date.now() / 1000);
  writeFileSync(out, u8(archive));
  return { file: out, bytes: archive.length, runBytes: folderBytes(runDir), files: files.length, omitted, signed: !!o.sign };
}

function omittedText(omitted: string[]): string {
  return (
    '# Files of the run folder not copied into this bundle, and why (their data is in it once, at full rate).\n' +
    omitted.map((l) => `${l}\n`).join('')
  );
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const f of walk(dir)) n += statSync(f).size;
  return n;
}
