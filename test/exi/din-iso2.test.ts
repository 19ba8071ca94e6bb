// DIN 70121 and ISO 15118-2 through the public API and `mcs-hil exi`, with our own documents (so this runs
// without ../shared): round trips, grammar choice (both share the root V2G_Message and V2GTP type 0x8001),
// and the trailing-octets deviation real DIN encoders produce.

import { expect } from 'chai';
import { decodeExi, decodeExiWithDeviations, encodeExi, ExiDecodeError, EXI_GRAMMARS } from '../../drivers/exi/index.ts';
import { exiDecodeCommand, exiEncodeCommand } from '../../drivers/exi/cli.ts';
import { UsageError } from '../../drivers/core/errors.ts';
import { dinCurrentDemandReq, dinCurrentDemandRes, iso2CurrentDemandReq, iso2CurrentDemandRes } from './support/din-iso2-documents.ts';
import { sharedVectors, toHex } from './support/vectors.ts';

const CASES = [
  ['din', 'CurrentDemandReq', dinCurrentDemandReq],
  ['din', 'CurrentDemandRes', dinCurrentDemandRes],
  ['iso2', 'CurrentDemandReq', iso2CurrentDemandReq],
  ['iso2', 'CurrentDemandRes', iso2CurrentDemandRes],
] as const;

describe('EXI: DIN 70121 and ISO 15118-2', function () {
  it('are public grammars', function () {
    expect(EXI_GRAMMARS).to.include.members(['din', 'iso2']);
  });

  for (const [grammar, name, doc] of CASES) {
    it(`${grammar} ${name}: encodes, decodes to the same document and re-encodes to the same bytes`, function () {
      const bytes = encodeExi(grammar, doc);
      expect(bytes[0]).to.equal(0x80);
      const back = decodeExi(grammar, bytes);
      expect(back).to.deep.equal(doc);
      expect(toHex(encodeExi(grammar, back))).to.equal(toHex(bytes));
    });
  }

  it('the two grammars differ: a -2 stream read as DIN does not come back as the same document', function () {
    const bytes = encodeExi('iso2', iso2CurrentDemandRes);
    let asDin: unknown;
    try {
      asDin = decodeExi('din', bytes);
    } catch (e) {
      expect(e).to.be.instanceOf(ExiDecodeError);
      return;
    }
    expect(asDin).to.not.deep.equal(iso2CurrentDemandRes);
  });

  it('encodes strictly: a -2 PhysicalValue without its mandatory Unit is an ExiEncodeError naming it', function () {
    const body = (iso2CurrentDemandReq.V2G_Message as { Body: { CurrentDemandReq: Record<string, unknown> } }).Body.CurrentDemandReq;
    const bad = {
      V2G_Message: { Header: { SessionID: '00' }, Body: { CurrentDemandReq: { ...body, EVTargetCurrent: { Multiplier: 0, Value: 1 } } } },
    };
    expect(() => encodeExi('iso2', bad)).to.throw(/Unit/);
  });

  it('reports octets after the end of the document as the deviation trailing-octets and still decodes', function () {
    const bytes = encodeExi('din', dinCurrentDemandReq);
    const padded = new Uint8Array([...bytes, 0x00]);
    const { document, deviations } = decodeExiWithDeviations('din', padded);
    expect(document).to.deep.equal(dinCurrentDemandReq);
    expect(deviations).to.have.length(1);
    expect(deviations[0]).to.include({ kind: 'trailing-octets', element: 'V2G_Message', octetsHex: '00' });
    expect(deviations[0].message).to.contain('1 octet(s) 0x00 after the end of the document');
    expect(decodeExiWithDeviations('din', bytes).deviations).to.deep.equal([]);
  });

  describe('mcs-hil exi', function () {
    it('decode --grammar din|iso2 prints the document; --v2gtp with --grammar din reads a 0x8001 frame', function () {
      const hex = toHex(encodeExi('iso2', iso2CurrentDemandRes));
      expect(JSON.parse(exiDecodeCommand({ grammar: 'iso2', hex }))).to.deep.equal(iso2CurrentDemandRes);
      const framed = exiEncodeCommand({ grammar: 'din', json: JSON.stringify(dinCurrentDemandReq), v2gtp: true });
      expect(framed.slice(0, 8)).to.equal('01fe8001');
      expect(JSON.parse(exiDecodeCommand({ grammar: 'din', hex: framed, v2gtp: true }))).to.deep.equal(dinCurrentDemandReq);
    });

    it('decode --grammar din gives the public DIN vectors of ../shared/vectors (skipped where absent)', function () {
      const din = (sharedVectors()?.vectors ?? []).filter((v) => v.grammar === 'din');
      if (din.length === 0) this.skip();
      for (const v of din) expect(JSON.parse(exiDecodeCommand({ grammar: 'din', hex: v.hex })), v.id).to.deep.equal(v.document);
    });

    it('prints the trailing-octets deviation as a warning', function () {
      const warnings: string[] = [];
      exiDecodeCommand({ grammar: 'din', hex: `${toHex(encodeExi('din', dinCurrentDemandReq))}00`, warn: (l) => warnings.push(l) });
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/^peer EXI deviation: V2G_Message: 1 octet\(s\) 0x00/);
    });

    it('encode of V2G_Message without --grammar, and --grammar din against a 0x8002 frame, are usage errors', function () {
      expect(() => exiEncodeCommand({ json: JSON.stringify(dinCurrentDemandReq) })).to.throw(
        UsageError,
        /--grammar app\|cm\|dc\|din\|iso2/,
      );
      const cmFrame = `01fe80020000000180`;
      expect(() => exiDecodeCommand({ grammar: 'din', hex: cmFrame, v2gtp: true })).to.throw(UsageError, /contradicts/);
    });
  });
});
