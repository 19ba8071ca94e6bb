// The emulated charger's TLS server settings: the bench's PKI when it has one (its SECC chain + key and
// the roots it verifies the vehicle with), else the generated test PKI. The fault 'tls-untrusted-chain'
// swaps in the test PKI's foreign chain, which no V2G root vouches for.

import { ensureTestPki } from '../test-pki.ts';
import type { TlsServerSettings } from '../tls-policy.ts';
import type { TlsEndMaterial } from './bench-tls.ts';
import { anchorFiles } from './trust-anchors.ts';

export interface ChargerTlsChoice {
  /** Serve a chain not rooted in any V2G root (fault). */
  untrustedChain?: boolean;
  /** Send a CertificateRequest (false = fault 'accepts-no-client-cert'). */
  requestClientCertificate?: boolean;
}

export async function chargerServerTls(bench: TlsEndMaterial | undefined, o: ChargerTlsChoice): Promise<TlsServerSettings> {
  const pki = bench && !o.untrustedChain ? undefined : await ensureTestPki();
  const own = o.untrustedChain ? pki!.foreignSecc : pki?.secc;
  return {
    identity: own ? { chainFile: own.chain, keyFile: own.key } : bench!.identity.tls,
    trustedRootFiles: bench ? anchorFiles(bench.anchors) : [pki!.oemRootCert],
    requestClientCertificate: o.requestClientCertificate,
  };
}
