// Our own verdict on the charger's TLS chain: does it lead to the V2G root? The TLS handshake may have
// trusted more anchors (a lab setting that lets other tests run against a charger with a test chain);
// this check is what the handshake suite judges, against the V2G root alone.

import { X509Certificate } from 'node:crypto';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { readCertificates, subjectLine } from '../pki/certificate-files.ts';

export interface ChainVerdict {
  rootedInV2gRoot: boolean;
  /** Subjects as received, leaf first. */
  chain: string[];
  detail: string;
}

/** `v2gRootFiles`: the PEM file(s) of the V2G root(s) the bench trusts (a lab may have more than one). */
export function verifyServerChain(socket: TLSSocket, v2gRootFiles: string | string[]): ChainVerdict {
  const roots = [v2gRootFiles].flat().flatMap((f) => readCertificates(f));
  const certs: X509Certificate[] = [];
  let c = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    certs.push(new X509Certificate(new Uint8Array(c.raw)));
    c = c.issuerCertificate;
  }
  const chain = certs.map((x) => x.subject.replace(/\n/g, ', '));
  if (certs.length === 0) return { rootedInV2gRoot: false, chain, detail: 'the charger presented no certificate' };
  for (let i = 0; i + 1 < certs.length; i++) {
    if (certs[i].fingerprint256 === certs[i + 1].fingerprint256) break;
    if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey))
      return { rootedInV2gRoot: false, chain, detail: `certificate ${i} (${chain[i]}) is not signed by the next one (${chain[i + 1]})` };
  }
  const top = certs[certs.length - 1];
  const ends = roots.find((r) => top.fingerprint256 === r.fingerprint256);
  if (ends) return { rootedInV2gRoot: true, chain, detail: `chain ends in the V2G root (${subjectLine(ends)})` };
  const signer = roots.find((r) => top.checkIssued(r) && top.verify(r.publicKey));
  if (signer) return { rootedInV2gRoot: true, chain, detail: `top of the chain is signed by the V2G root (${subjectLine(signer)})` };
  const known = roots.map(subjectLine).join('; ');
  return {
    rootedInV2gRoot: false,
    chain,
    detail: `top of the chain (${chain[chain.length - 1]}) is not issued by a V2G root the bench trusts (${known})`,
  };
}
