import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { RealClock, VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault, InputError } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { V2gConnection, V2gConnectionClosed, V2gReceiveTimeout } from '../../drivers/iso15118/connection.ts';
import { TlsHandshakeError } from '../../drivers/iso15118/tls-errors.ts';
import { ISO15118_20_CIPHER_SUITES, type TlsClientSettings, type TlsServerSettings } from '../../drivers/iso15118/tls-policy.ts';
import { connectV2g } from '../../drivers/iso15118/v2g-client.ts';
import { V2gServer } from '../../drivers/iso15118/v2g-server.ts';
import { ensureTestPki, type PkiPaths } from '../../drivers/iso15118/test-pki.ts';
import { encodeRawV2gtp, PayloadType, V2gtpError } from '../../drivers/iso15118/v2gtp.ts';
import type { TestVethPair } from '../support/veth-pair.ts';
import { bringUpTestLink } from './test-link.ts';

const limits = Limits.load('iso15118-20');
const EXI = new Uint8Array([0x80, 0x98, 0x02, 0x10]); // opaque bytes: this layer does not decode EXI

describe('V2G connection over the veth link: TCP and TLS 1.3', function () {
  let link: TestVethPair;
  let pki: PkiPaths;
  const clock = new RealClock();
  let timeline: Timeline;
  let server: V2gServer | undefined;
  const open: V2gConnection[] = [];
  let dir: string;

  before(async function () {
    link = await bringUpTestLink();
    pki = await ensureTestPki();
    dir = mkdtempSync(join(tmpdir(), 'mcs-hil-tls-'));
  });
  after(() => link?.remove());
  beforeEach(function () {
    timeline = new Timeline({ clock });
  });
  afterEach(async function () {
    for (const c of open.splice(0)) await c.close();
    await server?.close();
    server = undefined;
  });

  const serverTls = (over: Partial<TlsServerSettings> = {}): TlsServerSettings => ({
    identity: { chainFile: pki.secc.chain, keyFile: pki.secc.key },
    trustedRootFiles: [pki.oemRootCert],
    ...over,
  });
  const clientTls = (over: Partial<TlsClientSettings> = {}): TlsClientSettings => ({
    trustedRootFiles: [pki.v2gRootCert],
    identity: { chainFile: pki.vehicle.chain, keyFile: pki.vehicle.key },
    ...over,
  });

  /** An echo SECC: answers every frame with the same payload type and bytes. */
  async function listen(tls: TlsServerSettings | undefined) {
    server = new V2gServer({
      clock,
      timeline,
      source: 'secc',
      address: link.chargerAddress,
      interface: link.chargerInterface,
      port: 0,
      tls,
    });
    const accepted: V2gConnection[] = [];
    const handshakeErrors: TlsHandshakeError[] = [];
    server.on('connection', async (c: V2gConnection) => {
      accepted.push(c);
      try {
        for (;;) {
          const f = await c.receive(10_000);
          await c.send(f.payloadType, f.payload);
        }
      } catch {
        // connection ended
      }
    });
    server.on('handshakeError', (e: TlsHandshakeError) => handshakeErrors.push(e));
    const port = await server.listen();
    return { port, accepted, handshakeErrors };
  }

  async function connect(port: number, tls: TlsClientSettings | undefined, keylogFile?: string) {
    const c = await connectV2g({
      clock,
      timeline,
      source: 'evcc',
      host: link.chargerAddress,
      interface: link.evInterface,
      port,
      tls,
      keylogFile,
      timeoutMs: limits.num('tls.handshakeTimeoutMs'),
    });
    open.push(c);
    return c;
  }

  it('listens on a port in the SDP range 49152–65535', async function () {
    const { port } = await listen(undefined);
    const l = limits.get('sdp.advertisedPort');
    expect(port).to.be.within(l.lo!, l.hi!);
  });

  it('exchanges V2GTP frames over plain TCP and records every frame and the connect', async function () {
    const { port } = await listen(undefined);
    const c = await connect(port, undefined);
    await c.send(PayloadType.Sap, EXI);
    const f = await c.receive(2000);
    expect(f.payloadType).to.equal(PayloadType.Sap);
    expect(Buffer.from(f.payload).toString('hex')).to.equal('80980210');
    const frames = timeline.query({ kind: 'v2g' }).map((e) => `${e.source}:${e.data.dir}:${e.data.hex}`);
    expect(frames).to.deep.equal([
      'evcc:tx:01fe80010000000480980210',
      'secc:rx:01fe80010000000480980210',
      'secc:tx:01fe80010000000480980210',
      'evcc:rx:01fe80010000000480980210',
    ]);
    const links = timeline.query({ kind: 'link', source: 'evcc' }).map((e) => e.data.event);
    expect(links).to.deep.equal(['connecting', 'connect']);
    await c.close();
    expect(timeline.query({ kind: 'link', source: 'evcc' }).at(-1)!.data).to.deep.include({ event: 'close', reason: 'local' });
  });

  it('completes TLS 1.3 with mutual authentication on secp521r1 chains, with an ISO 15118-20 suite', async function () {
    const { port, accepted } = await listen(serverTls());
    const c = await connect(port, clientTls());
    const info = c.tlsInfo()!;
    expect(info.protocol).to.equal('TLSv1.3');
    expect(ISO15118_20_CIPHER_SUITES).to.include(info.cipher);
    expect(info.authorized).to.equal(true);
    expect(info.peerChain[0]).to.match(/CN=DE\*MCS\*E0001/);
    expect(info.peerChain.at(-1)).to.match(/V2G Root CA/);
    await c.send(PayloadType.CommonMessages, EXI);
    expect((await c.receive(2000)).payloadType).to.equal(PayloadType.CommonMessages);
    // The charger saw and verified our OEM provisioning chain.
    const s = accepted[0].tlsInfo()!;
    expect(s.authorized).to.equal(true);
    expect(s.peerChain[0]).to.match(/CN=MCSHILVEHICLE00001/);
    expect(s.peerChain.at(-1)).to.match(/OEM Root CA/);
  });

  for (const suite of ISO15118_20_CIPHER_SUITES) {
    it(`negotiates ${suite} when it is the only suite offered`, async function () {
      const { port } = await listen(serverTls());
      const c = await connect(port, clientTls({ cipherSuites: [suite] }));
      expect(c.tlsInfo()!.cipher).to.equal(suite);
    });
  }

  it('refuses to negotiate a suite outside ISO 15118-20 with a typed error', async function () {
    const { port } = await listen(serverTls());
    const err = await connect(port, clientTls({ cipherSuites: ['TLS_AES_128_GCM_SHA256'] })).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TlsHandshakeError);
    expect((err as TlsHandshakeError).reason).to.equal('no-shared-cipher');
  });

  it('writes an NSS key log Wireshark can read', async function () {
    const { port } = await listen(serverTls());
    const file = join(dir, 'session.keylog');
    const c = await connect(port, clientTls(), file);
    await c.send(PayloadType.Dc, EXI);
    await c.receive(2000);
    expect(existsSync(file)).to.equal(true);
    const labels = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(labels).to.include.members([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
    ]);
    for (const l of readFileSync(file, 'utf8').trim().split('\n')) expect(l).to.match(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,}$/);
  });

  it('fails with a typed error when the vehicle offers no client certificate (both sides see why)', async function () {
    const { port, handshakeErrors, accepted } = await listen(serverTls());
    // In TLS 1.3 the client finishes its handshake before the server judges its certificate: the
    // rejection (alert certificate_required) arrives on the first read.
    const err = await connect(port, clientTls({ identity: undefined }))
      .then(async (c) => {
        await c.send(PayloadType.Sap, EXI).catch(() => undefined);
        return c.receive(5000);
      })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TlsHandshakeError).and.instanceOf(InputError);
    expect((err as TlsHandshakeError).reason).to.equal('client-certificate-rejected');
    expect(accepted).to.have.length(0);
    expect(handshakeErrors.map((e) => e.reason)).to.deep.equal(['no-client-certificate']);
    expect(
      timeline
        .query({ kind: 'link', source: 'secc' })
        .some((e) => e.data.event === 'handshake-failed' && e.data.reason === 'no-client-certificate'),
    ).to.equal(true);
  });

  it('completes without a client certificate when the charger does not ask for one (fault hook)', async function () {
    const { port } = await listen(serverTls({ requestClientCertificate: false }));
    const c = await connect(port, clientTls({ identity: undefined }));
    await c.send(PayloadType.Sap, EXI);
    expect((await c.receive(2000)).payloadType).to.equal(PayloadType.Sap);
  });

  it("fails with a typed error when the charger's chain is not rooted in the V2G root", async function () {
    const { port, accepted } = await listen(serverTls({ identity: { chainFile: pki.foreignSecc.chain, keyFile: pki.foreignSecc.key } }));
    const err = await connect(port, clientTls()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TlsHandshakeError);
    expect((err as TlsHandshakeError).reason).to.equal('server-chain-untrusted');
    expect(accepted).to.have.length(0);
    const failed = timeline.query({ kind: 'link', source: 'evcc' }).at(-1)!.data;
    expect(failed).to.deep.include({ event: 'connect-failed', reason: 'server-chain-untrusted' });
  });

  it('rejects a vehicle chain not rooted in the OEM root on the charger side', async function () {
    const { port, handshakeErrors } = await listen(serverTls());
    // The foreign SECC identity as a "vehicle" certificate: not under the OEM root.
    const err = await connect(port, clientTls({ identity: { chainFile: pki.foreignSecc.chain, keyFile: pki.foreignSecc.key } }))
      .then((c) => c.receive(5000))
      .catch((e: unknown) => e);
    // Node's TLS server drops the connection without an alert here, so the vehicle sees a close
    // right after the handshake (the note says what that usually means); the charger knows why.
    expect(err).to.be.instanceOf(V2gConnectionClosed);
    expect((err as V2gConnectionClosed).closeInfo.note).to.match(/before sending any message/);
    expect(handshakeErrors.map((e) => e.reason)).to.deep.equal(['client-chain-untrusted']);
    expect(handshakeErrors[0].code).to.match(/^UNABLE_TO_/);
  });

  it('surfaces a malformed frame from the peer as V2gtpError and closes the connection', async function () {
    const { port, accepted } = await listen(undefined);
    const c = await connect(port, undefined);
    // Wait for the accept, then make the charger side send a header with a wrong inverse version.
    for (let i = 0; i < 200 && accepted.length === 0; i++) await clock.sleep(5);
    await accepted[0].sendRaw(encodeRawV2gtp({ inverse: 0xff, payloadType: 0x8002 }, EXI), 'wrong inverse');
    const err = await c.receive(2000).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(V2gtpError);
    expect((err as V2gtpError).reason).to.equal('wrong-inverse');
    expect(c.closed).to.equal(true);
    const rec = timeline.query({ kind: 'v2g', source: 'evcc' }).at(-1)!.data;
    expect(rec).to.deep.include({ dir: 'rx', malformed: true, reason: 'wrong-inverse' });
    expect(timeline.query({ kind: 'link', source: 'evcc' }).at(-1)!.data).to.deep.include({ event: 'close', reason: 'malformed-frame' });
  });

  it('picks another port when the one it picked is taken, without an unhandled error', async function () {
    const taken = net.createServer();
    let takenPort = 0;
    for (let port = 50_000; !takenPort; port++) {
      takenPort = await new Promise<number>((r) => {
        taken.once('error', () => r(0));
        taken.listen({ host: `${link.chargerAddress}%${link.chargerInterface}`, port, ipv6Only: true }, () => r(port));
      });
    }
    // The picker draws from 49152–65535: make its first draw the taken port, then let it draw freely.
    const random = Math.random;
    let draws = 0;
    Math.random = () => (draws++ === 0 ? (takenPort - 49152 + 0.5) / (65535 - 49152 + 1) : random());
    try {
      server = new V2gServer({ clock, timeline, source: 'secc', address: link.chargerAddress, interface: link.chargerInterface, port: 0 });
      const port = await server.listen();
      expect(draws).to.be.greaterThan(1, 'the first pick collided and was retried');
      expect(port).to.not.equal(takenPort);
    } finally {
      Math.random = random;
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('times out a receive on the injected clock', async function () {
    const vclock = new VirtualClock();
    const vt = new Timeline({ clock: vclock });
    server = new V2gServer({ clock, timeline, source: 'secc', address: link.chargerAddress, interface: link.chargerInterface, port: 0 });
    const port = await server.listen();
    const c = await connectV2g({
      clock: vclock,
      timeline: vt,
      source: 'evcc',
      host: link.chargerAddress,
      interface: link.evInterface,
      port,
      timeoutMs: 5000,
    });
    open.push(c);
    const p = c.receive(2000).catch((e: unknown) => e);
    await vclock.advance(1999);
    await vclock.advance(1);
    const err = await p;
    expect(err).to.be.instanceOf(V2gReceiveTimeout);
    expect((err as V2gReceiveTimeout).timeoutMs).to.equal(2000);
  });

  it('reports the peer closing while a receive waits, and refuses to send afterwards', async function () {
    const { port, accepted } = await listen(undefined);
    const c = await connect(port, undefined);
    for (let i = 0; i < 200 && accepted.length === 0; i++) await clock.sleep(5);
    const closed = new Promise((r) => c.once('closed', r));
    const p = c.receive(5000).catch((e: unknown) => e);
    accepted[0].abort(); // drop the link without a goodbye
    expect(await p).to.be.instanceOf(Error);
    expect(await closed).to.have.property('reason');
    expect(await c.send(PayloadType.Sap, EXI).catch((e: unknown) => e)).to.be.instanceOf(V2gConnectionClosed);
  });

  it('turns a refused connection into a BenchFault that says what to check', async function () {
    const err = await connect(49151, undefined).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(BenchFault);
    expect((err as Error).message).to.match(/refused/);
  });
});
