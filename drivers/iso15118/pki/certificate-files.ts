// Reading certificates a lab hands us: PEM files, or folders of them, each certificate checked for being
// a certificate and being valid now. Every problem is a TlsMaterialError naming the file and what is wrong,
// raised when the bench opens — never halfway through a TLS handshake.

import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';

/** A certificate, key or PKCS#12 file (or folder) the bench names cannot be used. */
export class TlsMaterialError extends InputError {
  override name = 'TlsMaterialError';
  constructor(
    /** What is wrong, e.g. 'expired on 2025-01-01', 'the key does not belong to the certificate'. */
    readonly problem: string,
    /** The file or folder concerned. */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(problem, file, options);
  }
}

/** File suffixes taken from a folder of trust anchors. */
const PEM_SUFFIXES = /\.(pem|crt|cer)$/i;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The files behind a list of paths: each folder becomes its *.pem/*.crt/*.cer files (sorted). */
export function expandPemPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new TlsMaterialError('no such file or folder', p);
    if (!statSync(p).isDirectory()) {
      files.push(p);
      continue;
    }
    const inside = readdirSync(p)
      .filter((f) => PEM_SUFFIXES.test(f))
      .sort()
      .map((f) => join(p, f));
    if (!inside.length) throw new TlsMaterialError('the folder holds no certificate file (*.pem, *.crt, *.cer)', p);
    files.push(...inside);
  }
  return files;
}

/** Every certificate in a PEM file, in file order. */
export function readCertificates(file: string): X509Certificate[] {
  if (!existsSync(file)) throw new TlsMaterialError('no such file', file);
  return parseCertificates(readFileSync(file, 'latin1'), file);
}

/** Every certificate in PEM text (`where` names its origin in errors). */
export function parseCertificates(pem: string, where: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (!blocks.length)
    throw new TlsMaterialError('not a PEM certificate file (no BEGIN CERTIFICATE block; DER files must be converted to PEM)', where);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new TlsMaterialError(`certificate ${i + 1} cannot be parsed (${(e as Error).message})`, where, { cause: e });
    }
  });
}

/** Refuse a certificate outside its validity period at `at`. */
export function checkValidity(cert: X509Certificate, at: Date, file: string): void {
  if (new Date(cert.validTo) < at)
    throw new TlsMaterialError(`certificate '${subjectLine(cert)}' expired on ${isoDate(cert.validTo)}`, file);
  if (new Date(cert.validFrom) > at)
    throw new TlsMaterialError(`certificate '${subjectLine(cert)}' is not valid before ${isoDate(cert.validFrom)}`, file);
}

/** The subject on one line ('CN=…, O=…'). */
export function subjectLine(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

/** What an operator compares with what the charger shows: subject, SHA-256 fingerprint, end of validity. */
export interface CertificateSummary {
  subject: string;
  sha256: string;
  validTo: string;
  file: string;
}

export function summarize(cert: X509Certificate, file: string): CertificateSummary {
  return { subject: subjectLine(cert), sha256: cert.fingerprint256, validTo: isoDate(cert.validTo), file };
}

function isoDate(openssl: string): string {
  const d = new Date(openssl);
  return Number.isNaN(d.getTime()) ? openssl : d.toISOString().slice(0, 10);
}
