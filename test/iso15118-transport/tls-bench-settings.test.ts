// The `tls` bench setting is checked when the bench opens: every bad file or secret gives a typed error
// naming the bench file, the setting, the file concerned and what is wrong — before any test runs.

import { expect } from 'chai';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import '../../benches/kinds.ts';
import { tlsFindings } from '../../benches/doctor-tls.ts';
import { openTlsSetting } from '../../benches/kinds/tls-setting.ts';
import { BenchFileError, parseBench } from '../../benches/load.ts';
import type { BenchConfig } from '../../benches/registry.ts';
import type { BenchTlsSetting } from '../../drivers/iso15118/pki/bench-tls.ts';
import { environmentInfo } from '../../reports/run-metadata.ts';
import { makeLabPki, type LabPki } from './lab-pki.ts';

const PASS_VAR = 'MCS_HIL_TEST_TLS_SETTING_PASS';

describe('bench TLS settings: checked at open time with typed errors', function () {
  this.timeout(60_000);
  let dir: string;
  let pki: LabPki;
  let bench: BenchConfig;
  const good = {
    trustAnchors: ['lab-pki/v2g-roots'],
    certificate: { chain: 'lab-pki/vehicle/vehicle-chain.pem', key: 'lab-pki/vehicle/vehicle.key.pem' },
    chargerTrusts: ['lab-pki/oem/oem-root.pem'],
  };

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'mcs-tls-setting-'));
    pki = makeLabPki(join(dir, 'lab-pki'));
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello\n');
    copyFileSync(pki.secc.key, join(dir, 'secc.key.pem'));
    bench = { file: join(dir, 'bench.yaml'), resources: {} } as unknown as BenchConfig;
  });
  // The lab PKI holds private keys: leave none behind.
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => delete process.env[PASS_VAR]);

  async function failure(setting: BenchTlsSetting, at?: Date): Promise<BenchFileError> {
    const e = await openTlsSetting('vehicle', setting, bench, { at }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e, 'expected a BenchFileError').to.be.instanceOf(BenchFileError);
    expect((e as BenchFileError).message)
      .to.contain(bench.file)
      .and.to.contain("'resources.vehicle.tls'");
    return e as BenchFileError;
  }

  it('loads a lab PKI: anchors from a folder (two roots), the vehicle chain leaf first, the roots to give the charger', async function () {
    const r = await openTlsSetting('vehicle', good, bench);
    if (!r.enabled || !r.material) throw new Error('expected material');
    expect(r.material.anchors.map((a) => a.cert.subject)).to.have.length(2);
    expect(r.material.identity.chain[0].subject).to.contain('LABVEHICLE0000001');
    expect(r.material.peerShouldTrust[0].cert.subject).to.contain('Lab OEM Root CA');
  });

  it('names a missing file', async function () {
    const e = await failure({ ...good, trustAnchors: ['lab-pki/no-such-root.pem'] });
    expect(e.message).to.contain('no-such-root.pem').and.to.contain('no such file');
  });

  it('names a file that is not PEM', async function () {
    const e = await failure({ ...good, trustAnchors: ['not-a-cert.pem'] });
    expect(e.message).to.contain('not-a-cert.pem').and.to.contain('not a PEM certificate file');
  });

  it('refuses a key that does not belong to the certificate', async function () {
    const e = await failure({ ...good, certificate: { chain: good.certificate.chain, key: 'secc.key.pem' } });
    expect(e.message).to.contain('secc.key.pem').and.to.contain('does not belong');
  });

  it('refuses an expired certificate', async function () {
    const inTwoYears = new Date(Date.now() + 2 * 365 * 86_400_000);
    const e = await failure(good, inTwoYears);
    expect(e.message).to.match(/expired on \d{4}-\d\d-\d\d/);
  });

  it('refuses a trust anchor that is not a CA', async function () {
    const e = await failure({ ...good, trustAnchors: ['lab-pki/vehicle/vehicle-chain.pem'] });
    expect(e.message).to.contain('is not a CA certificate');
  });

  it('refuses a vehicle chain the chargerTrusts roots do not vouch for', async function () {
    const e = await failure({ ...good, chargerTrusts: ['lab-pki/other-roots'] });
    expect(e.message).to.contain('chargerTrusts');
  });

  it('opens a PKCS#12 identity with the passphrase from the named environment variable', async function () {
    process.env[PASS_VAR] = pki.pkcs12Passphrase;
    const r = await openTlsSetting(
      'vehicle',
      { ...good, certificate: { pkcs12: 'lab-pki/vehicle/vehicle.p12', passphraseEnv: PASS_VAR } },
      bench,
    );
    if (!r.enabled || !r.material) throw new Error('expected material');
    expect(r.material.identity.chain.map((c) => c.subject.split('\n')[0])).to.deep.equal(['CN=LABVEHICLE0000001', 'CN=Lab OEM Sub-CA']);
  });

  it('opens an encrypted PEM key with the passphrase from the environment, and says what is missing without one', async function () {
    const encrypted = { chain: good.certificate.chain, key: 'lab-pki/vehicle/vehicle.key.enc.pem' };
    const e = await failure({ ...good, certificate: encrypted });
    expect(e.message).to.contain('vehicle.key.enc.pem').and.to.contain('passphraseEnv');
    process.env[PASS_VAR] = pki.pkcs12Passphrase;
    const r = await openTlsSetting('vehicle', { ...good, certificate: { ...encrypted, passphraseEnv: PASS_VAR } }, bench);
    expect(r.enabled && r.material?.identity.tls).to.deep.include({ passphrase: pki.pkcs12Passphrase });
  });

  it('says so when the passphrase variable is not set', async function () {
    const e = await failure({ ...good, certificate: { pkcs12: 'lab-pki/vehicle/vehicle.p12', passphraseEnv: PASS_VAR } });
    expect(e.message).to.contain(PASS_VAR).and.to.contain('is not set');
  });

  it('says so when the passphrase is wrong', async function () {
    process.env[PASS_VAR] = 'not the passphrase';
    const e = await failure({ ...good, certificate: { pkcs12: 'lab-pki/vehicle/vehicle.p12', passphraseEnv: PASS_VAR } });
    expect(e.message).to.contain('vehicle.p12').and.to.contain('wrong passphrase');
  });

  describe('in the bench file', function () {
    const yaml = (tls: string) =>
      [
        'name: t',
        'charger: { ratings: { maxVoltageV: 1000, maxCurrentA: 500, maxPowerW: 500000 }, protocols: [iso15118-20-mcs] }',
        'resources:',
        '  ev-link: { kind: ethernet-link, interface: eth9 }',
        `  vehicle: { kind: iso15118-ev, link: ev-link, tls: ${tls} }`,
        'vehicle: { profile: truck-lfp-620kwh }',
        'limits: { profile: iec61851-23-3 }',
        'safety: { interlock: false }',
      ].join('\n');

    it('rejects tls: false, and { enabled: false } without a reason', function () {
      expect(() => parseBench(yaml('false'), 'b.yaml')).to.throw(BenchFileError, /resources\.vehicle\.tls/);
      expect(() => parseBench(yaml('{ enabled: false }'), 'b.yaml')).to.throw(
        BenchFileError,
        /resources\.vehicle\.tls\.reason' is required/,
      );
    });

    it('accepts TLS off with a reason, and a lab PKI', function () {
      parseBench(yaml('{ enabled: false, reason: "charger firmware 0.9 has no TLS yet" }'), 'b.yaml');
      parseBench(yaml(JSON.stringify(good)), 'b.yaml');
      expect(() => parseBench(yaml(JSON.stringify({ ...good, certificate: { chain: 'c.pem' } })), 'b.yaml')).to.throw(BenchFileError);
    });
  });

  it('doctor prints the SHA-256 fingerprints of the roots to give the charger operator and of the vehicle leaf', async function () {
    const lab = { ...bench, resources: { vehicle: { kind: 'iso15118-ev', link: 'ev-link', tls: good } } } as unknown as BenchConfig;
    const lines = (await tlsFindings(lab)).map((f) => `${f.ok ? 'ok' : 'FIX'} ${f.detail}`);
    const fp = (file: string) => new X509Certificate(readFileSync(file, 'latin1')).fingerprint256;
    const give = lines.find((l) => l.includes("give the charger's operator"));
    expect(give).to.contain(fp(pki.oemRoot)).and.to.contain('Lab OEM Root CA');
    const leaf = lines.find((l) => l.includes('vehicle certificate'));
    expect(leaf).to.contain(fp(pki.vehicle.chain)).and.to.contain('LABVEHICLE0000001');
    expect(lines.filter((l) => l.includes('V2G root the charger chain must lead to'))).to.have.length(2);
    expect(lines.every((l) => l.startsWith('ok'))).to.equal(true);
  });

  it("shows 'TLS off — not ISO 15118-20 conformant' in the report's environment, with the bench's reason", function () {
    const off = parseBench(
      [
        'name: t',
        'charger: { ratings: { maxVoltageV: 1000, maxCurrentA: 500, maxPowerW: 500000 }, protocols: [iso15118-20-mcs] }',
        'resources:',
        '  ev-link: { kind: ethernet-link, interface: eth9 }',
        '  vehicle: { kind: iso15118-ev, link: ev-link, tls: { enabled: false, reason: "charger firmware 0.9 has no TLS" } }',
        'vehicle: { profile: truck-lfp-620kwh }',
        'limits: { profile: iec61851-23-3 }',
        'safety: { interlock: false }',
      ].join('\n'),
      'b.yaml',
    );
    expect(environmentInfo(off, [])['tls (vehicle)']).to.equal('TLS off — not ISO 15118-20 conformant (charger firmware 0.9 has no TLS)');
  });
});
