// A lab's PKI, made with plain openssl commands (not the harness's own generator, so a shared mistake
// cannot hide): a V2G root with a CPO sub-CA and SECC leaf (secp521r1, SHA-512), an OEM root with a
// sub-CA and vehicle leaf (prime256v1, SHA-256 — both curves ISO 15118-20 allows), the vehicle identity
// also as a passphrase-protected PKCS#12, and an unrelated root for the negative tests. Laid out in
// folders the way a lab hands them over.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabPki {
  dir: string;
  /** Folder of V2G roots (the vehicle's trust anchors). */
  v2gRoots: string;
  oemRoot: string;
  secc: { chain: string; key: string };
  vehicle: { chain: string; key: string; pkcs12: string; encryptedKey: string };
  /** Passphrase of vehicle.pkcs12 and vehicle.encryptedKey. */
  pkcs12Passphrase: string;
  /** Folder with a root that vouches for nothing here. */
  otherRoots: string;
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[sub]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

function openssl(args: string[], env: NodeJS.ProcessEnv = process.env): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
}

export function makeLabPki(dir: string): LabPki {
  const cnf = join(dir, 'openssl.cnf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(cnf, CONFIG);
  for (const d of ['v2g-roots', 'cpo', 'oem', 'vehicle', 'other-roots', 'work']) mkdirSync(join(dir, d), { recursive: true });
  const w = (f: string) => join(dir, 'work', f);
  let serial = 0x1000;
  const key = (out: string, curve: string) =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', out]);
  const root = (name: string, cn: string, curve: string, digest: string, out: string) => {
    key(w(`${name}.key`), curve);
    openssl([
      'req',
      '-new',
      '-x509',
      '-key',
      w(`${name}.key`),
      '-subj',
      cn,
      `-${digest}`,
      '-days',
      '3650',
      '-config',
      cnf,
      '-extensions',
      'ca',
      '-out',
      out,
    ]);
  };
  const issue = (name: string, cn: string, curve: string, digest: string, ext: string, caCert: string, caKey: string, out: string) => {
    key(w(`${name}.key`), curve);
    openssl(['req', '-new', '-key', w(`${name}.key`), '-subj', cn, '-config', cnf, '-out', w(`${name}.csr`)]);
    const sn = `0x${(serial++).toString(16)}`;
    openssl([
      'x509',
      '-req',
      '-in',
      w(`${name}.csr`),
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-set_serial',
      sn,
      `-${digest}`,
      '-days',
      '365',
      '-extfile',
      cnf,
      '-extensions',
      ext,
      '-out',
      out,
    ]);
  };
  const cat = (out: string, ...files: string[]) => writeFileSync(out, files.map((f) => readFileSync(f, 'utf8')).join(''));

  const v2gRoot = join(dir, 'v2g-roots', 'lab-v2g-root.pem');
  root('v2g-root', '/CN=Lab V2G Root CA/O=Lab PKI/C=DE/DC=V2G', 'secp521r1', 'sha512', v2gRoot);
  // A second, unrelated V2G root in the same folder: a folder of anchors may hold several.
  root('v2g-root-2', '/CN=Lab V2G Root CA 2/O=Lab PKI/C=DE/DC=V2G', 'secp521r1', 'sha512', join(dir, 'v2g-roots', 'lab-v2g-root-2.pem'));
  issue('cpo-sub', '/CN=Lab CPO Sub-CA/O=Lab PKI/C=DE/DC=V2G', 'secp521r1', 'sha512', 'sub', v2gRoot, w('v2g-root.key'), w('cpo-sub.pem'));
  issue('secc', '/CN=DE*LAB*E0001/O=Lab PKI/C=DE/DC=CPO', 'secp521r1', 'sha512', 'leaf', w('cpo-sub.pem'), w('cpo-sub.key'), w('secc.pem'));
  cat(join(dir, 'cpo', 'secc-chain.pem'), w('secc.pem'), w('cpo-sub.pem'));
  cat(join(dir, 'cpo', 'secc.key.pem'), w('secc.key'));

  const oemRoot = join(dir, 'oem', 'oem-root.pem');
  root('oem-root', '/CN=Lab OEM Root CA/O=Lab PKI/C=DE/DC=OEM', 'prime256v1', 'sha256', oemRoot);
  issue('oem-sub', '/CN=Lab OEM Sub-CA/O=Lab PKI/C=DE/DC=OEM', 'prime256v1', 'sha256', 'sub', oemRoot, w('oem-root.key'), w('oem-sub.pem'));
  issue(
    'vehicle',
    '/CN=LABVEHICLE0000001/O=Lab PKI/C=DE/DC=OEM',
    'prime256v1',
    'sha256',
    'leaf',
    w('oem-sub.pem'),
    w('oem-sub.key'),
    w('vehicle.pem'),
  );
  cat(join(dir, 'vehicle', 'vehicle-chain.pem'), w('vehicle.pem'), w('oem-sub.pem'));
  cat(join(dir, 'vehicle', 'vehicle.key.pem'), w('vehicle.key'));
  const pkcs12Passphrase = 'lab pass phrase 1';
  const pkcs12 = join(dir, 'vehicle', 'vehicle.p12');
  openssl(
    [
      'pkcs12',
      '-export',
      '-inkey',
      w('vehicle.key'),
      '-in',
      join(dir, 'vehicle', 'vehicle-chain.pem'),
      '-out',
      pkcs12,
      '-passout',
      'env:LAB_P12_PASS',
    ],
    { ...process.env, LAB_P12_PASS: pkcs12Passphrase },
  );

  // The same key, encrypted in PEM (AES-256) with the PKCS#12's passphrase.
  const encryptedKey = join(dir, 'vehicle', 'vehicle.key.enc.pem');
  const pass = { ...process.env, LAB_P12_PASS: pkcs12Passphrase };
  openssl(['pkey', '-in', w('vehicle.key'), '-aes256', '-passout', 'env:LAB_P12_PASS', '-out', encryptedKey], pass);

  root('other-root', '/CN=Some Other Root CA/O=Elsewhere/C=FR', 'prime256v1', 'sha256', join(dir, 'other-roots', 'other-root.pem'));
  return {
    dir,
    v2gRoots: join(dir, 'v2g-roots'),
    oemRoot,
    secc: { chain: join(dir, 'cpo', 'secc-chain.pem'), key: join(dir, 'cpo', 'secc.key.pem') },
    vehicle: { chain: join(dir, 'vehicle', 'vehicle-chain.pem'), key: join(dir, 'vehicle', 'vehicle.key.pem'), pkcs12, encryptedKey },
    pkcs12Passphrase,
    otherRoots: join(dir, 'other-roots'),
  };
}
