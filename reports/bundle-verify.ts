// `mcs-hil verify BUNDLE`: every file against MANIFEST.json (a flipped byte anywhere shows), the detached
// signature over the manifest (a file edited and re-hashed shows), then every verdict re-judged from the
// raw evidence alone (a verdict edited in the results shows), and the summary's verdicts against the results.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError, UsageError } from '../drivers/core/errors.ts';
import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { readTarGz, type TarEntry } from './bundle-tar.ts';
import { checkSignature, MANIFEST, sha256, SIGNATURE, SIGNER, u8, type Manifest } from './manifest.ts';
import { buildPctr, type Pctr } from './pctr.ts';
import { readRecordedTests } from './pctr-results.ts';
import { pairWindows, rejudgeTest, testWindows, type Rejudged } from './rejudge.ts';

export interface VerifyResult {
  ok: boolean;
  lines: string[];
  rejudged: Rejudged[];
}

export async function verifyBundle(file: string, o: { trust?: string } = {}): Promise<VerifyResult> {
  let archive: Buffer;
  try {
    archive = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read the bundle ${file}: ${(e as Error).message}`);
  }
  const entries = new Map<string, Buffer>(readTarGz(archive, file).map((e: TarEntry) => [e.path, e.data]));
  const manifestData = entries.get(MANIFEST);
  if (!manifestData) throw new InputError(`${file} has no ${MANIFEST}: not an mcs-hil bundle`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestData.toString('utf8')) as Manifest;
  } catch (e) {
    throw new InputError(`${file}: ${MANIFEST} is not JSON (${(e as Error).message})`);
  }
  const lines: string[] = [];
  let ok = true;
  const fail = (l: string) => {
    ok = false;
    lines.push(`FAIL ${l}`);
  };

  // 1. Every file as the manifest lists it, and nothing unlisted.
  let hashed = 0;
  for (const f of manifest.files ?? []) {
    const data = entries.get(f.path);
    if (!data) fail(`${f.path}: listed in the manifest, missing from the bundle`);
    else if (sha256(data) !== f.sha256) fail(`${f.path}: SHA-256 differs from the manifest (the file was changed)`);
    else hashed++;
  }
  const listed = new Set((manifest.files ?? []).map((f) => f.path));
  for (const p of entries.keys())
    if (![MANIFEST, SIGNATURE, SIGNER].includes(p) && !listed.has(p)) fail(`${p}: in the bundle but not in the manifest`);
  lines.push(
    `${hashed === manifest.files.length ? 'ok  ' : 'FAIL'} ${hashed} of ${manifest.files.length} files match their SHA-256 in ${MANIFEST}`,
  );

  // 2. The signature over the manifest's exact bytes.
  const sig = checkSignature(manifestData, entries.get(SIGNATURE), entries.get(SIGNER)?.toString('utf8'), o.trust);
  if (sig.ok) lines.push(`ok   ${sig.line}`);
  else fail(sig.line);

  // 3. Every verdict re-judged from the raw evidence; 4. the summary's verdicts against the results.
  const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-verify-'));
  let rejudged: Rejudged[] = [];
  try {
    for (const [p, data] of entries) {
      if (!p.startsWith('evidence/')) continue;
      const out = join(dir, p.slice('evidence/'.length));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, u8(data));
    }
    rejudged = guarded('re-judge', fail, () => rejudgeRun(dir)) ?? [];
    let equal = 0;
    for (const r of rejudged) {
      if (!r.differences.length) {
        equal++;
        continue;
      }
      fail(`${r.testCaseId} '${r.title}' (${r.basis}):`);
      for (const d of r.differences) lines.push(`       ${d}`);
    }
    const offline = rejudged.filter((r) => r.basis === 'offline re-derivation').length;
    lines.push(
      `${equal === rejudged.length && rejudged.length ? 'ok  ' : 'FAIL'} ${equal} of ${rejudged.length} verdicts re-judged equal from the raw data ` +
        `(${offline} re-derived from frames and messages by offline checks, ${rejudged.length - offline} from their recorded values)`,
    );
    const summary = entries.get('summary/pctr.json');
    const diffs = summary
      ? guarded('summary check', fail, () => summaryDifferences(JSON.parse(summary.toString('utf8')) as Pctr, buildPctr(dir)))
      : [];
    for (const l of diffs ?? []) fail(l);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const untrusted = sig.trusted ? '' : ' (the signer was not checked against a key you trust: --pubkey or --cert)';
  lines.push(ok ? `bundle ${manifest.run}: VERIFIED${untrusted}` : `bundle ${manifest.run}: NOT VERIFIED`);
  return { ok, lines, rejudged };
}

/** A damaged file (e.g. JSON cut by a flipped byte) is a verification failure with its reason, never a crash. */
function guarded<T>(what: string, fail: (l: string) => void, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    fail(`${what} could not read the evidence: ${(e as Error).message}`);
    return undefined;
  }
}

/** Re-judge every test of a run folder (or an unpacked bundle's evidence) from its timeline. */
export function rejudgeRun(runDir: string): Rejudged[] {
  const events = readFileSync(join(runDir, 'timeline.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TimelineEvent);
  const tests = readRecordedTests(runDir);
  const windows = pairWindows(tests, testWindows(events));
  return tests.map((t, i) => rejudgeTest(t, windows[i]));
}

function summaryDifferences(bundled: Pctr, rebuilt: Pctr): string[] {
  const key = (p: Pctr) => p.cases.map((c) => `${c.testCaseId}:${c.verdict}`);
  const a = key(bundled);
  const b = key(rebuilt);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) out.push(`summary/pctr.json says ${a[i] ?? 'nothing'}, the results say ${b[i] ?? 'nothing'}`);
  }
  return out;
}
