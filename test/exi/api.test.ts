import { expect } from 'chai';
import {
  decodeExi,
  encodeExi,
  ExiDecodeError,
  ExiEncodeError,
  numberToRational,
  rationalToNumber,
  type DC_ChargeLoopReq,
  type SessionSetupRes,
  type supportedAppProtocolReq,
} from '../../drivers/exi/index.ts';
import { InputError } from '../../drivers/core/errors.ts';
import { exiDecodeCommand, exiEncodeCommand } from '../../drivers/exi/cli.ts';
import { encodeV2gtp } from '../../drivers/iso15118/v2gtp.ts';
import { recordedVectors, toHex } from './support/vectors.ts';

const header = { SessionID: '0011223344556677', TimeStamp: 1764000000 };
const chargeLoopReq: DC_ChargeLoopReq = {
  Header: header,
  MeterInfoRequested: false,
  EVPresentVoltage: { Exponent: 0, Value: 800 },
  Scheduled_DC_CLReqControlMode: { EVTargetCurrent: { Exponent: 0, Value: 500 }, EVTargetVoltage: { Exponent: 0, Value: 850 } },
};

describe('EXI API', function () {
  describe('typed messages', function () {
    it('encodes and decodes the generated interfaces of every grammar', function () {
      const sap: supportedAppProtocolReq = {
        AppProtocol: [
          { ProtocolNamespace: 'urn:iso:std:iso:15118:-20:DC', VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 },
        ],
      };
      const res: SessionSetupRes = { Header: header, ResponseCode: 'OK_NewSessionEstablished', EVSEID: 'DE*ABC*E123' };
      expect(decodeExi('app', encodeExi('app', { supportedAppProtocolReq: sap }))).to.deep.equal({ supportedAppProtocolReq: sap });
      expect(decodeExi('cm', encodeExi('cm', { SessionSetupRes: res }))).to.deep.equal({ SessionSetupRes: res });
      expect(decodeExi('dc', encodeExi('dc', { DC_ChargeLoopReq: chargeLoopReq }))).to.deep.equal({ DC_ChargeLoopReq: chargeLoopReq });
    });

    it('writes the V2G header byte 0x80 and pads the last byte with zero bits', function () {
      const b = encodeExi('dc', { DC_ChargeLoopReq: chargeLoopReq });
      expect(b[0]).to.equal(0x80);
    });

    it('keeps unsignedLong values beyond 2^53 exact as decimal strings', function () {
      const doc = { SessionStopRes: { Header: { ...header, TimeStamp: '18446744073709551615' }, ResponseCode: 'OK' } };
      expect(decodeExi('cm', encodeExi('cm', doc))).to.deep.equal(doc);
      // A safe integer given as a string comes back as a number.
      const small = { SessionStopRes: { Header: { ...header, TimeStamp: '5' }, ResponseCode: 'OK' } };
      expect((decodeExi('cm', encodeExi('cm', small)).SessionStopRes as { Header: { TimeStamp: unknown } }).Header.TimeStamp).to.equal(5);
    });
  });

  describe('encode errors (ExiEncodeError, an InputError, naming type and key)', function () {
    const cases: Array<[string, unknown, RegExp]> = [
      ['unknown root', { DC_Nope: {} }, /not a global element/],
      ['two roots', { DC_ChargeLoopReq: chargeLoopReq, DC_ChargeLoopRes: {} }, /exactly one root/],
      [
        'missing mandatory element',
        { DC_ChargeLoopReq: { ...chargeLoopReq, EVPresentVoltage: undefined } },
        /DC_ChargeLoopReqType: missing content: expected EVPresentVoltage/,
      ],
      ['unknown key', { DC_ChargeLoopReq: { ...chargeLoopReq, Bogus: 1 } }, /unknown key\(s\) Bogus/],
      ['two choice alternatives', { DC_ChargeLoopReq: { ...chargeLoopReq, CLReqControlMode: {} } }, /order or combination/],
      [
        'xs:short overflow',
        { DC_ChargeLoopReq: { ...chargeLoopReq, EVPresentVoltage: { Exponent: 0, Value: 40000 } } },
        /RationalNumberType.Value: 40000 outside -32768..32767/,
      ],
      [
        'bad enum',
        { DC_CableCheckRes: { Header: header, ResponseCode: 'Fine', EVSEProcessing: 'Finished' } },
        /ResponseCode: "Fine" is not one of OK/,
      ],
      [
        'SessionID length',
        { DC_CableCheckReq: { Header: { ...header, SessionID: '0011' } } },
        /SessionID: 2 octets, the schema requires exactly 8/,
      ],
      ['not hex', { DC_CableCheckReq: { Header: { ...header, SessionID: 'xyz' } } }, /expected hexBinary/],
      ['array expected', { supportedAppProtocolReq: { AppProtocol: { ProtocolNamespace: 'x' } } }, /expected an array/],
    ];
    for (const [name, doc, re] of cases) {
      it(name, function () {
        const grammar = 'supportedAppProtocolReq' in (doc as object) ? 'app' : 'dc';
        let err: unknown;
        try {
          encodeExi(grammar, doc as Record<string, unknown>);
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(ExiEncodeError);
        expect(err).to.be.instanceOf(InputError);
        expect((err as Error).message).to.match(re);
      });
    }

    it('refuses more items than maxOccurs (21 AppProtocol entries, maxOccurs 20)', function () {
      const p = { ProtocolNamespace: 'urn:x', VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 };
      expect(() => encodeExi('app', { supportedAppProtocolReq: { AppProtocol: Array(20).fill(p) } })).to.not.throw();
      expect(() => encodeExi('app', { supportedAppProtocolReq: { AppProtocol: Array(21).fill(p) } })).to.throw(ExiEncodeError, /maxOccurs/);
    });
  });

  describe('decode errors', function () {
    it('is an InputError carrying bitPosition and state', function () {
      try {
        decodeExi('dc', new Uint8Array([0x80, 0x34]));
        expect.fail('decoded a truncated stream');
      } catch (e) {
        expect(e).to.be.instanceOf(ExiDecodeError);
        expect(e).to.be.instanceOf(InputError);
        expect((e as ExiDecodeError).bitPosition).to.be.a('number');
        expect((e as ExiDecodeError).state)
          .to.be.a('string')
          .and.not.equal('');
      }
    });
    it('rejects a non-byte input and an unknown grammar with the same typed error', function () {
      expect(() => decodeExi('dc', [0x80] as unknown as Uint8Array)).to.throw(ExiDecodeError);
      expect(() => decodeExi('ac' as 'dc', new Uint8Array([0x80]))).to.throw(ExiDecodeError);
    });
  });

  describe('RationalNumber helpers', function () {
    it('converts without losing precision', function () {
      expect(rationalToNumber({ Value: 4000, Exponent: -1 })).to.equal(400);
      expect(rationalToNumber({ Value: 3750, Exponent: 3 })).to.equal(3_750_000);
      expect(rationalToNumber({ Value: 12345, Exponent: -2 })).to.equal(123.45);
      expect(numberToRational(3_750_000)).to.deep.equal({ Value: 3750, Exponent: 3 });
      expect(numberToRational(400)).to.deep.equal({ Value: 4000, Exponent: -1 });
      expect(numberToRational(987.5)).to.deep.equal({ Value: 9875, Exponent: -1 });
      expect(numberToRational(0)).to.deep.equal({ Value: 0, Exponent: 0 });
      expect(numberToRational(-20.25)).to.deep.equal({ Value: -20250, Exponent: -3 });
      expect(numberToRational(400, { minExponent: 0 })).to.deep.equal({ Value: 400, Exponent: 0 });
    });
    it('round-trips every value it produces and keeps Value inside xs:short', function () {
      for (const x of [0.001, 1, 32767, 32768, 99999, 1e6, 3.75e6, 1234.5678, -32768, -40000]) {
        const r = numberToRational(x);
        expect(r.Value).to.be.within(-32768, 32767);
        expect(Math.abs(rationalToNumber(r) - x)).to.be.at.most(Math.abs(x) * 1e-4 + 1e-9);
      }
    });
    it('refuses values that do not fit the exponent range', function () {
      expect(() => numberToRational(3.75e6, { maxExponent: 2 })).to.throw(InputError);
      expect(() => numberToRational(Number.NaN)).to.throw(InputError);
    });
  });

  describe('CLI functions (exi decode / exi encode)', function () {
    const v = recordedVectors().find((x) => x.grammar === 'dc')!;
    it('decodes hex to pretty JSON and encodes it back to lowercase hex', function () {
      const json = exiDecodeCommand({ grammar: 'dc', hex: v.hex.toUpperCase() });
      expect(JSON.parse(json)).to.deep.equal(v.document);
      expect(exiEncodeCommand({ grammar: 'dc', json })).to.equal(v.hex);
      expect(exiEncodeCommand({ json })).to.equal(v.hex); // grammar from the root element
    });
    it('handles V2GTP frames, taking the grammar from the payload type', function () {
      const frame = toHex(encodeV2gtp(0x8004, new Uint8Array(Buffer.from(v.hex, 'hex'))));
      expect(JSON.parse(exiDecodeCommand({ hex: frame, v2gtp: true }))).to.deep.equal(v.document);
      expect(exiEncodeCommand({ json: JSON.stringify(v.document), v2gtp: true })).to.equal(frame);
      expect(() => exiDecodeCommand({ grammar: 'cm', hex: frame, v2gtp: true })).to.throw(InputError, /contradicts/);
    });
    it('reports unusable arguments as InputError', function () {
      expect(() => exiDecodeCommand({ hex: '80' })).to.throw(InputError, /--grammar/);
      expect(() => exiDecodeCommand({ grammar: 'dc', hex: 'zz' })).to.throw(InputError, /hex/);
      expect(() => exiEncodeCommand({ grammar: 'dc', json: '{' })).to.throw(InputError, /JSON/);
      expect(() => exiEncodeCommand({ json: '{"Nope":{}}' })).to.throw(InputError, /cannot tell the grammar/);
    });
  });
});
