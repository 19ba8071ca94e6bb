// The `tls` setting of a V2G end in a bench file, and what it resolves to when the bench opens:
//   tls: true                                   TLS 1.3 with the generated test PKI (emulator benches)
//   tls: { enabled: false, reason: "…" }        no TLS, and the bench says why (not ISO 15118-20 conformant)
//   tls: { trustAnchors: [...], certificate: {...}, chargerTrusts: [...] }   a lab's (or real) PKI
// Paths are relative to the bench file. Shared by the vehicle kind and the emulated charger kind.

import { resolve } from 'node:path';
import { InputError } from '../../core/errors.ts';
import type { PkiPaths } from '../test-pki.ts';
import { TlsMaterialError } from './certificate-files.ts';
import { loadIdentity, type IdentitySpec, type LoadedIdentity } from './identity.ts';
import { anchorOf, loadTrustAnchors, type TrustAnchor } from './trust-anchors.ts';

export interface TlsPkiSetting {
  enabled?: true;
  /** PEM files or folders: the roots this end accepts the peer's chain from. */
  trustAnchors: string[];
  /** This end's certificate chain and key. */
  certificate: IdentitySpec;
  /** Vehicle only: the roots the charger must be provisioned with to verify our certificate (doctor prints them). */
  chargerTrusts?: string[];
}

export type BenchTlsSetting = boolean | { enabled: false; reason: string } | TlsPkiSetting;

/** One end's TLS material, loaded and checked. */
export interface TlsEndMaterial {
  anchors: TrustAnchor[];
  identity: LoadedIdentity;
  /** The roots the peer should trust our chain with (empty when the bench does not say). */
  peerShouldTrust: TrustAnchor[];
  /** 'bench PKI' or 'generated test PKI'. */
  origin: string;
}

/** `material` absent = the generated test PKI (built on demand by whoever connects). */
export type ResolvedTls = { enabled: false; reason: string } | { enabled: true; material?: TlsEndMaterial };

export function tlsSettingSchema(role: 'vehicle' | 'charger'): Record<string, unknown> {
  const paths = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } };
  const passphraseEnv = {
    type: 'string',
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    description: 'name of the environment variable holding the passphrase',
  };
  const certificate = {
    description: "this end's certificate chain (leaf first) and key: PEM files, or a PKCS#12 bundle",
    oneOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['chain', 'key'],
        properties: { chain: { type: 'string' }, key: { type: 'string' }, passphraseEnv },
      },
      { type: 'object', additionalProperties: false, required: ['pkcs12'], properties: { pkcs12: { type: 'string' }, passphraseEnv } },
    ],
  };
  const peer = role === 'vehicle' ? 'V2G root(s) the charger chain must lead to' : "root(s) the vehicle's chain must lead to (OEM roots)";
  return {
    description:
      "TLS 1.3: true = the generated test PKI; { enabled: false, reason } = no TLS (not ISO 15118-20 conformant); or the bench's PKI",
    anyOf: [
      {
        const: true,
        description: 'true = the generated test PKI; without TLS write { enabled: false, reason: "…" }; or name your PKI',
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['enabled', 'reason'],
        properties: { enabled: { const: false }, reason: { type: 'string', minLength: 3 } },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['trustAnchors', 'certificate'],
        properties: {
          enabled: { const: true },
          trustAnchors: { ...paths, description: `PEM files or folders: ${peer}` },
          certificate,
          ...(role === 'vehicle'
            ? {
                chargerTrusts: {
                  ...paths,
                  description: 'roots the charger is provisioned with to verify the vehicle (doctor prints their fingerprints)',
                },
              }
            : {}),
        },
      },
    ],
  };
}

export interface ResolveOptions {
  /** Folder the bench file's paths are relative to. */
  baseDir: string;
  /** Validity is checked at this time. */
  at: Date;
  env?: NodeJS.ProcessEnv;
}

/** Load and check what a `tls` setting names. Throws TlsMaterialError (file + problem) or InputError. */
export async function resolveTlsSetting(setting: BenchTlsSetting | undefined, o: ResolveOptions): Promise<ResolvedTls> {
  if (setting === undefined || setting === true) return { enabled: true };
  if (setting === false) throw new InputError('\'tls: false\' needs a reason: write tls: { enabled: false, reason: "…" }');
  if (setting.enabled === false) {
    if (!setting.reason?.trim()) throw new InputError("'tls.enabled: false' needs a 'reason'");
    return { enabled: false, reason: setting.reason };
  }
  const path = (p: string) => resolve(o.baseDir, p);
  const spec: IdentitySpec =
    'pkcs12' in setting.certificate
      ? { ...setting.certificate, pkcs12: path(setting.certificate.pkcs12) }
      : { ...setting.certificate, chain: path(setting.certificate.chain), key: path(setting.certificate.key) };
  const identity = await loadIdentity(spec, o.at, o.env);
  const anchors = loadTrustAnchors(setting.trustAnchors.map(path), o.at);
  const peerShouldTrust = setting.chargerTrusts ? loadTrustAnchors(setting.chargerTrusts.map(path), o.at) : [];
  if (peerShouldTrust.length && !anchorOf(identity.chain, peerShouldTrust))
    throw new TlsMaterialError(
      `the certificate chain does not lead to any root in chargerTrusts, so a charger provisioned with them rejects it`,
      identity.file,
    );
  return { enabled: true, material: { anchors, identity, peerShouldTrust, origin: 'bench PKI' } };
}

/** The generated test PKI seen from one end, in the same shape (for doctor and the emulator bench). */
export function testPkiMaterial(pki: PkiPaths, role: 'vehicle' | 'charger', at: Date): Promise<TlsEndMaterial> {
  const [own, trusted, peerTrusts] =
    role === 'vehicle' ? [pki.vehicle, pki.v2gRootCert, pki.oemRootCert] : [pki.secc, pki.oemRootCert, pki.v2gRootCert];
  return loadIdentity({ chain: own.chain, key: own.key }, at).then((identity) => ({
    anchors: loadTrustAnchors([trusted], at),
    identity,
    peerShouldTrust: loadTrustAnchors([peerTrusts], at),
    origin: 'generated test PKI',
  }));
}

/** One line for the report's environment: what TLS the run used, and loudly when none. */
export function describeTlsSetting(setting: BenchTlsSetting | undefined): string {
  if (setting === false) return 'TLS off — not ISO 15118-20 conformant';
  if (setting === undefined || setting === true) return 'TLS 1.3, mutual authentication, generated test PKI';
  if (setting.enabled === false) return `TLS off — not ISO 15118-20 conformant (${setting.reason})`;
  const id = 'pkcs12' in setting.certificate ? setting.certificate.pkcs12 : setting.certificate.chain;
  return `TLS 1.3, mutual authentication, bench PKI: trust anchors ${setting.trustAnchors.join(', ')}; vehicle certificate ${id}`;
}
