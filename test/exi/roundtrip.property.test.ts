import { expect } from 'chai';
import fc from 'fast-check';
import { decodeExi, encodeExi } from '../../drivers/exi/index.ts';
import { DocumentArbitraries } from './support/arbitrary-document.ts';
import { GRAMMAR_MODELS } from './support/grammars.ts';
import { toHex } from './support/vectors.ts';

// Global elements whose content model requires wildcard (xs:any) content, which the codec does not
// encode: only xmldsig's SignatureProperties/SignatureProperty.
const NOT_GENERATABLE = ['SignatureProperties', 'SignatureProperty'];
const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

describe('EXI round trip over generated messages (fast-check, arbitraries from the schema model)', function () {
  for (const { grammar, model, messages } of GRAMMAR_MODELS) {
    describe(`grammar ${grammar}`, function () {
      const arbs = new DocumentArbitraries(model);
      it('has an arbitrary for every message root', function () {
        expect(messages.length).to.be.greaterThan(1);
        for (const m of messages) expect(arbs.document(m), m).to.not.equal(null);
      });
      for (const g of model.globals) {
        // xmldsig's globals are the same types in every grammar: the cm grammar covers them.
        if (grammar !== 'cm' && grammar !== 'dc' && g.ns === XMLDSIG_NS) continue;
        const arb = arbs.document(g.name);
        if (!arb) {
          it(`${g.name}: not generatable (wildcard content)`, function () {
            expect(NOT_GENERATABLE).to.include(g.name);
          });
          continue;
        }
        const isMessage = messages.includes(g.name);
        it(`${g.name}: encode → decode gives the same object, decode → encode the same bytes`, function () {
          fc.assert(
            fc.property(arb, (doc) => {
              const bytes = encodeExi(grammar, doc);
              const back = decodeExi(grammar, bytes);
              expect(back).to.deep.equal(doc);
              expect(toHex(encodeExi(grammar, back))).to.equal(toHex(bytes));
            }),
            { numRuns: isMessage ? 60 : 15 },
          );
        });
      }
    });
  }
});
