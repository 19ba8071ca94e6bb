import { expect } from 'chai';
import {
  decodeExi,
  decodeExiFragment,
  encodeExi,
  encodeExiFragment,
  ExiDecodeError,
  type ExiFragmentGrammar,
  type ExiGrammar,
} from '../../drivers/exi/index.ts';
import { BitWriter } from '../../drivers/exi/runtime/bit-writer.ts';
import { mutate, rng, runFuzz, type FuzzSeed } from './support/fuzz.ts';
import { fromHex, recordedVectors, sharedVectors } from './support/vectors.ts';
import { dinCurrentDemandReq, dinCurrentDemandRes, iso2CurrentDemandReq, iso2CurrentDemandRes } from './support/din-iso2-documents.ts';

const DIN_ISO2_CASES = [
  ['din', dinCurrentDemandReq],
  ['din', dinCurrentDemandRes],
  ['iso2', iso2CurrentDemandReq],
  ['iso2', iso2CurrentDemandRes],
] as const;

describe('EXI decoder fuzz (mutated vectors + random bytes)', function () {
  const seeds: FuzzSeed[] = [
    ...recordedVectors().map((v) => ({ grammar: v.grammar, bytes: fromHex(v.hex) })),
    ...(sharedVectors()?.vectors ?? []).map((v) => ({ grammar: v.grammar, bytes: fromHex(v.hex) })),
    ...DIN_ISO2_CASES.map(([grammar, doc]) => ({ grammar, bytes: encodeExi(grammar, doc) })),
  ];

  it('throws only ExiDecodeError (with position and state) over 100k cases, and decoded documents re-encode or are refused with ExiEncodeError', function () {
    const stats = runFuzz(seeds, 100_000, 20261125);
    expect(stats.cases).to.equal(100_000);
    // The mutations must reach both outcomes, or the fuzzer is not exercising the grammars.
    expect(stats.decodeErrors).to.be.greaterThan(10_000);
    expect(stats.decoded).to.be.greaterThan(1_000);
  });

  it('fragment decoding (signature digests) also throws only ExiDecodeError on 20k mutated fragments', function () {
    const A = 'http://www.w3.org/TR/canonical-exi/';
    const frags: Array<[ExiFragmentGrammar, Uint8Array]> = [
      [
        'xmldsig',
        encodeExiFragment('xmldsig', {
          SignedInfo: {
            CanonicalizationMethod: { '@Algorithm': A },
            SignatureMethod: { '@Algorithm': A },
            Reference: [{ '@URI': '#a', DigestMethod: { '@Algorithm': A }, DigestValue: 'AAEC' }],
          },
        }),
      ],
      [
        'cm',
        encodeExiFragment('cm', {
          PnC_AReqAuthorizationMode: {
            '@Id': 'x',
            GenChallenge: 'AAAAAAAAAAAAAAAAAAAAAA==',
            ContractCertificateChain: { Certificate: 'AAEC', SubCertificates: { Certificate: ['AQ=='] } },
          },
        }),
      ],
    ];
    const next = rng(99);
    let typed = 0;
    for (let i = 0; i < 20_000; i++) {
      const [g, b] = frags[i % frags.length];
      try {
        decodeExiFragment(g, mutate(b, next));
      } catch (e) {
        if (!(e instanceof ExiDecodeError)) throw e;
        typed++;
      }
    }
    expect(typed).to.be.greaterThan(1000);
  });

  // supportedAppProtocolReq: header, DocContent 00, SE(AppProtocol) 0, SE(ProtocolNamespace) 0, CH 0,
  // then the string length field (length + 2) at bit 13.
  const sapWithStringLength = (lengthPlus2: bigint, tailBytes: number) => {
    const w = new BitWriter();
    w.bits(0x80, 8);
    w.bits(0, 5);
    w.ubig(lengthPlus2);
    for (let i = 0; i < tailBytes; i++) w.bits(0x41, 8);
    return w.finish();
  };

  it('refuses a string longer than the schema maxLength before reading it', function () {
    const err = catchDecode('app', sapWithStringLength(2n ** 40n, 4));
    expect(err.reason).to.match(/string length \d+ above 100/);
    expect(err.bitPosition).to.be.greaterThan(13);
    expect(err.state).to.equal('AppProtocolType#0>ProtocolNamespace');
  });

  it('refuses a length that runs past the end of the stream before allocating', function () {
    const err = catchDecode('app', sapWithStringLength(90n, 4));
    expect(err.reason).to.match(/runs past the end/);
  });

  it('refuses a wrong header, an undeclared event code and a truncated stream with the typed error', function () {
    expect(catchDecode('app', new Uint8Array([0x24, 0x45, 0x58, 0x49, 0x80])).reason).to.match(/cookie/);
    expect(catchDecode('app', new Uint8Array([0xa0, 0x00])).reason).to.match(/options document/);
    // DocContent code 2 of 0..2 is SE(*): the escape to undeclared productions.
    expect(catchDecode('app', new Uint8Array([0x80, 0x80])).reason).to.match(/undeclared/);
    expect(catchDecode('app', new Uint8Array([0x80, 0xc0])).reason).to.match(/event code 3 not defined/);
    const cut = catchDecode('dc', fromHex(recordedVectors().find((v) => v.grammar === 'dc')!.hex).slice(0, 20));
    expect(cut.reason).to.match(/stream ends|runs past the end/);
    expect(cut.bitPosition).to.be.at.most(160);
  });
});

function catchDecode(g: ExiGrammar, bytes: Uint8Array): ExiDecodeError {
  try {
    decodeExi(g, bytes);
  } catch (e) {
    expect(e).to.be.instanceOf(ExiDecodeError);
    return e as ExiDecodeError;
  }
  throw new Error('decode unexpectedly succeeded');
}
