// The vehicle's TLS client settings for one connection: the bench's PKI when it has one, else the
// generated test PKI. Also says which V2G roots the vehicle's own chain verdict is judged against
// (the handshake itself may trust more in 'record' mode, see VehicleSettings.serverChain).

import { ensureTestPki } from '../test-pki.ts';
import type { TlsClientSettings } from '../tls-policy.ts';
import type { TlsEndMaterial } from './bench-tls.ts';
import { anchorFiles } from './trust-anchors.ts';

export interface VehicleTlsChoice {
  serverChain?: 'enforce' | 'record';
  alsoTrust?: string[];
  /** false = offer no client certificate (negative test). */
  clientCertificate?: boolean;
}

export async function vehicleClientTls(
  bench: TlsEndMaterial | undefined,
  o: VehicleTlsChoice,
): Promise<{ settings: TlsClientSettings; v2gRootFiles: string[] }> {
  const pki = bench ? undefined : await ensureTestPki();
  const v2gRootFiles = bench ? anchorFiles(bench.anchors) : [pki!.v2gRootCert];
  const identity = bench ? bench.identity.tls : { chainFile: pki!.vehicle.chain, keyFile: pki!.vehicle.key };
  const anchors = [...v2gRootFiles];
  if (o.serverChain === 'record')
    for (const a of o.alsoTrust ?? []) anchors.push(a === 'test-pki-foreign-root' ? (await ensureTestPki()).foreignRootCert : a);
  return { settings: { trustedRootFiles: anchors, identity: o.clientCertificate === false ? undefined : identity }, v2gRootFiles };
}
