// The emulated CCS charger's TLS, written from ISO 15118-2 (its own table, not the vehicle's): TLS 1.2 only,
// the -2 cipher suite OpenSSL has, ECDHE on secp256r1 ([V2G2-602], [V2G2-006]), its CPO chain (SECC leaf,
// CPO sub-CA 2, CPO sub-CA 1; the V2G root stays with the vehicle), and no CertificateRequest: -2 TLS
// authenticates the charger only. TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256, the other -2 suite, is not in
// OpenSSL 3 (static ECDH was removed in 1.1.0), so this charger cannot offer it.
// Faults: ccs-tls-weak-cipher, the charger speaks only TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (SHA-1 MAC), no -2
// suite; ccs-tls-untrusted-chain, it presents a chain under a root that is no V2G root.

import { iso2TestPki } from '../../drivers/iso15118/ccs/tls.ts';
import type { TlsServerSettings, TlsVersionProfile } from '../../drivers/iso15118/tls-policy.ts';
import type { FaultSwitch } from '../fault-catalogue.ts';
import { ccsFault } from './faults.ts';

/** OpenSSL's name of TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, the -2 suite this charger offers. */
const ISO2_SUITE = 'ECDHE-ECDSA-AES128-SHA256';
/** Not a -2 suite: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (fault ccs-tls-weak-cipher). */
const WEAK_SUITE = 'ECDHE-ECDSA-AES128-SHA';

export const CCS_TLS_FAULT = { weakCipher: 'ccs-tls-weak-cipher', untrustedChain: 'ccs-tls-untrusted-chain' } as const;

/** The suite's test-case ids (suites/ccs2/handshake-ids.ts) written out: the emulator never imports suites. */
export const CCS_TLS_FAULTS: FaultSwitch[] = [
  ccsFault(
    CCS_TLS_FAULT.weakCipher,
    'protocol violation',
    ['CCS2-ISO2-TLS-001'],
    'offers TLS in SDP but speaks only TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (SHA-1), none of the ISO 15118-2 cipher suites',
    ['ISO 15118-2 TLS version and cipher suite'],
  ),
  ccsFault(
    CCS_TLS_FAULT.untrustedChain,
    'protocol violation',
    ['CCS2-ISO2-TLS-CHAIN-001'],
    'presents a TLS certificate chain (SECC leaf under a foreign root) that does not lead to any V2G root',
    ['SECC certificate chain leads to the V2G root'],
  ),
];

function profile(weak: boolean): TlsVersionProfile {
  return { version: 'TLSv1.2', ciphers: [weak ? WEAK_SUITE : ISO2_SUITE], groups: 'P-256' };
}

/** The charger's TLS server settings from the -2 test PKI (fixtures/pki/recipe-iso2.yaml). */
export async function ccsServerTls(faults: ReadonlySet<string>): Promise<TlsServerSettings> {
  const pki = await iso2TestPki();
  const own = faults.has(CCS_TLS_FAULT.untrustedChain) ? pki.foreignSecc : pki.secc;
  return {
    profile: profile(faults.has(CCS_TLS_FAULT.weakCipher)),
    identity: { chainFile: own.chain, keyFile: own.key },
    trustedRootFiles: [],
    requestClientCertificate: false,
  };
}
