// What TLS the V2G link speaks, for both ends: TLS 1.3 only, the two cipher suites of ISO 15118-20, the
// key exchange groups, the trust anchors and identities (PEM files or PKCS#12), and the NSS key log.
// The client (v2g-client.ts) and the server (v2g-server.ts) build their Node TLS options here, so the
// policy lives in one place.

import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type tls from 'node:tls';

/** The two TLS 1.3 cipher suites of ISO 15118-20 ([V2G20-2458], Table 6; reference §2.4). */
export const ISO15118_20_CIPHER_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
/** Key exchange groups offered: X448 and secp521r1 as the standard names them, X25519 first avoids a HelloRetryRequest. */
export const ISO15118_20_GROUPS = 'X25519:X448:secp521r1:P-384:P-256';

/** A TLS identity: a PEM chain (leaf first, then its sub-CAs) with its key, or a PKCS#12 bundle. */
export type TlsIdentity = PemIdentity | Pkcs12Identity;

export interface PemIdentity {
  chainFile: string;
  keyFile: string;
  /** For an encrypted PEM key. */
  passphrase?: string;
}

export interface Pkcs12Identity {
  pkcs12File: string;
  passphrase?: string;
}

/** The version, suites and groups of one standard's TLS (default: ISO 15118-20's TLS 1.3; -2 passes its TLS 1.2 profile). */
export interface TlsVersionProfile {
  version: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher string (TLS 1.2 suites) or TLS 1.3 suite names. */
  ciphers: readonly string[];
  groups: string;
}

export interface TlsClientSettings {
  /** Default the -20 TLS 1.3 profile. */
  profile?: TlsVersionProfile;
  /** PEM file(s) of the trust anchors for the charger's chain (the V2G root). */
  trustedRootFiles: string[];
  /** Our client identity (the OEM provisioning chain); omit to offer no client certificate (negative test). */
  identity?: TlsIdentity;
  /** Default ISO15118_20_CIPHER_SUITES; override only for negative tests. */
  cipherSuites?: readonly string[];
}

export interface TlsServerSettings {
  /** Default the -20 TLS 1.3 profile. */
  profile?: TlsVersionProfile;
  identity: TlsIdentity;
  /** Anchors for the vehicle's chain (the OEM root). */
  trustedRootFiles: string[];
  /** Send a CertificateRequest. Default true ([V2G20-2400]); false = fault 'accepts-no-client-cert'. */
  requestClientCertificate?: boolean;
  /** Fail the handshake without a valid client chain. Default true; false accepts any or none. */
  requireClientCertificate?: boolean;
  cipherSuites?: readonly string[];
}

/** Options common to both ends: one TLS version (1.3 unless a profile says), the standard's suites and groups, our anchors. */
function commonOptions(
  cipherSuites: readonly string[] | undefined,
  trustedRootFiles: string[],
  profile?: TlsVersionProfile,
): tls.SecureContextOptions {
  return {
    minVersion: profile?.version ?? 'TLSv1.3',
    maxVersion: profile?.version ?? 'TLSv1.3',
    ciphers: (cipherSuites ?? profile?.ciphers ?? ISO15118_20_CIPHER_SUITES).join(':'),
    ecdhCurve: profile?.groups ?? ISO15118_20_GROUPS,
    ca: trustedRootFiles.map((f) => readFileSync(f)),
  };
}

function identityOptions(id: TlsIdentity): tls.SecureContextOptions {
  if ('pkcs12File' in id) return { pfx: readFileSync(id.pkcs12File), passphrase: id.passphrase };
  return { cert: readFileSync(id.chainFile), key: readFileSync(id.keyFile), passphrase: id.passphrase };
}

export function clientTlsOptions(t: TlsClientSettings): tls.ConnectionOptions {
  return {
    ...commonOptions(t.cipherSuites, t.trustedRootFiles, t.profile),
    ...(t.identity ? identityOptions(t.identity) : {}),
    rejectUnauthorized: true,
    // ISO 15118 identifies the SECC by its chain, not by a host name (it has none on a link-local address).
    checkServerIdentity: () => undefined,
    servername: undefined,
  };
}

export function serverTlsOptions(t: TlsServerSettings): tls.TlsOptions {
  const request = t.requestClientCertificate ?? true;
  return {
    ...commonOptions(t.cipherSuites, t.trustedRootFiles, t.profile),
    ...identityOptions(t.identity),
    requestCert: request,
    rejectUnauthorized: request && (t.requireClientCertificate ?? true),
  };
}

/** Append the session secrets of `emitter` (a TLS socket or server) to `file` in NSS key log format (Wireshark). */
export function writeKeylog(emitter: tls.TLSSocket | tls.Server, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  emitter.on('keylog', (line: Buffer) => appendFileSync(file, line.toString('latin1')));
}
