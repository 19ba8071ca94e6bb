import { expect } from 'chai';
import fc from 'fast-check';
import {
  decodeV2gtp,
  encodeRawV2gtp,
  encodeV2gtp,
  isKnownPayloadType,
  PayloadType,
  payloadTypeLabel,
  toHex,
  V2gtpError,
  V2gtpReader,
} from '../../drivers/iso15118/v2gtp.ts';
import { InputError } from '../../drivers/core/errors.ts';

const knownType = fc.constantFrom(...Object.values(PayloadType), 0xa000, 0xffff);
const payload = fc.uint8Array({ maxLength: 300 });

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(V2gtpError);
    expect(e).to.be.instanceOf(InputError);
    return (e as V2gtpError).reason;
  }
  throw new Error('expected a V2gtpError');
}

describe('V2GTP framing', function () {
  it('encodes the 8-byte header big-endian: version 0x01, inverse 0xFE, type, length', function () {
    const f = encodeV2gtp(PayloadType.Dc, new Uint8Array([0x80, 0x01, 0x02]));
    expect(Buffer.from(f).toString('hex')).to.equal('01fe800400000003800102');
  });

  it('round-trips any known payload type and payload (property)', function () {
    fc.assert(
      fc.property(knownType, payload, (t, p) => {
        const d = decodeV2gtp(encodeV2gtp(t, p));
        expect(d.payloadType).to.equal(t);
        expect(toHex(d.payload)).to.equal(toHex(p));
      }),
    );
  });

  it('reassembles frames from arbitrary TCP chunking (property)', function () {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(knownType, payload), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 50 }),
        (frames, cuts) => {
          const stream = Uint8Array.from(frames.flatMap(([t, p]) => [...encodeV2gtp(t, p)]));
          const reader = new V2gtpReader();
          const got: { payloadType: number; payload: Uint8Array }[] = [];
          let o = 0;
          let i = 0;
          while (o < stream.length) {
            const n = cuts[i++ % cuts.length];
            got.push(...reader.push(stream.slice(o, o + n)));
            o += n;
          }
          reader.end();
          expect(got.length).to.equal(frames.length);
          got.forEach((g, k) => {
            expect(g.payloadType).to.equal(frames[k][0]);
            expect(toHex(g.payload)).to.equal(toHex(frames[k][1]));
          });
          expect(reader.pendingBytes).to.equal(0);
        },
      ),
    );
  });

  it("rejects a wrong protocol version, then a wrong inverse, in the standard's order", function () {
    const p = new Uint8Array([0x80]);
    expect(reasonOf(() => decodeV2gtp(encodeRawV2gtp({ version: 0x02, inverse: 0xfd, payloadType: 0x8002 }, p)))).to.equal('wrong-version');
    expect(reasonOf(() => decodeV2gtp(encodeRawV2gtp({ version: 0x02, inverse: 0x00, payloadType: 0x8002 }, p)))).to.equal('wrong-version');
    expect(reasonOf(() => decodeV2gtp(encodeRawV2gtp({ inverse: 0xff, payloadType: 0x8002 }, p)))).to.equal('wrong-inverse');
  });

  it('rejects payload types outside Table 12, unless asked to let them through', function () {
    const f = encodeRawV2gtp({ payloadType: 0x1234 }, new Uint8Array(2));
    expect(reasonOf(() => decodeV2gtp(f))).to.equal('unknown-payload-type');
    expect(decodeV2gtp(f, { allowUnknownPayloadType: true }).payloadType).to.equal(0x1234);
    expect(isKnownPayloadType(0x8004)).to.equal(true);
    expect(isKnownPayloadType(0x8007)).to.equal(false);
    expect(payloadTypeLabel(0x8004)).to.equal('Dc (0x8004)');
    expect(payloadTypeLabel(0xa123)).to.equal('manufacturer (0xa123)');
  });

  it('rejects a length above the maximum before buffering the payload', function () {
    const header = encodeRawV2gtp({ payloadType: 0x8002, length: 0xffffffff }, new Uint8Array(0));
    expect(reasonOf(() => decodeV2gtp(header))).to.equal('payload-too-large');
    const reader = new V2gtpReader({ maxPayload: 100 });
    expect(reasonOf(() => reader.push(encodeRawV2gtp({ payloadType: 0x8002, length: 101 }, new Uint8Array(0))))).to.equal(
      'payload-too-large',
    );
    // The stream is dead after a header error (the connection must be closed).
    expect(reasonOf(() => reader.push(encodeV2gtp(0x8002, new Uint8Array(1))))).to.equal('payload-too-large');
  });

  it('reports truncated frames and trailing bytes', function () {
    const f = encodeV2gtp(0x8002, new Uint8Array(10));
    expect(reasonOf(() => decodeV2gtp(f.subarray(0, 5)))).to.equal('truncated');
    expect(reasonOf(() => decodeV2gtp(f.subarray(0, 12)))).to.equal('truncated');
    expect(reasonOf(() => decodeV2gtp(new Uint8Array([...f, 0])))).to.equal('trailing-bytes');
    expect(reasonOf(() => decodeV2gtp(new Uint8Array([0x7f])))).to.equal('wrong-version');
    const reader = new V2gtpReader();
    expect(reader.push(f.subarray(0, 12))).to.deep.equal([]);
    expect(reasonOf(() => reader.end())).to.equal('truncated');
  });

  it('never throws anything but a V2gtpError on random bytes (property)', function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeV2gtp(bytes, { maxPayload: 1024 });
        } catch (e) {
          expect(e).to.be.instanceOf(V2gtpError);
        }
        const r = new V2gtpReader({ maxPayload: 1024 });
        try {
          r.push(bytes);
        } catch (e) {
          expect(e).to.be.instanceOf(V2gtpError);
        }
      }),
    );
  });

  it('says where the bad frame came from', function () {
    try {
      decodeV2gtp(new Uint8Array([1, 0, 0x80, 2, 0, 0, 0, 0]), { where: 'tcp [fe80::1%mcs-ev0]:50000' });
      expect.fail('should throw');
    } catch (e) {
      expect((e as Error).message).to.match(/^tcp \[fe80::1%mcs-ev0\]:50000: wrong-inverse/);
    }
  });
});
