import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, waitFor } from '../../drivers/core/clock.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { readLinkState } from '../../drivers/iso15118/link.ts';
import { ensureTestPki, loadPkiRecipe, PkiRecipeError } from '../../drivers/iso15118/test-pki.ts';
import { setVethEvEnd, VETH_SCRIPT } from '../../drivers/iso15118/veth.ts';
import { resourceKind, type BenchConfig, type OpenContext } from '../../benches/registry.ts';
import '../../benches/kinds/v2g-link.ts';
import '../../benches/kinds/emulated-ce-id.ts';
import type { V2gLinkResource } from '../../benches/kinds/v2g-link.ts';
import type { CeIdPilotResource } from '../../benches/kinds/emulated-ce-id.ts';
import { TEST_EV_IF, TEST_EVSE_IF } from './test-link.ts';

function ctx(): OpenContext {
  const clock = new RealClock();
  return { clock, timeline: new Timeline({ clock }), resources: new Map(), bench: {} as BenchConfig, faults: new Set(), runDir: tmpdir() };
}

describe('link resources and the veth script', function () {
  it('the script is idempotent and reports a healthy pair', function () {
    for (let i = 0; i < 2; i++) execFileSync(VETH_SCRIPT, ['up', TEST_EV_IF, TEST_EVSE_IF]);
    const out = execFileSync(VETH_SCRIPT, ['status', TEST_EV_IF, TEST_EVSE_IF]).toString();
    expect(out).to.match(/status: up/);
    const s = readLinkState(TEST_EV_IF);
    expect(s).to.deep.include({ exists: true, up: true, linkLocal: ['fe80::2'] });
  });

  it('the script refuses bad interface names with usage exit code 1', function () {
    let code = 0;
    try {
      execFileSync(VETH_SCRIPT, ['up', 'bad name!', TEST_EVSE_IF], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
    }
    expect(code).to.equal(1);
  });

  it('explains what to do when it is not run as root (exit 2)', function () {
    // Drop to 'nobody' with setpriv (util-linux); only possible when the test itself runs as root.
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) this.skip();
    let res: { status: number; stderr: string } = { status: 0, stderr: '' };
    try {
      execFileSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', VETH_SCRIPT, 'up', 'mcs-x0', 'mcs-y0'], {
        stdio: 'pipe',
      });
    } catch (e) {
      res = { status: (e as { status: number }).status, stderr: String((e as { stderr: Buffer }).stderr) };
    }
    expect(res.status).to.equal(2);
    expect(res.stderr).to.match(/needs root \(CAP_NET_ADMIN\)\. Run: sudo .*veth-link\.sh up mcs-x0 mcs-y0/);
  });

  it('veth-link opens through the registry and records the link state on the timeline', async function () {
    const c = ctx();
    const kind = resourceKind('veth-link')!;
    const res = (await kind.open('ev-link', { evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF }, c)) as V2gLinkResource;
    try {
      expect(res).to.deep.include({
        evInterface: TEST_EV_IF,
        evAddress: 'fe80::2',
        chargerInterface: TEST_EVSE_IF,
        chargerAddress: 'fe80::1',
      });
      expect(res.isUp()).to.equal(true);
      const ups = c.timeline
        .query({ kind: 'link', source: 'ev-link' })
        .filter((e) => e.data.event === 'up')
        .map((e) => e.data.interface);
      expect(ups).to.have.members([TEST_EV_IF, TEST_EVSE_IF]);
    } finally {
      await res.close();
    }
  });

  it('records an emulated link loss (vehicle end down, then up) on the timeline', async function () {
    const c = ctx();
    const res = (await resourceKind('veth-link')!.open(
      'ev-link',
      { evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF, monitorIntervalMs: 20 },
      c,
    )) as V2gLinkResource;
    const events = () =>
      c.timeline
        .query({ kind: 'link', source: 'ev-link' })
        .filter((e) => !e.data.initial && (e.data.event === 'up' || e.data.event === 'down'))
        .map((e) => `${e.data.interface}:${e.data.event}`);
    try {
      await setVethEvEnd(false, { evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF });
      expect(await waitFor(c.clock, () => !res.isUp(), 5000)).to.equal(true);
      await setVethEvEnd(true, { evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF });
      expect(await waitFor(c.clock, () => res.isUp(), 5000)).to.equal(true);
      // Both ends lose carrier when one end of a veth pair goes down.
      expect(events()).to.include.members([`${TEST_EV_IF}:down`, `${TEST_EVSE_IF}:down`, `${TEST_EV_IF}:up`, `${TEST_EVSE_IF}:up`]);
      expect(readLinkState(TEST_EV_IF).linkLocal).to.deep.equal(['fe80::2']);
    } finally {
      await res.close();
      await setVethEvEnd(true, { evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF });
    }
  });

  it('ethernet-link opens on an up interface with fe80::, and explains a missing one as a BenchFault with a fix', async function () {
    const c = ctx();
    const kind = resourceKind('ethernet-link')!;
    const res = (await kind.open('t1s', { interface: TEST_EV_IF, monitorIntervalMs: 0 }, c)) as V2gLinkResource;
    expect(res.evAddress).to.equal('fe80::2');
    await res.close();
    const err = await kind.open('t1s', { interface: 'mcs-nothere0', monitorIntervalMs: 0 }, c).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(BenchFault);
    expect((err as Error).message).to.match(/does not exist\. Fix: check the bench file's interface name/);
    const reach = await kind.checkReachable!('t1s', { interface: 'mcs-nothere0' }, {} as BenchConfig);
    expect(reach.ok).to.equal(false);
    expect(reach.fix).to.be.a('string');
  });

  it('emulated-ce-id opens a vehicle pilot on a shared line the charger can drive', async function () {
    const c = ctx();
    const res = (await resourceKind('emulated-ce-id')!.open('ev-pilot', { line: 'test-line' }, c)) as CeIdPilotResource;
    expect(res.id()).to.equal('connected');
    res.line!.setChargerGate('enabled');
    await res.setCe('C');
    expect(res.line!.ce).to.equal('C');
    await res.safeState!();
    expect(res.ce()).to.equal('B');
    await res.close();
  });
});

describe('test PKI', function () {
  it('generates secp521r1 / ecdsa-with-SHA512 chains with CA and leaf extensions, verifiable to their roots', async function () {
    const pki = await ensureTestPki();
    const text = (f: string) => execFileSync('openssl', ['x509', '-in', f, '-noout', '-text']).toString();
    for (const id of Object.keys(pki.byId)) {
      const t = text(pki.byId[id].cert);
      expect(t, id).to.match(/ASN1 OID: secp521r1/);
      expect(t, id).to.match(/Signature Algorithm: ecdsa-with-SHA512/);
      expect(t, id).to.match(/Basic Constraints: critical/);
      expect(t, id).to.match(/Key Usage: critical/);
      expect(t, id).not.to.match(/Extended Key Usage/);
      if (id.endsWith('-leaf')) expect(t, id).to.match(/CA:FALSE[\s\S]*Digital Signature, Key Agreement/);
      else expect(t, id).to.match(/CA:TRUE[\s\S]*Certificate Sign, CRL Sign/);
    }
    const verify = (root: string, chain: string) =>
      execFileSync('openssl', ['verify', '-CAfile', root, '-untrusted', chain, chain]).toString();
    expect(verify(pki.v2gRootCert, pki.secc.chain)).to.match(/: OK/);
    expect(verify(pki.oemRootCert, pki.vehicle.chain)).to.match(/: OK/);
    expect(() => execFileSync('openssl', ['verify', '-CAfile', pki.v2gRootCert, pki.foreignSecc.chain], { stdio: 'pipe' })).to.throw();
    // The SECC chain as sent on the wire: leaf, CPO sub-CA 2, CPO sub-CA 1 (no root).
    expect(readFileSync(pki.secc.chain, 'utf8').match(/BEGIN CERTIFICATE/g)).to.have.length(3);
  });

  it('is idempotent: a second call reuses the same files', async function () {
    const a = await ensureTestPki();
    const before = readFileSync(a.secc.key, 'utf8');
    const b = await ensureTestPki();
    expect(b.dir).to.equal(a.dir);
    expect(readFileSync(b.secc.key, 'utf8')).to.equal(before);
  });

  it('generates concurrently without clobbering (fresh folder, two callers)', async function () {
    const out = mkdtempSync(join(tmpdir(), 'mcs-hil-pki-'));
    const [a, b] = await Promise.all([ensureTestPki({ outDir: out }), ensureTestPki({ outDir: out })]);
    expect(a.dir).to.equal(b.dir);
    expect(existsSync(join(a.dir, 'DONE'))).to.equal(true);
    expect(execFileSync('openssl', ['verify', '-CAfile', a.v2gRootCert, '-untrusted', a.secc.chain, a.secc.chain]).toString()).to.match(
      /OK/,
    );
  });

  it('rejects a recipe naming an unknown issuer with a typed error', function () {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-recipe-'));
    const f = join(dir, 'recipe.yaml');
    execFileSync('sh', [
      '-c',
      `printf 'curve: secp521r1\\ndigest: sha512\\ncertificates:\\n  - {id: a, subject: {CN: a}, issuer: nobody, role: ca, days: 1}\\n' > ${f}`,
    ]);
    expect(() => loadPkiRecipe(f)).to.throw(PkiRecipeError, /issuer 'nobody'/);
  });
});
