// The EVCC against the emulated SECC over real IPv6 sockets on a veth pair (the emulator bench's
// emulated T1S link, created by scripts/veth-link.sh — needs root), with SDP and TLS 1.3 mutual
// authentication, EXI on the wire. Its own pair names, so other tests' links are not disturbed.

import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { TlsHandshakeError } from '../../drivers/iso15118/tls-errors.ts';
import { Iso15118Vehicle, type VehicleSettings } from '../../drivers/iso15118/evcc/vehicle.ts';
import { upTestVethPair, type TestVethPair } from '../support/veth-pair.ts';
import { EmulatedMcsCharger } from '../../emulator/mcs/charger.ts';
import { RATINGS, messageFlow } from './helpers.ts';

export const TEST_LINK = { evInterface: 'mcs-t4ev0', chargerInterface: 'mcs-t4se0' };

describe('MCS session over the veth link (SDP, TLS 1.3, EXI)', function () {
  this.timeout(60_000);
  let link: TestVethPair;
  const clock = new RealClock();
  let timeline: Timeline;
  let charger: EmulatedMcsCharger | undefined;
  const limits = Limits.load('iso15118-20');
  const runDir = mkdtempSync(join(tmpdir(), 'mcs-veth-'));

  before(async function () {
    link = await upTestVethPair(TEST_LINK);
  });
  after(() => link?.remove());
  beforeEach(function () {
    timeline = new Timeline({ clock });
  });
  afterEach(async function () {
    await charger?.close();
    charger = undefined;
    timeline.close();
  });

  async function start(faults: string[] = []): Promise<EmulatedMcsCharger> {
    charger = await EmulatedMcsCharger.start(
      'charger',
      { interface: link.chargerInterface, address: link.chargerAddress },
      { clock, timeline, ratings: RATINGS, faults: new Set(faults), limits, runDir },
    );
    return charger;
  }
  function vehicle(s: VehicleSettings = {}): Promise<Iso15118Vehicle> {
    return Iso15118Vehicle.create(
      'ev',
      { interface: link.evInterface, localAddress: link.evAddress, ...s },
      { clock, timeline, limits, runDir },
    );
  }

  it('charges and stops over TLS 1.3 with mutual authentication, EXI on the wire, key log written', async function () {
    await start();
    const ev = await vehicle();
    const session = await ev.startCharging();
    const info = session.evcc.link.info as { tls?: { protocol: string; cipher: string }; chain?: { rootedInV2gRoot: boolean } };
    expect(info.tls?.protocol).to.equal('TLSv1.3');
    expect(['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']).to.include(info.tls?.cipher);
    expect(info.chain?.rootedInV2gRoot).to.equal(true);
    session.requestCurrent(200);
    await clock.sleep(600);
    await session.stop();
    expect(session.loops.length).to.be.greaterThan(3);
    expect(session.loops.at(-1)!.responseMs).to.be.greaterThan(0);
    expect(ev.codec.name).to.equal('exi');
    const flow = messageFlow(timeline.query({}));
    expect(flow[0]).to.equal('→supportedAppProtocolReq');
    expect(flow.at(-1)).to.equal('←SessionStopRes');
    const first = timeline.query({ kind: 'v2g', source: 'ev' }).find((e) => e.data.message === 'SessionSetupReq')!;
    expect(String(first.data.hex)).to.match(/^01fe8002/); // V2GTP header, CommonMessages
    expect(ev.lastKeylogFile && existsSync(ev.lastKeylogFile)).to.equal(true);
    expect(readFileSync(ev.lastKeylogFile!, 'utf8')).to.match(/CLIENT_HANDSHAKE_TRAFFIC_SECRET/);
    await charger!.settled();
    expect(charger!.results.map((r) => r.reason)).to.deep.equal(['session-stopped']);
  });

  it('the charger refuses a vehicle that offers no client certificate', async function () {
    await start();
    const ev = await vehicle();
    const err = await ev
      .openSession({ clientCertificate: false })
      .then(async (s) => {
        // TLS 1.3: the client may see the rejection only at its first read.
        const ex = await s.exchange('supportedAppProtocol', {
          AppProtocol: [
            { ProtocolNamespace: 'urn:iso:std:iso:15118:-20:DC', VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 },
          ],
        });
        return ex.outcome === 'response' ? undefined : new Error(`${ex.outcome}: ${ex.detail}`);
      })
      .catch((e: Error) => e);
    expect(err, 'handshake or first exchange must fail').to.be.instanceOf(Error);
    expect(timeline.query({ kind: 'link', source: 'charger' }).some((e) => e.data.event === 'handshake-failed')).to.equal(true);
  });

  it('fault accepts-no-client-cert: the charger completes the session without a client certificate', async function () {
    await start(['accepts-no-client-cert']);
    const ev = await vehicle();
    const s = await ev.openSession({ clientCertificate: false });
    const ex = await s.supportedAppProtocol();
    expect(ex.responseCode).to.equal('OK_SuccessfulNegotiation');
    await s.link.close();
  });

  it('fault tls-untrusted-chain: enforcing vehicle refuses; recording vehicle connects and records the verdict', async function () {
    await start(['tls-untrusted-chain']);
    const strict = await vehicle();
    const e = await strict.connect().catch((x: Error) => x);
    expect(e).to.be.instanceOf(TlsHandshakeError);
    expect((e as TlsHandshakeError).reason).to.equal('server-chain-untrusted');
    const lenient = await vehicle({ serverChain: 'record', alsoTrust: ['test-pki-foreign-root'] });
    const c = await lenient.connect();
    expect(c.chain?.rootedInV2gRoot).to.equal(false);
    await c.link.close();
  });

  it('fault sdp-first-request-ignored: the vehicle needs a second SDP request', async function () {
    await start(['sdp-first-request-ignored']);
    const ev = await vehicle();
    const c = await ev.connect();
    expect(c.sdp?.requests).to.equal(2);
    await c.link.close();
  });
});
