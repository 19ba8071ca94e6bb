import { expect } from 'chai';
import fc from 'fast-check';
import { RealClock } from '../../drivers/core/clock.ts';
import { InputError } from '../../drivers/core/errors.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import {
  bytesToIpv6,
  decodeSdpRequest,
  decodeSdpResponse,
  discoverSecc,
  encodeSdpRequest,
  encodeSdpResponse,
  ipv6ToBytes,
  SdpError,
  SdpNoResponse,
  SdpSecurity,
  SdpServer,
  type SdpServerBehaviour,
} from '../../drivers/iso15118/sdp.ts';
import { encodeRawV2gtp, encodeV2gtp } from '../../drivers/iso15118/v2gtp.ts';
import type { TestVethPair } from '../support/veth-pair.ts';
import { bringUpTestLink } from './test-link.ts';

const limits = Limits.load('iso15118-20');

describe('SDP codec', function () {
  it('encodes the request as 0x9000 with security and transport bytes', function () {
    expect(Buffer.from(encodeSdpRequest({ security: SdpSecurity.Tls, transport: 0 })).toString('hex')).to.equal('01fe9000000000020000');
    expect(Buffer.from(encodeSdpRequest({ security: SdpSecurity.NoTls, transport: 0 })).toString('hex')).to.equal('01fe9000000000021000');
  });

  it('encodes the response as 0x9001 with 16-byte address, port, security, transport', function () {
    const hex = Buffer.from(encodeSdpResponse({ address: 'fe80::1', port: 50000, security: 0, transport: 0 })).toString('hex');
    expect(hex).to.equal('01fe900100000014' + 'fe800000000000000000000000000001' + 'c350' + '00' + '00');
    const r = decodeSdpResponse(encodeSdpResponse({ address: 'fe80::1', port: 50000, security: 0, transport: 0 }));
    expect(r).to.deep.include({ address: 'fe80::1', port: 50000, security: 0, transport: 0 });
    expect(r.issues).to.deep.equal([]);
  });

  it('round-trips IPv6 addresses in RFC 5952 form (property)', function () {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        expect([...ipv6ToBytes(bytesToIpv6(b))]).to.deep.equal([...b]);
      }),
    );
    expect(bytesToIpv6(ipv6ToBytes('FE80:0:0:0:0200:5EFF:FE00:5301%eth1'))).to.equal('fe80::200:5eff:fe00:5301');
  });

  it('flags, without failing, values a suite may judge: port, scope, unknown codes', function () {
    const r = decodeSdpResponse(encodeSdpResponse({ address: '2001:db8::1', port: 15118, security: 0x20, transport: 0x10 }));
    expect(r.issues).to.have.length(4);
    expect(r.issues.join(' ')).to.match(/not link-local.*outside 49152.*unknown security.*not TCP/);
  });

  it('rejects structurally unusable datagrams with typed errors', function () {
    const reason = (bytes: Uint8Array, req = false) => {
      try {
        req ? decodeSdpRequest(bytes) : decodeSdpResponse(bytes);
      } catch (e) {
        expect(e).to.be.instanceOf(SdpError).and.instanceOf(InputError);
        return (e as SdpError).reason;
      }
      return 'none';
    };
    expect(reason(encodeV2gtp(0x9001, new Uint8Array(19)))).to.equal('wrong-length');
    expect(reason(encodeV2gtp(0x9000, new Uint8Array(20)))).to.equal('wrong-payload-type');
    expect(reason(encodeRawV2gtp({ inverse: 0, payloadType: 0x9001 }, new Uint8Array(20)))).to.equal('v2gtp');
    expect(reason(new Uint8Array([1, 0xfe, 0x90]))).to.equal('v2gtp');
    expect(reason(encodeV2gtp(0x9000, new Uint8Array(3)), true)).to.equal('wrong-length');
    expect(reason(encodeV2gtp(0x9000, new Uint8Array(2)), true)).to.equal('none');
  });
});

describe('SDP over the veth link (FF02::1, UDP 15118)', function () {
  let link: TestVethPair;
  const clock = new RealClock();
  let timeline: Timeline;
  let server: SdpServer | undefined;

  before(async function () {
    link = await bringUpTestLink();
  });
  after(() => link?.remove());
  beforeEach(function () {
    timeline = new Timeline({ clock });
  });
  afterEach(async function () {
    await server?.close();
    server = undefined;
  });

  async function serve(behaviour: SdpServerBehaviour = {}, security: number | 'answerRequested' = 'answerRequested') {
    server = new SdpServer({
      clock,
      timeline,
      interface: link.chargerInterface,
      address: link.chargerAddress,
      port: 50123,
      security,
      serverPort: limits.num('sdp.serverPort'),
      behaviour,
    });
    await server.start();
    return server;
  }

  function discover(over: Partial<Parameters<typeof discoverSecc>[0]> = {}) {
    return discoverSecc({
      clock,
      timeline,
      interface: link.evInterface,
      security: SdpSecurity.Tls,
      waitMs: limits.num('sdp.requestWaitMs'),
      maxRequests: limits.num('sdp.maxRequests'),
      serverPort: limits.num('sdp.serverPort'),
      ...over,
    });
  }

  it('discovers the charger: its link-local address, port and security', async function () {
    await serve();
    const r = await discover();
    expect(r).to.deep.include({ address: link.chargerAddress, port: 50123, security: SdpSecurity.Tls, transport: 0, requests: 1 });
    expect(r.issues).to.deep.equal([]);
    const v2g = timeline.query({ kind: 'v2g' }).map((e) => `${e.source}:${e.data.dir}:${e.data.payloadType}`);
    expect(v2g).to.deep.equal(['evcc:tx:36864', 'secc:rx:36864', 'secc:tx:36865', 'evcc:rx:36865']);
    // The request really crossed the link: the charger saw it from our EV address on its interface.
    const rx = timeline.query({ kind: 'v2g', source: 'secc' })[0];
    expect(rx.data.from).to.equal(`${link.evAddress}%${link.chargerInterface}`);
  });

  it('asks again after each unanswered wait and counts the requests', async function () {
    const s = await serve({ ignoreRequests: 2 });
    const r = await discover();
    expect(r.requests).to.equal(3);
    expect(s.requestsSeen).to.equal(3);
    expect(timeline.query({ kind: 'v2g', source: 'evcc' }).filter((e) => e.data.dir === 'tx')).to.have.length(3);
  });

  it('asks for no-TLS when told to and gets the matching answer', async function () {
    await serve();
    const r = await discover({ security: SdpSecurity.NoTls });
    expect(r.security).to.equal(SdpSecurity.NoTls);
  });

  it('gives up after the maximum number of requests with SdpNoResponse', async function () {
    const s = await serve({ ignoreRequests: Infinity });
    const err = await discover({ maxRequests: 3 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(SdpNoResponse);
    expect((err as SdpNoResponse).requests).to.equal(3);
    expect(s.requestsSeen).to.equal(3);
  });

  it('records and ignores malformed answers, and answers with the wrong security', async function () {
    await serve({ rawResponse: (b) => encodeV2gtp(0x9001, b.subarray(8, 27)) }); // 19-byte payload
    const err = (await discover({ maxRequests: 2 }).catch((e: unknown) => e)) as SdpNoResponse;
    expect(err).to.be.instanceOf(SdpNoResponse);
    expect(err.rejected[0]).to.match(/wrong-length/);
    expect(timeline.query({ kind: 'v2g', source: 'evcc' }).filter((e) => e.data.malformed)).to.have.length(2);
    await server!.close();
    await serve({}, SdpSecurity.NoTls);
    const err2 = (await discover({ maxRequests: 2 }).catch((e: unknown) => e)) as SdpNoResponse;
    expect(err2.rejected[0]).to.match(/security 0x10 does not match the requested 0x00/);
  });

  it('serves a wrong port on request (fault hook) and the client reports it as an issue', async function () {
    await serve({ override: { port: 80 } });
    const r = await discover();
    expect(r.port).to.equal(80);
    expect(r.issues.join()).to.match(/outside 49152/);
  });
});
