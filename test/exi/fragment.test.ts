import { expect } from 'chai';
import fc from 'fast-check';
import { decodeExiFragment, encodeExiFragment, ExiDecodeError, ExiEncodeError, type ExiFragmentGrammar } from '../../drivers/exi/index.ts';
import { BitReader } from '../../drivers/exi/runtime/bit-reader.ts';
import { model as cmModel } from '../../drivers/exi/generated/cm-model.ts';
import { model as dcModel } from '../../drivers/exi/generated/dc-model.ts';
import { model as dsigModel } from '../../drivers/exi/generated/xmldsig-model.ts';
import { DocumentArbitraries } from './support/arbitrary-document.ts';
import type { SchemaModel } from '../../drivers/exi/schema-model.ts';

const C14N_EXI = 'http://www.w3.org/TR/canonical-exi/';
const SHA512 = 'http://www.w3.org/2001/04/xmlenc#sha512';
const signedInfo = {
  SignedInfo: {
    CanonicalizationMethod: { '@Algorithm': C14N_EXI },
    SignatureMethod: { '@Algorithm': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512' },
    Reference: [
      {
        '@URI': '#Id1',
        Transforms: { Transform: [{ '@Algorithm': C14N_EXI }] },
        DigestMethod: { '@Algorithm': SHA512 },
        DigestValue: Buffer.alloc(64, 7).toString('base64'),
      },
    ],
  },
};

/** First event code and the last one (ED) of a fragment, given the grammar's code width. */
function codes(bytes: Uint8Array, width: number): { first: number } {
  const r = new BitReader(bytes, 8);
  return { first: r.bits(width, 'test') };
}

describe('EXI fragments (signature digests)', function () {
  it('xmldsig fragment grammar: 45 element qnames, SignedInfo is SE code 32 of 6 bits, round trip', function () {
    expect(dsigModel.fragmentElements.length).to.equal(45);
    const b = encodeExiFragment('xmldsig', signedInfo);
    expect(b[0]).to.equal(0x80);
    expect(codes(b, 6).first).to.equal(32);
    expect(decodeExiFragment('xmldsig', b)).to.deep.equal(signedInfo);
  });

  it('-20 CommonMessages fragment grammar: 281 qnames (9-bit codes, ED = 282), OEMProvisioningCertificateChain = 128, PnC_AReqAuthorizationMode = 151', function () {
    // The numbers libcbv2g's encode_iso20_exiFragment uses for OEMProvisioningCertificateChain (128, then ED 282, 9 bits).
    expect(cmModel.fragmentElements.length).to.equal(281);
    const names = cmModel.fragmentElements.map((e) => e.name);
    expect(names.indexOf('OEMProvisioningCertificateChain')).to.equal(128);
    const pnc = {
      PnC_AReqAuthorizationMode: {
        '@Id': 'id1',
        GenChallenge: Buffer.alloc(16, 1).toString('base64'),
        ContractCertificateChain: {
          Certificate: Buffer.alloc(40, 2).toString('base64'),
          SubCertificates: { Certificate: [Buffer.alloc(30, 3).toString('base64')] },
        },
      },
    };
    const b = encodeExiFragment('cm', pnc);
    expect(codes(b, 9).first).to.equal(151);
    expect(decodeExiFragment('cm', b)).to.deep.equal(pnc);
    const oem = { OEMProvisioningCertificateChain: { '@Id': 'oem', Certificate: 'AAEC' } };
    expect(codes(encodeExiFragment('cm', oem), 9).first).to.equal(128);
  });

  it('refuses ambiguous or unknown fragment roots and a truncated fragment', function () {
    // DepartureTime is declared in CommonTypes and in CommonMessages: the local name is ambiguous.
    expect(() => encodeExiFragment('cm', { DepartureTime: 1 })).to.throw(ExiEncodeError);
    expect(() => encodeExiFragment('xmldsig' as ExiFragmentGrammar, { SessionSetupReq: {} })).to.throw(ExiEncodeError);
    const b = encodeExiFragment('xmldsig', signedInfo);
    expect(() => decodeExiFragment('xmldsig', b.slice(0, 3))).to.throw(ExiDecodeError);
  });

  const property = (grammar: ExiFragmentGrammar, model: SchemaModel, roots: string[]) =>
    it(`${grammar}: encode → decode → encode round trip for ${roots.join(', ')}`, function () {
      const arbs = new DocumentArbitraries(model);
      for (const root of roots) {
        const f = model.fragmentElements.find((e) => e.name === root)!;
        const arb = arbs.type(f.type!)!.map((v) => ({ [root]: v }));
        fc.assert(
          fc.property(arb, (doc) => {
            const b = encodeExiFragment(grammar, doc);
            const back = decodeExiFragment(grammar, b);
            expect(back).to.deep.equal(doc);
            expect(Buffer.from(encodeExiFragment(grammar, back)).toString('hex')).to.equal(Buffer.from(b).toString('hex'));
          }),
          { numRuns: 40 },
        );
      }
    });
  property('xmldsig', dsigModel, ['SignedInfo', 'KeyInfo']);
  property('cm', cmModel, [
    'PnC_AReqAuthorizationMode',
    'SignedInstallationData',
    'MeteringConfirmationReq',
    'CertificateInstallationReq',
    'AbsolutePriceSchedule',
  ]);
  property('dc', dcModel, ['DC_ChargeParameterDiscoveryRes', 'SignedInfo']);
});
