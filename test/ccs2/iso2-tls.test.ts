// ISO 15118-2 over TLS 1.2 on a veth pair of its own (real sockets, real clock; CI is root): the CCS2 vehicle
// asks for TLS in SDP and the emulated CCS charger offers it — TLS 1.2, the -2 suite, the -2 test PKI's chain,
// the session keys in SSLKEYLOGFILE format — while DIN stays plain TCP; a charger without TLS answers 0x10 and
// the vehicle records that it got none. `openssl s_client` shows the charger's end speaks standard TLS 1.2.

import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { iso2TestPki, vehicleIso2Tls } from '../../drivers/iso15118/ccs/tls.ts';
import { connectV2g } from '../../drivers/iso15118/v2g-client.ts';
import { V2gServer } from '../../drivers/iso15118/v2g-server.ts';
import { CcsVehicle } from '../../drivers/iso15118/ccs/vehicle.ts';
import type { OfferedProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import { TlsHandshakeError } from '../../drivers/iso15118/tls-errors.ts';
import { ensureVethLink, VETH_SCRIPT, type VethLink } from '../../drivers/iso15118/veth.ts';
import { ensureTestPki } from '../../drivers/iso15118/test-pki.ts';
import { EmulatedCcsCharger } from '../../emulator/ccs/charger.ts';
import { openCcsTlsSetting } from '../../benches/kinds/ccs-tls-setting.ts';
import type { BenchConfig } from '../../benches/registry.ts';
import '../../benches/kinds.ts';
import { BenchFileError, parseBench } from '../../benches/load.ts';

const EV_IF = 'ccs-tls0e';
const EVSE_IF = 'ccs-tls0c';
const RATINGS = { maxVoltageV: 1000, maxCurrentA: 200, maxPowerW: 200_000 };

describe('ISO 15118-2 over TLS 1.2: CCS2 vehicle and emulated CCS charger on a veth pair', function () {
  this.timeout(60_000);
  let link: VethLink;
  let dir: string;
  const clock = new RealClock();
  let timeline: Timeline;
  let charger: EmulatedCcsCharger | undefined;

  before(async function () {
    link = await ensureVethLink({ evInterface: EV_IF, chargerInterface: EVSE_IF, evAddress: 'fe80::c2:2', chargerAddress: 'fe80::c2:1' });
    dir = mkdtempSync(join(tmpdir(), 'mcs-iso2-tls-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
    spawnSync('bash', [VETH_SCRIPT, 'down', EV_IF, EVSE_IF], { stdio: 'ignore' });
  });
  beforeEach(() => (timeline = new Timeline({ clock })));
  afterEach(async function () {
    await charger?.close();
    charger = undefined;
  });

  async function startCharger(o: { tls: boolean; faults?: string[] }): Promise<EmulatedCcsCharger> {
    const at = { interface: link.chargerInterface, address: link.chargerAddress };
    const ctx = { clock, timeline, ratings: RATINGS, faults: new Set(o.faults ?? []), runDir: dir };
    charger = await EmulatedCcsCharger.start('ccs-charger', { ...at, tls: o.tls, keylog: true }, ctx);
    return charger;
  }

  function vehicle(tls: boolean, v2gRootFiles?: string[]): CcsVehicle {
    return new CcsVehicle(
      'ccs-ev',
      { tls, keylog: true },
      {
        clock,
        timeline,
        runDir: dir,
        v2gRootFiles,
        // SLAC is not what this test is about: the PLC link counts as matched.
        network: { interface: link.evInterface, address: link.evAddress, slac: async () => ({ joined: true }) },
      },
    );
  }

  /** supportedAppProtocol and SessionSetup on a fresh connection, then SessionStop: the protocol the charger chose. */
  async function setUp(v: CcsVehicle, protocols: OfferedProtocol[]): Promise<string | undefined> {
    const s = await v.openSession({ protocols });
    try {
      await s.runUntil('SessionSetup');
      return s.protocol;
    } finally {
      await s.end('test');
    }
  }

  const linkEvents = (event: string) =>
    timeline
      .query({ kind: 'link', source: 'ccs-ev' })
      .map((e) => e.data as Record<string, any>)
      .filter((d) => d.event === event);

  it('runs -2 over TLS 1.2 with the -2 suite and the CPO chain up to the V2G root; DIN is not offered inside TLS', async function () {
    await startCharger({ tls: true });
    const v = vehicle(true);
    expect(await setUp(v, ['din', 'iso2'])).to.equal('iso2');
    expect(linkEvents('sdp-security')[0]).to.include({ requested: 'TLS', answered: 'TLS' });
    const tls = linkEvents('connect')[0].tls;
    expect(tls).to.include({ protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', authorized: true });
    expect(tls.peerChain.map((s: string) => s.split(',')[0])).to.deep.equal([
      'CN=DE*MHL*E0002',
      'CN=mcs-hil CPO Sub-CA 2 (ISO 15118-2)',
      'CN=mcs-hil CPO Sub-CA 1 (ISO 15118-2)',
      'CN=mcs-hil V2G Root CA (ISO 15118-2)',
    ]);
    // SSLKEYLOGFILE format of TLS 1.2: CLIENT_RANDOM <64 hex> <96 hex master secret>.
    expect(v.sessionKeylogs).to.have.length(1);
    expect(readFileSync(v.sessionKeylogs[0], 'latin1')).to.match(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m);
    await charger!.settled();
    expect(charger!.results.map((r) => r.reason)).to.deep.equal(['session-stopped']);
  });

  it('a DIN session never asks for TLS: SDP 0x10 and plain TCP from the same charger', async function () {
    await startCharger({ tls: true });
    const v = vehicle(true);
    expect(await setUp(v, ['din'])).to.equal('din');
    expect(linkEvents('sdp-security')[0]).to.include({ requested: 'no TLS', answered: 'no TLS' });
    expect(linkEvents('connect')[0].tls).to.equal(undefined);
    expect(v.sessionKeylogs).to.deep.equal([]);
  });

  it('a charger without TLS answers 0x10 to a TLS request: the vehicle records it and runs -2 without TLS', async function () {
    await startCharger({ tls: false });
    expect(await setUp(vehicle(true), ['iso2'])).to.equal('iso2');
    const sdp = linkEvents('sdp-security')[0];
    expect(sdp).to.include({ requested: 'TLS', answered: 'no TLS' });
    expect(sdp.note).to.match(/offers none/);
    expect(linkEvents('connect')[0].tls).to.equal(undefined);
  });

  it('fault ccs-tls-weak-cipher: no -2 suite on the charger, the handshake fails with no shared cipher (recorded)', async function () {
    await startCharger({ tls: true, faults: ['ccs-tls-weak-cipher'] });
    const e = await vehicle(true)
      .openSession({ protocols: ['iso2'] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(e).to.be.instanceOf(TlsHandshakeError);
    expect((e as TlsHandshakeError).reason).to.equal('no-shared-cipher');
    expect(linkEvents('connect-failed')[0]).to.include({ reason: 'no-shared-cipher' });
  });

  it("a V2G root the charger's chain does not lead to (the -20 test root): the handshake fails, the chain untrusted", async function () {
    await startCharger({ tls: true });
    const e = await vehicle(true, [(await ensureTestPki()).v2gRootCert])
      .openSession({ protocols: ['iso2'] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(e).to.be.instanceOf(TlsHandshakeError);
    expect((e as TlsHandshakeError).reason).to.equal('server-chain-untrusted');
    expect(String(e)).to.contain('mcs-hil V2G Root CA (ISO 15118-2)');
  });

  it('a charger speaking only TLS 1.3 (the -20 profile): the -2 vehicle fails the handshake for want of a common version', async function () {
    const pki = await iso2TestPki();
    const at = { clock, timeline, source: 'tls13-charger', address: link.chargerAddress, interface: link.chargerInterface };
    const server = new V2gServer({
      ...at,
      port: 0,
      tls: { identity: { chainFile: pki.secc.chain, keyFile: pki.secc.key }, trustedRootFiles: [] },
    });
    server.on('handshakeError', () => undefined);
    const port = await server.listen();
    try {
      const e = await connectV2g({
        clock,
        timeline,
        source: 'ccs-ev',
        host: link.chargerAddress,
        port,
        interface: link.evInterface,
        tls: await vehicleIso2Tls(),
        timeoutMs: 10_000,
      }).then(
        (c) => c.close(),
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(TlsHandshakeError);
      expect((e as TlsHandshakeError).reason).to.equal('protocol-version');
    } finally {
      await server.close();
    }
  });

  it('openssl s_client speaks standard TLS 1.2 to the charger: the -2 suite, the chain verifies; TLS 1.3 and other suites are refused', async function () {
    const c = await startCharger({ tls: true });
    const root = (await iso2TestPki()).v2gRootCert;
    const peer = `[${link.chargerAddress}%${link.evInterface}]:${c.tlsPort}`;
    const ok = await sClient(['-connect', peer, '-tls1_2', '-CAfile', root, '-verify_return_error']);
    expect(ok.code, ok.out).to.equal(0);
    expect(ok.out).to.match(/Protocol version: TLSv1\.2/);
    expect(ok.out).to.match(/Ciphersuite: ECDHE-ECDSA-AES128-SHA256/);
    expect(ok.out).to.match(/Verification: OK/);
    expect((await sClient(['-connect', peer, '-tls1_3'])).code, 'TLS 1.3').to.not.equal(0);
    expect((await sClient(['-connect', peer, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'])).code, 'a non -2 suite').to.not.equal(
      0,
    );
  });
});

describe('bench files: tls of ccs-ev and emulated-ccs-charger', function () {
  const bench = (ev: string, charger: string) =>
    [
      'name: t',
      'charger: { identity: { vendor: v, model: m, serial: s }, ratings: { maxVoltageV: 1000, maxCurrentA: 200, maxPowerW: 200000 }, protocols: [iso15118-2] }',
      'resources:',
      `  ccs-charger: { kind: emulated-ccs-charger, link: memory, ${charger} }`,
      `  ccs-ev: { kind: ccs-ev, memory: ccs-charger, ${ev} }`,
      'vehicle: { profile: truck-lfp-620kwh }',
      'limits: { profile: iec61851-23-3 }',
      'safety: { interlock: false }',
    ].join('\n');

  it('takes tls: true|false and keylog on both kinds', function () {
    const cfg = parseBench(bench('tls: true, keylog: false', 'tls: true, keylog: true'), 'bench.yaml');
    expect(cfg.resources['ccs-ev']).to.include({ tls: true, keylog: false });
    expect(cfg.resources['ccs-charger']).to.include({ tls: true, keylog: true });
  });

  it('refuses anything but a boolean, naming the file, line and key', function () {
    let e: unknown;
    try {
      parseBench(bench('tls: yes', 'tls: 1.2'), 'bench.yaml');
    } catch (err) {
      e = err;
    }
    expect(e).to.be.instanceOf(BenchFileError);
    expect(String(e)).to.contain("'resources.ccs-ev.tls'").and.to.contain("'resources.ccs-charger.tls' must be boolean");
  });

  it("tls: { trustAnchors } loads the lab's V2G roots when the bench opens; a missing file names the setting and the file", async function () {
    const root = (await iso2TestPki()).v2gRootCert;
    const cfg = { file: join(tmpdir(), 'bench.yaml') } as BenchConfig;
    expect(openCcsTlsSetting('ccs-ev', { trustAnchors: [root] }, cfg)).to.deep.equal({ tls: true, v2gRootFiles: [root] });
    expect(openCcsTlsSetting('ccs-ev', true, cfg)).to.deep.equal({ tls: true });
    expect(() => openCcsTlsSetting('ccs-ev', { trustAnchors: ['no-such-root.pem'] }, cfg))
      .to.throw(BenchFileError)
      .with.property('message')
      .that.contains("'resources.ccs-ev.tls.trustAnchors'")
      .and.contains('no-such-root.pem')
      .and.contains('no such file');
  });
});

/** `openssl s_client -brief` with nothing to send (stdin closed at once); async, so our charger in this process answers. */
function sClient(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-brief', ...args], (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
    child.stdin?.end();
  });
}
