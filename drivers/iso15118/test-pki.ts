// The test PKI: generated on demand from fixtures/pki/recipe.yaml with the openssl CLI into the
// git-ignored fixtures/pki/generated/, so no private key is ever committed. Idempotent and safe when
// several processes ask at once: each recipe version goes to its own folder (named by the recipe's hash),
// built in a temporary folder and renamed into place in one step.

import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { BenchFault, InputError } from '../core/errors.ts';

const run = promisify(execFile);

export const PKI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'pki');

export interface PkiCertificateSpec {
  id: string;
  subject: Record<string, string>;
  issuer: string; // 'self' or the id of an earlier certificate
  role: 'ca' | 'leaf';
  pathlen?: number;
  days: number;
}

export interface PkiRecipe {
  curve: string;
  digest: string;
  certificates: PkiCertificateSpec[];
}

export interface PkiFiles {
  cert: string;
  key: string;
}

export interface PkiPaths {
  dir: string;
  /** Every certificate of the recipe by id ('v2g-root', 'secc-leaf', …). */
  byId: Record<string, PkiFiles>;
  /** Trust anchor the vehicle verifies the charger against. */
  v2gRootCert: string;
  /** Trust anchor the charger verifies the vehicle against. */
  oemRootCert: string;
  /** The SECC's TLS identity: key + chain file (leaf, CPO sub-CA 2, CPO sub-CA 1 — root left out, as sent on the wire). */
  secc: { key: string; chain: string };
  /** The vehicle's TLS identity: key + chain (OEM provisioning leaf, OEM sub-CA). */
  vehicle: { key: string; chain: string };
  /** An SECC identity NOT under the V2G root (negative test). */
  foreignSecc: { key: string; chain: string };
  foreignRootCert: string;
}

export class PkiRecipeError extends InputError {
  override name = 'PkiRecipeError';
}

export function loadPkiRecipe(file = join(PKI_DIR, 'recipe.yaml')): { recipe: PkiRecipe; hash: string } {
  const text = readFileSync(file, 'utf8');
  const raw = parse(text) as Partial<PkiRecipe>;
  if (typeof raw.curve !== 'string' || typeof raw.digest !== 'string') throw new PkiRecipeError(`needs 'curve' and 'digest'`, file);
  if (!Array.isArray(raw.certificates) || raw.certificates.length === 0) throw new PkiRecipeError(`needs a 'certificates' list`, file);
  const seen = new Set<string>();
  for (const [i, c] of raw.certificates.entries()) {
    const where = `${file}: certificates[${i}]`;
    if (!c || typeof c.id !== 'string' || !/^[a-z0-9-]+$/.test(c.id)) throw new PkiRecipeError(`needs an 'id' of a-z 0-9 -`, where);
    if (seen.has(c.id)) throw new PkiRecipeError(`duplicate id '${c.id}'`, where);
    if (c.issuer !== 'self' && !seen.has(c.issuer)) throw new PkiRecipeError(`issuer '${c.issuer}' must be 'self' or an earlier id`, where);
    if (c.role !== 'ca' && c.role !== 'leaf') throw new PkiRecipeError(`role must be 'ca' or 'leaf'`, where);
    if (!Number.isInteger(c.days) || c.days <= 0) throw new PkiRecipeError(`'days' must be a positive integer`, where);
    if (!c.subject || typeof c.subject !== 'object' || !c.subject.CN) throw new PkiRecipeError(`needs a 'subject' with CN`, where);
    seen.add(c.id);
  }
  return { recipe: raw as PkiRecipe, hash: createHash('sha256').update(text).digest('hex') };
}

/** Generate (once) and return the paths of the test PKI. */
export async function ensureTestPki(opts: { recipeFile?: string; outDir?: string } = {}): Promise<PkiPaths> {
  const { recipe, hash } = loadPkiRecipe(opts.recipeFile);
  const base = opts.outDir ?? join(PKI_DIR, 'generated');
  const dir = join(base, `pki-${hash.slice(0, 12)}`);
  if (!existsSync(join(dir, 'DONE'))) {
    mkdirSync(base, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await generate(recipe, tmp);
      writeFileSync(join(tmp, 'DONE'), `recipe sha256 ${hash}\n`);
      try {
        renameSync(tmp, dir);
      } catch (e) {
        // Another process finished first: use its folder.
        if (!existsSync(join(dir, 'DONE'))) throw e;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return pathsFor(recipe, dir);
}

function pathsFor(recipe: PkiRecipe, dir: string): PkiPaths {
  const byId: Record<string, PkiFiles> = {};
  for (const c of recipe.certificates) byId[c.id] = { cert: join(dir, `${c.id}.pem`), key: join(dir, `${c.id}.key.pem`) };
  const need = (id: string) => {
    if (!byId[id]) throw new PkiRecipeError(`the recipe has no certificate '${id}', which the harness needs`);
    return byId[id];
  };
  need('v2g-root');
  need('oem-root');
  need('foreign-root');
  return {
    dir,
    byId,
    v2gRootCert: byId['v2g-root'].cert,
    oemRootCert: byId['oem-root'].cert,
    foreignRootCert: byId['foreign-root'].cert,
    secc: { key: need('secc-leaf').key, chain: join(dir, 'secc-leaf.chain.pem') },
    vehicle: { key: need('vehicle-leaf').key, chain: join(dir, 'vehicle-leaf.chain.pem') },
    foreignSecc: { key: need('foreign-secc-leaf').key, chain: join(dir, 'foreign-secc-leaf.chain.pem') },
  };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { maxBuffer: 1 << 20 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new BenchFault(`the 'openssl' command is missing; install it (apt-get install -y openssl) to generate the test PKI`);
    throw new BenchFault(`openssl ${args[0]} failed while generating the test PKI: ${(err.stderr ?? err.message).trim()}`, undefined, {
      cause: e,
    });
  }
}

function subjectString(s: Record<string, string>): string {
  // openssl -subj syntax: /KEY=value, with '/' and '\' escaped in values.
  return Object.entries(s)
    .map(([k, v]) => `/${k}=${String(v).replace(/[\\/]/g, (m) => `\\${m}`)}`)
    .join('');
}

function extensions(c: PkiCertificateSpec): string {
  // [req]/[dn] keep `openssl req -config` happy; -subj supplies the names.
  const lines = ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', '[v3]'];
  if (c.role === 'ca') {
    lines.push(`basicConstraints = critical, CA:TRUE${c.pathlen !== undefined ? `, pathlen:${c.pathlen}` : ''}`);
    lines.push('keyUsage = critical, keyCertSign, cRLSign');
  } else {
    lines.push('basicConstraints = critical, CA:FALSE');
    lines.push('keyUsage = critical, digitalSignature, keyAgreement');
  }
  lines.push('subjectKeyIdentifier = hash');
  if (c.issuer !== 'self') lines.push('authorityKeyIdentifier = keyid:always');
  return lines.join('\n') + '\n';
}

async function generate(recipe: PkiRecipe, dir: string): Promise<void> {
  const byId = new Map(recipe.certificates.map((c) => [c.id, c]));
  for (const c of recipe.certificates) {
    const key = join(dir, `${c.id}.key.pem`);
    const cert = join(dir, `${c.id}.pem`);
    const ext = join(dir, `${c.id}.ext.cnf`);
    writeFileSync(ext, extensions(c));
    await openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      `ec_paramgen_curve:${recipe.curve}`,
      '-pkeyopt',
      'ec_param_enc:named_curve',
      '-out',
      key,
    ]);
    // Positive 127-bit serial, as RFC 5280 asks for unpredictable serials.
    const serial = '0x' + (randomBytes(16)[0] & 0x7f).toString(16).padStart(2, '0') + randomBytes(15).toString('hex');
    const common = [`-${recipe.digest}`, '-days', String(c.days), '-set_serial', serial];
    if (c.issuer === 'self') {
      await openssl([
        'req',
        '-new',
        '-x509',
        '-key',
        key,
        '-subj',
        subjectString(c.subject),
        ...common,
        '-config',
        ext,
        '-extensions',
        'v3',
        '-out',
        cert,
      ]);
    } else {
      const csr = join(dir, `${c.id}.csr`);
      // -config points at our tiny file so the system openssl.cnf cannot add extensions of its own.
      await openssl(['req', '-new', '-key', key, '-subj', subjectString(c.subject), '-config', ext, '-out', csr]);
      const issuer = byId.get(c.issuer)!;
      await openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        join(dir, `${issuer.id}.pem`),
        '-CAkey',
        join(dir, `${issuer.id}.key.pem`),
        ...common,
        '-extfile',
        ext,
        '-extensions',
        'v3',
        '-out',
        cert,
      ]);
      rmSync(csr);
    }
  }
  // Chain files: leaf first, then its CAs up to (not including) the self-signed root.
  for (const c of recipe.certificates) {
    if (c.role !== 'leaf') continue;
    const parts: string[] = [];
    let cur: PkiCertificateSpec | undefined = c;
    while (cur) {
      if (cur.issuer === 'self' && cur !== c) break;
      parts.push(readFileSync(join(dir, `${cur.id}.pem`), 'utf8'));
      cur = cur.issuer === 'self' ? undefined : byId.get(cur.issuer);
    }
    writeFileSync(join(dir, `${c.id}.chain.pem`), parts.join(''));
  }
}
