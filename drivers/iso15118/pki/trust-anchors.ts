// Trust anchors: the roots one end accepts the other's chain from (the vehicle: V2G roots; the charger:
// the OEM or other roots it verifies the vehicle with). Given as PEM files or folders in the bench file.

import type { X509Certificate } from 'node:crypto';
import { checkValidity, expandPemPaths, readCertificates, subjectLine, TlsMaterialError } from './certificate-files.ts';

export interface TrustAnchor {
  cert: X509Certificate;
  /** The file it came from (Node reads the anchors from these files). */
  file: string;
}

/** Load and check the anchors behind `paths`: each must be a CA certificate, self-signed, valid at `at`. */
export function loadTrustAnchors(paths: string[], at: Date): TrustAnchor[] {
  const anchors: TrustAnchor[] = [];
  for (const file of expandPemPaths(paths)) {
    for (const cert of readCertificates(file)) {
      if (!cert.ca) throw new TlsMaterialError(`'${subjectLine(cert)}' is not a CA certificate, so it cannot be a trust anchor`, file);
      checkValidity(cert, at, file);
      anchors.push({ cert, file });
    }
  }
  return anchors;
}

/** The anchor `chain` (leaf first) leads to, if any: its top is an anchor or is signed by one. */
export function anchorOf(chain: X509Certificate[], anchors: TrustAnchor[]): TrustAnchor | undefined {
  const top = chain[chain.length - 1];
  return anchors.find((a) => a.cert.fingerprint256 === top.fingerprint256 || (top.checkIssued(a.cert) && top.verify(a.cert.publicKey)));
}

/** The distinct files of a list of anchors, for Node's `ca` option. */
export function anchorFiles(anchors: TrustAnchor[]): string[] {
  return [...new Set(anchors.map((a) => a.file))];
}
