// Opening a PKCS#12 bundle with the openssl CLI (Node can use one for TLS but cannot show what is inside).
// The passphrase reaches openssl through the child's environment, never its command line. The key stays
// in memory: we only need it to check that it belongs to the certificate.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TlsMaterialError } from './certificate-files.ts';

const run = promisify(execFile);
const PASS_VAR = 'MCS_HIL_PKCS12_PASSPHRASE';

/** The certificates (PEM, in bundle order) and the private key (PEM) of a PKCS#12 file. */
export async function openPkcs12(file: string, passphrase: string): Promise<{ certificatesPem: string; keyPem: string }> {
  const args = ['pkcs12', '-in', file, '-passin', `env:${PASS_VAR}`];
  const env = { ...process.env, [PASS_VAR]: passphrase };
  try {
    const certs = await run('openssl', [...args, '-nokeys'], { env, maxBuffer: 1 << 20 });
    const key = await run('openssl', [...args, '-nocerts', '-nodes'], { env, maxBuffer: 1 << 20 });
    return { certificatesPem: certs.stdout, keyPem: key.stdout };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new TlsMaterialError("the 'openssl' command is missing (apt-get install -y openssl); it is needed to open PKCS#12 files", file);
    const stderr = (err.stderr ?? err.message).trim();
    if (/mac verify|invalid password|bad decrypt/i.test(stderr))
      throw new TlsMaterialError('wrong passphrase for this PKCS#12 file (MAC verify failure)', file, { cause: e });
    if (/unsupported|legacy/i.test(stderr))
      throw new TlsMaterialError(
        `the PKCS#12 file uses a legacy cipher OpenSSL 3 refuses; re-export it with AES (openssl pkcs12 -export …): ${firstLine(stderr)}`,
        file,
        { cause: e },
      );
    throw new TlsMaterialError(`not a readable PKCS#12 file: ${firstLine(stderr)}`, file, { cause: e });
  }
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim()) ?? s;
}
