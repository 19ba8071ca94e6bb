// One end's TLS identity from the bench file: a PEM chain + key, or a PKCS#12 bundle, with its passphrase
// taken from an environment variable the bench names (the secret never sits in the bench file). Checked
// when the bench opens: the key belongs to the leaf, the chain is in order, every certificate is valid.

import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { TlsIdentity } from '../tls-policy.ts';
import { checkValidity, parseCertificates, readCertificates, subjectLine, TlsMaterialError } from './certificate-files.ts';
import { openPkcs12 } from './pkcs12.ts';

/** The identity as a bench file gives it (paths already resolved against the bench file's folder). */
export type IdentitySpec = { chain: string; key: string; passphraseEnv?: string } | { pkcs12: string; passphraseEnv?: string };

export interface LoadedIdentity {
  /** What the TLS layer is given. */
  tls: TlsIdentity;
  /** Leaf first, then its sub-CAs as sent on the wire. */
  chain: X509Certificate[];
  /** The file the chain came from (for messages and doctor). */
  file: string;
}

export async function loadIdentity(spec: IdentitySpec, at: Date, env: NodeJS.ProcessEnv = process.env): Promise<LoadedIdentity> {
  // Files first: a missing file is the likelier mistake than a missing passphrase variable.
  for (const f of 'pkcs12' in spec ? [spec.pkcs12] : [spec.chain, spec.key])
    if (!existsSync(f)) throw new TlsMaterialError('no such file', f);
  const passphrase = passphraseFrom(spec, env);
  if ('pkcs12' in spec) {
    const { certificatesPem, keyPem } = await openPkcs12(spec.pkcs12, passphrase ?? '');
    const key = privateKey(keyPem, undefined, spec.pkcs12);
    const chain = leafFirst(parseCertificates(certificatesPem, spec.pkcs12), key, spec.pkcs12);
    checkChain(chain, at, spec.pkcs12);
    return { tls: { pkcs12File: spec.pkcs12, passphrase }, chain, file: spec.pkcs12 };
  }
  const chain = readCertificates(spec.chain);
  const key = privateKey(readFileSync(spec.key, 'latin1'), passphrase, spec.key);
  if (!chain[0].checkPrivateKey(key))
    throw new TlsMaterialError(
      `the key does not belong to the first certificate of ${spec.chain} ('${subjectLine(chain[0])}'); the leaf must come first`,
      spec.key,
    );
  checkChain(chain, at, spec.chain);
  return { tls: { chainFile: spec.chain, keyFile: spec.key, passphrase }, chain, file: spec.chain };
}

function passphraseFrom(spec: IdentitySpec, env: NodeJS.ProcessEnv): string | undefined {
  if (!spec.passphraseEnv) return undefined;
  const value = env[spec.passphraseEnv];
  const file = 'pkcs12' in spec ? spec.pkcs12 : spec.key;
  if (value === undefined)
    throw new TlsMaterialError(`the passphrase variable ${spec.passphraseEnv} (passphraseEnv) is not set in the environment`, file);
  return value;
}

function privateKey(pem: string, passphrase: string | undefined, file: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw new TlsMaterialError('not a PEM private key file (no BEGIN … PRIVATE KEY block)', file);
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (e) {
    const encrypted = /ENCRYPTED/.test(pem);
    const why = encrypted
      ? passphrase === undefined
        ? 'the key is encrypted: name its passphrase variable in passphraseEnv'
        : 'wrong passphrase for this key'
      : (e as Error).message;
    throw new TlsMaterialError(why, file, { cause: e });
  }
}

/** A bundle's certificates ordered leaf (the key's certificate) first, then each issuer found in the bundle. */
function leafFirst(certs: X509Certificate[], key: KeyObject, file: string): X509Certificate[] {
  const leaf = certs.find((c) => c.checkPrivateKey(key));
  if (!leaf) throw new TlsMaterialError('no certificate in the bundle belongs to its private key', file);
  const chain = [leaf];
  for (let cur = leaf; ;) {
    const issuer = certs.find((c) => !chain.includes(c) && cur.checkIssued(c) && cur.verify(c.publicKey));
    if (!issuer) break;
    chain.push(issuer);
    cur = issuer;
  }
  return chain;
}

/** Each certificate valid now and signed by the next one (the order TLS sends them in). */
function checkChain(chain: X509Certificate[], at: Date, file: string): void {
  for (const c of chain) checkValidity(c, at, file);
  for (let i = 0; i + 1 < chain.length; i++) {
    if (chain[i].checkIssued(chain[i + 1]) && chain[i].verify(chain[i + 1].publicKey)) continue;
    const [cert, next] = [subjectLine(chain[i]), subjectLine(chain[i + 1])];
    const problem = `certificate ${i + 1} ('${cert}') is not issued by certificate ${i + 2} ('${next}'); order the chain leaf first`;
    throw new TlsMaterialError(problem, file);
  }
}
