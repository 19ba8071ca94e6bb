// ISO 15118-2's TLS as the CCS2 vehicle speaks it: TLS 1.2 only, the -2 cipher suites on secp256r1, the
// charger authenticated by its CPO chain up to the V2G root, the vehicle showing no certificate (-2 TLS is
// server-authenticated; the contract certificate travels in EXI, and this vehicle is EIM only). DIN SPEC
// 70121 has no TLS: a session that may end up DIN never asks for it (see wantsTls).

import { join } from 'node:path';
import { ensureTestPki, PKI_DIR, type PkiPaths } from '../test-pki.ts';
import type { TlsClientSettings, TlsVersionProfile } from '../tls-policy.ts';
import type { OfferedProtocol } from './protocols.ts';

/**
 * The -2 cipher suites ([V2G2-602]; reference §2.4), by their IANA names: what a session's negotiated suite is
 * judged against.
 */
export const ISO15118_2_CIPHER_SUITES = ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256'] as const;

/**
 * What OpenSSL can offer of them: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 is 'ECDHE-ECDSA-AES128-SHA256'.
 * TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 (static ECDH, 'ECDH-ECDSA-AES128-SHA256') is NOT in OpenSSL 3: the
 * static ECDH suites were removed in OpenSSL 1.1.0, so neither end here can offer or accept it. A charger that
 * supports only that suite cannot be reached by this vehicle (the handshake fails with no shared cipher).
 */
export const ISO15118_2_OPENSSL_CIPHERS = ['ECDHE-ECDSA-AES128-SHA256'] as const;

/** TLS 1.2 with the -2 suites OpenSSL has, ECDHE on secp256r1 ([V2G2-006]). */
export const ISO15118_2_TLS: TlsVersionProfile = { version: 'TLSv1.2', ciphers: ISO15118_2_OPENSSL_CIPHERS, groups: 'P-256' };

/** The -2 test PKI's recipe: secp256r1 / SHA-256, V2G root → CPO sub-CA 1 → CPO sub-CA 2 → SECC leaf. */
export const ISO2_PKI_RECIPE = join(PKI_DIR, 'recipe-iso2.yaml');

/** The generated -2 test PKI (built once, like the -20 one, into the git-ignored fixtures/pki/generated/). */
export function iso2TestPki(): Promise<PkiPaths> {
  return ensureTestPki({ recipeFile: ISO2_PKI_RECIPE });
}

/** Is a negotiated suite (Node's standardName, an IANA name) one of the -2 suites? */
export function isIso2CipherSuite(standardName: string | undefined): boolean {
  return (ISO15118_2_CIPHER_SUITES as readonly string[]).includes(standardName ?? '');
}

/**
 * Whether the vehicle asks for TLS in SDP: only when its bench setting says so and the session may run -2
 * (a DIN-only session never uses TLS: DIN SPEC 70121 has none).
 */
export function wantsTls(setting: boolean | undefined, offers: readonly OfferedProtocol[]): boolean {
  return setting === true && offers.includes('iso2');
}

/** Inside TLS the vehicle offers what may run there: not DIN SPEC 70121. */
export function offersOverTls(offers: readonly OfferedProtocol[]): OfferedProtocol[] {
  return offers.filter((p) => p !== 'din');
}

/**
 * The vehicle's client settings: trust the V2G root(s) (a lab's PEM files; default the -2 test PKI's root), no
 * client certificate, TLS 1.2 with the -2 suites.
 */
export async function vehicleIso2Tls(v2gRootFiles?: readonly string[]): Promise<TlsClientSettings> {
  const roots = v2gRootFiles?.length ? [...v2gRootFiles] : [(await iso2TestPki()).v2gRootCert];
  return { profile: ISO15118_2_TLS, trustedRootFiles: roots };
}
