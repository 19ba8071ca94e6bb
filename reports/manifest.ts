// MANIFEST.json of a reviewer bundle: the SHA-256 of every file, and a detached signature over the
// manifest's exact bytes with the lab's key (Ed25519 PEM, or any key node:crypto signs with, optionally
// with its X.509 certificate). A changed file breaks its hash; a changed file re-hashed breaks the signature.

import { createHash, createPrivateKey, createPublicKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../drivers/core/errors.ts';

export const MANIFEST = 'MANIFEST.json';
export const SIGNATURE = 'MANIFEST.json.sig';
/** The signer's public key (or certificate) travels with the bundle; trust comes from the one given to verify. */
export const SIGNER = 'MANIFEST.signer.pem';

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
  /** Why the file is here: raw evidence, the report, the summary. */
  role: 'evidence' | 'report' | 'summary';
  note?: string;
}

export interface Manifest {
  format: 'mcs-hil-bundle/1';
  run: string;
  created: string;
  harness: string;
  files: ManifestFile[];
}

/** A Buffer as the plain Uint8Array node's typings (@types/node 20.9 under TS 5.9) ask for. */
export function u8(b: Buffer | Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(u8(data)).digest('hex');
}

export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n');
}

/** Ed25519/Ed448 sign the message itself; RSA and EC keys sign its SHA-256. */
function algorithmFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
}

export function signManifest(bytes: Buffer, keyFile: string, certFile?: string): { signature: Buffer; signer: string } {
  const keyPem = readPem(keyFile, 'signing key');
  let signature: Buffer;
  try {
    const pub = createPublicKey(keyPem);
    signature = sign(algorithmFor(pub), u8(bytes), keyPem);
  } catch (e) {
    throw new InputError(`${keyFile}: not a usable private key (${(e as Error).message})`);
  }
  const signer = certFile ? readPem(certFile, 'certificate') : (createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }) as string);
  if (certFile && !new X509Certificate(signer).checkPrivateKey(createPrivateKey(keyPem))) {
    throw new UsageError(`${certFile} does not belong to the key ${keyFile}`);
  }
  return { signature, signer };
}

export interface SignatureCheck {
  ok: boolean;
  /** Whom the signature was checked against: the trusted key/cert given, or only the one in the bundle. */
  trusted: boolean;
  line: string;
}

/** Check the detached signature; `trust` is the public key or certificate PEM file the reviewer trusts. */
export function checkSignature(
  bytes: Buffer,
  signature: Buffer | undefined,
  bundledSigner: string | undefined,
  trust?: string,
): SignatureCheck {
  if (!signature) return { ok: false, trusted: false, line: 'signature: MISSING (the bundle was not signed: bundle --sign KEY)' };
  const pem = trust ? readPem(trust, 'trusted key or certificate') : bundledSigner;
  if (!pem) return { ok: false, trusted: false, line: 'signature: no signer key in the bundle and none given (--pubkey/--cert)' };
  let key: KeyObject;
  let who: string;
  try {
    if (pem.includes('BEGIN CERTIFICATE')) {
      const cert = new X509Certificate(pem);
      key = cert.publicKey;
      who = `certificate ${cert.subject.replace(/\n/g, ', ')} (SHA-256 ${cert.fingerprint256})`;
    } else {
      key = createPublicKey(pem);
      who = `${key.asymmetricKeyType} key ${sha256(key.export({ type: 'spki', format: 'der' })).slice(0, 16)}…`;
    }
  } catch (e) {
    throw new InputError(`${trust ?? SIGNER}: not a public key or certificate (${(e as Error).message})`);
  }
  const ok = verify(algorithmFor(key), u8(bytes), key, u8(signature));
  const by = trust ? `the trusted ${who}` : `the bundle's own ${who} — NOT TRUSTED: give --pubkey or --cert`;
  return { ok, trusted: !!trust, line: `signature: ${ok ? 'VALID' : 'INVALID'} by ${by}` };
}

function readPem(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new InputError(`${file}: the ${what} is not PEM`);
  return text;
}
