// `mcs-hil bundle` + `mcs-hil verify`: a signed bundle round-trips with every verdict re-judged equal; a
// flipped byte in any file, a verdict edited in the results, a trace edited and re-hashed, and a trace
// edited and re-signed by someone holding the key are each detected.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from '../../reports/bundle.ts';
import { readTarGz, writeTarGz } from '../../reports/bundle-tar.ts';
import { verifyBundle } from '../../reports/bundle-verify.ts';
import { MANIFEST, manifestBytes, sha256, SIGNATURE, SIGNER, signManifest, u8, type Manifest } from '../../reports/manifest.ts';
import { InputError } from '../../drivers/core/errors.ts';
import '../../suites/support/gbt27930-offline.ts';
import { syntheticRun } from './synthetic-run.ts';

const work = mkdtempSync(join(tmpdir(), 'mcs-hil-bundle-test-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyFile = join(work, 'lab.key');
const pubFile = join(work, 'lab.pub');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }) as string);

const TESTS = [
  { recording: 'seq-clean.log', title: 'in order' },
  { recording: 'seq-cml-before-bcp.log', title: 'with CML before BCP' },
];

/** Rewrite one file of a bundle; rehash: update its manifest entry; resign: sign the new manifest with the lab key. */
function tamper(
  bundle: string,
  out: string,
  path: string,
  edit: (b: Buffer) => Buffer,
  o: { rehash?: boolean; resign?: boolean } = {},
): string {
  const entries = readTarGz(readFileSync(bundle), bundle);
  const e = entries.find((x) => x.path === path)!;
  e.data = edit(e.data);
  if (o.rehash || o.resign) {
    const m = entries.find((x) => x.path === MANIFEST)!;
    const manifest = JSON.parse(m.data.toString()) as Manifest;
    const f = manifest.files.find((x) => x.path === path)!;
    f.sha256 = sha256(e.data);
    f.bytes = e.data.length;
    m.data = manifestBytes(manifest);
    if (o.resign) {
      entries.find((x) => x.path === SIGNATURE)!.data = Buffer.from(u8(sign(null, u8(m.data), privateKey)));
    }
  }
  writeFileSync(out, u8(writeTarGz(entries, 0)));
  return out;
}

describe('bundle and verify', function () {
  let bundle = '';
  let manifest: Manifest;

  before(async function () {
    const run = syntheticRun(TESTS);
    bundle = (await buildBundle({ runDir: run, out: join(work, 'run.tar.gz'), sign: keyFile, noPdf: true })).file;
    manifest = JSON.parse(
      readTarGz(readFileSync(bundle), bundle)
        .find((e) => e.path === MANIFEST)!
        .data.toString(),
    ) as Manifest;
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('round-trips: every file hashed, the signature valid by the trusted key, every verdict re-judged equal', async () => {
    const paths = manifest.files.map((f) => f.path);
    expect(paths).to.include.members([
      'evidence/timeline.jsonl',
      'report/index.html',
      'summary/pctr.html',
      'summary/pctr.json',
      'OMITTED.txt',
    ]);
    const v = await verifyBundle(bundle, { trust: pubFile });
    expect(v.ok, v.lines.join('\n')).to.equal(true);
    expect(v.lines.join('\n')).to.match(/signature: VALID by the trusted ed25519 key/);
    expect(v.rejudged.map((r) => [r.recorded, r.derived, r.basis])).to.deep.equal([
      ['passed', 'passed', 'offline re-derivation'],
      ['failed', 'failed', 'offline re-derivation'],
    ]);
  });

  it('a flipped byte in any file is detected', async () => {
    for (const f of manifest.files) {
      const out = tamper(bundle, join(work, 'flipped.tar.gz'), f.path, (b) => {
        const c = Buffer.from(u8(b));
        c[c.length >> 1] ^= 0x01;
        return c;
      });
      const v = await verifyBundle(out, { trust: pubFile });
      expect(v.ok, f.path).to.equal(false);
      expect(v.lines.join('\n')).to.include(`${f.path}: SHA-256 differs from the manifest`);
    }
  });

  it('a trace edited and re-hashed is detected by the signature', async () => {
    const out = tamper(
      bundle,
      join(work, 'rehashed.tar.gz'),
      'evidence/timeline.jsonl',
      (b) => Buffer.from(b.toString().replace('"code":"CML"', '"code":"CTS"')),
      { rehash: true },
    );
    const v = await verifyBundle(out, { trust: pubFile });
    expect(v.ok).to.equal(false);
    expect(v.lines.join('\n')).to.match(/FAIL signature: INVALID/);
  });

  it('a verdict edited in the results (and the bundle re-signed) is detected by the re-judge', async () => {
    const results = manifest.files.map((f) => f.path).filter((p) => p.endsWith('-result.json'));
    const failed = results.find((p) => entryText(bundle, p).includes('"status":"failed"'))!;
    const edit = (b: Buffer) => Buffer.from(b.toString().replace('"status":"failed"', '"status":"passed"'));
    const out = tamper(bundle, join(work, 'verdict.tar.gz'), failed, edit, { resign: true });
    const v = await verifyBundle(out, { trust: pubFile });
    expect(v.ok).to.equal(false);
    expect(v.lines.join('\n')).to.match(/verdict: results say passed, re-judged failed/);
  });

  it('a trace edited and re-signed with the lab key is caught by the offline re-derivation', async () => {
    // Drop the charger's first CRM(0xAA) from the trace: BRM → CRM(0xAA) no longer comes out as recorded.
    const edit = (b: Buffer) => dropFirst(b, '"recognition":170');
    const out = tamper(bundle, join(work, 'resigned.tar.gz'), 'evidence/timeline.jsonl', edit, { resign: true });
    const v = await verifyBundle(out, { trust: pubFile });
    expect(v.lines.join('\n')).to.match(/signature: VALID/);
    expect(v.ok, v.lines.join('\n')).to.equal(false);
    expect(v.lines.join('\n')).to.match(/BRM → CRM\(0xAA\): recorded [\d.]+, re-derived \S+/);
  });

  it('an unsigned bundle does not verify; a signature checked only against its own key says it is not trusted', async () => {
    const entries = readTarGz(readFileSync(bundle), bundle).filter((e) => e.path !== SIGNATURE && e.path !== SIGNER);
    const unsigned = join(work, 'unsigned.tar.gz');
    writeFileSync(unsigned, u8(writeTarGz(entries, 0)));
    const v = await verifyBundle(unsigned);
    expect(v.ok).to.equal(false);
    expect(v.lines.join('\n')).to.match(/signature: MISSING/);
    const own = await verifyBundle(bundle);
    expect(own.lines.join('\n')).to.match(/NOT TRUSTED: give --pubkey or --cert/);
  });

  it('signs with an X.509 certificate and verifies against it', async () => {
    const key = join(work, 'x509.key');
    const cert = join(work, 'x509.pem');
    const subj = '/CN=mcs-hil test lab';
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', subj], {
      stdio: 'ignore',
    });
    const entries = readTarGz(readFileSync(bundle), bundle);
    const s = signManifest(entries.find((e) => e.path === MANIFEST)!.data, key, cert);
    entries.find((e) => e.path === SIGNATURE)!.data = s.signature;
    entries.find((e) => e.path === SIGNER)!.data = Buffer.from(s.signer);
    const out = join(work, 'x509.tar.gz');
    writeFileSync(out, u8(writeTarGz(entries, 0)));
    const v = await verifyBundle(out, { trust: cert });
    expect(v.ok, v.lines.join('\n')).to.equal(true);
    expect(v.lines.join('\n')).to.match(/VALID by the trusted certificate CN=mcs-hil test lab/);
    expect((await verifyBundle(out, { trust: pubFile })).lines.join('\n')).to.match(/signature: INVALID/);
  });

  it('bad input: a file that is no bundle is a typed error', async () => {
    const junk = join(work, 'junk.tar.gz');
    writeFileSync(junk, 'not an archive');
    let err: unknown;
    await verifyBundle(junk).catch((e) => (err = e));
    expect(err).to.be.instanceOf(InputError);
  });
});

function entryText(bundle: string, path: string): string {
  return readTarGz(readFileSync(bundle), bundle)
    .find((e) => e.path === path)!
    .data.toString();
}

/** The timeline without the BMS's first received CML (so the order check re-derives differently). */
function dropFirst(b: Buffer, needle: string): Buffer {
  const lines = b.toString().split('\n');
  const i = lines.findIndex((l) => l.includes('"source":"bms"') && l.includes(needle));
  lines.splice(i, 1);
  return Buffer.from(lines.join('\n'));
}
