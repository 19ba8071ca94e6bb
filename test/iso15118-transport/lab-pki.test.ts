// Done-when of the real-PKI work: a bench whose vehicle and emulated charger are provisioned from a lab's
// PKI folder completes a TLS 1.3 session over the real veth link; a wrong root fails it with a message
// that names the problem; a PKCS#12 vehicle identity with its passphrase from the environment works.

import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../benches/kinds.ts';
import type { Bench } from '../../benches/bench.ts';
import { loadBenchFile } from '../../benches/load.ts';
import { openBench } from '../../benches/open.ts';
import type { Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { TlsHandshakeError } from '../../drivers/iso15118/tls-errors.ts';
import { makeLabPki, type LabPki } from './lab-pki.ts';

const PASS_VAR = 'MCS_HIL_TEST_LAB_P12_PASS';

describe('TLS 1.3 with a lab PKI named in the bench file (emulated charger, veth link)', function () {
  this.timeout(120_000);
  let dir: string;
  let pki: LabPki;
  let bench: Bench | undefined;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'mcs-lab-pki-'));
    pki = makeLabPki(join(dir, 'lab-pki'));
  });
  // The lab PKI holds private keys: leave none behind.
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async function () {
    await bench?.close('test done');
    bench = undefined;
    delete process.env[PASS_VAR];
  });

  /** A bench file beside the lab-pki folder (its paths are relative to the bench file). */
  async function open(vehicleTls: unknown, chargerTls: unknown): Promise<Iso15118Vehicle> {
    const file = join(dir, `bench-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      [
        'name: lab-pki-test',
        'clock: { kind: real }',
        'charger: { ratings: { maxVoltageV: 1250, maxCurrentA: 3000, maxPowerW: 3750000 }, protocols: [iso15118-20-mcs] }',
        'resources:',
        '  ev-link: { kind: veth-link, evInterface: mcs-tpki-ev0, chargerInterface: mcs-tpki-se0, monitorIntervalMs: 0 }',
        `  charger: { kind: emulated-mcs-charger, link: ev-link, pilotLine: '', tls: ${JSON.stringify(chargerTls)} }`,
        `  vehicle: { kind: iso15118-ev, link: ev-link, tls: ${JSON.stringify(vehicleTls)} }`,
        'vehicle: { profile: truck-lfp-620kwh }',
        'limits: { profile: iec61851-23-3 }',
        'safety: { interlock: false }',
      ].join('\n'),
    );
    bench = await openBench({ config: loadBenchFile(file), runDir: join(dir, 'run') });
    return bench.resource('vehicle') as unknown as Iso15118Vehicle;
  }

  const charger = {
    trustAnchors: ['lab-pki/oem/oem-root.pem'],
    certificate: { chain: 'lab-pki/cpo/secc-chain.pem', key: 'lab-pki/cpo/secc.key.pem' },
  };
  const vehiclePem = {
    trustAnchors: ['lab-pki/v2g-roots'],
    certificate: { chain: 'lab-pki/vehicle/vehicle-chain.pem', key: 'lab-pki/vehicle/vehicle.key.pem' },
    chargerTrusts: ['lab-pki/oem/oem-root.pem'],
  };

  it('charges and stops over TLS 1.3, both ends provisioned from the lab folder (PEM chain + key)', async function () {
    const vehicle = await open(vehiclePem, charger);
    const session = await vehicle.startCharging();
    const info = session.evcc.link.info as {
      tls?: { protocol: string; peerChain: string[] };
      chain?: { rootedInV2gRoot: boolean; detail: string };
    };
    expect(info.tls?.protocol).to.equal('TLSv1.3');
    expect(info.tls?.peerChain[0]).to.contain('DE*LAB*E0001');
    expect(info.chain?.rootedInV2gRoot, info.chain?.detail).to.equal(true);
    expect(info.chain?.detail).to.contain('Lab V2G Root CA');
    await session.stop();
    // The charger saw our lab vehicle certificate, verified against the lab OEM root.
    const accepted = bench!.timeline.query({ kind: 'link', source: 'charger' }).find((e) => e.data.event === 'accept');
    expect(JSON.stringify(accepted?.data.tls)).to.contain('LABVEHICLE0000001');
    // The evidence says which PKI the vehicle used: the lab roots and certificate, by fingerprint.
    const material = bench!.timeline.query({ kind: 'link', source: 'vehicle' }).find((e) => e.data.event === 'tls-material');
    expect(JSON.stringify(material?.data)).to.contain('Lab V2G Root CA').and.to.contain('LABVEHICLE0000001').and.to.contain('bench PKI');
    // Emulator bench: the key log is on by default.
    expect(vehicle.keylogFiles).to.have.length.greaterThan(0);
  });

  it('uses a PKCS#12 vehicle identity whose passphrase comes from the environment variable the bench names', async function () {
    process.env[PASS_VAR] = pki.pkcs12Passphrase;
    const vehicle = await open({ ...vehiclePem, certificate: { pkcs12: 'lab-pki/vehicle/vehicle.p12', passphraseEnv: PASS_VAR } }, charger);
    const connected = await vehicle.connect();
    try {
      expect((connected.link.info as { tls?: { protocol: string } }).tls?.protocol).to.equal('TLSv1.3');
      expect(connected.chain?.rootedInV2gRoot).to.equal(true);
    } finally {
      await connected.link.close();
    }
  });

  it('fails the handshake against a charger outside the trusted roots, naming the unknown CA and the roots trusted', async function () {
    const vehicle = await open({ ...vehiclePem, trustAnchors: ['lab-pki/other-roots'], chargerTrusts: undefined }, charger);
    const err = await vehicle.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TlsHandshakeError);
    const e = err as TlsHandshakeError;
    expect(e.reason).to.equal('server-chain-untrusted');
    expect(e.message).to.match(/unknown CA/, e.message);
    expect(e.message).to.contain('DE*LAB*E0001 ← Lab CPO Sub-CA'); // the chain that came
    expect(e.message).to.contain("issued by 'CN=Lab V2G Root CA"); // the root it needs
    expect(e.message).to.contain('Some Other Root CA'); // which root the vehicle trusted instead
  });

  it('is refused by a charger whose roots do not vouch for the vehicle, and the charger records why', async function () {
    const vehicle = await open({ ...vehiclePem, chargerTrusts: undefined }, { ...charger, trustAnchors: ['lab-pki/other-roots'] });
    // TLS 1.3: the server checks the client chain after the vehicle's handshake is done, then drops it.
    const connected = await vehicle.connect();
    await new Promise<void>((resolve) => connected.link.onClose(() => resolve()));
    const failed = bench!.timeline.query({ kind: 'link', source: 'charger' }).find((e) => e.data.event === 'handshake-failed');
    expect(failed?.data).to.deep.include({ reason: 'client-chain-untrusted' });
  });

  it('stops the bench at open when the PKCS#12 passphrase variable is missing, naming the setting and the file', async function () {
    const err = await open(
      { ...vehiclePem, certificate: { pkcs12: 'lab-pki/vehicle/vehicle.p12', passphraseEnv: PASS_VAR } },
      charger,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message)
      .to.contain("'resources.vehicle.tls'")
      .and.to.contain('vehicle.p12')
      .and.to.contain(`${PASS_VAR} (passphraseEnv) is not set`);
  });
});
